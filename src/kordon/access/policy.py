"""THE access policy: who may see and do what with a record. Every read path goes through here.

The policy is written as Django Q filters over a record's own columns (owner unit, owner agency,
distribution, TLP), so that lists, counts, searches, exports and aggregates all apply exactly the
same rule in the database. It fails closed: no user, an inactive user or a user with no grant
gets no filter at all, and callers turn that into an empty result.
"""

import datetime
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from kordon.access.markings import (
    DISTRIBUTION_BREADTH,
    HANDLING_STRICTNESS,
    PARTNER_DISTRIBUTIONS,
    Distribution,
    Tlp,
)
from kordon.core.models import Membership, Role
from kordon.core.paging import Key

VIEW: Final = "view"
ADD: Final = "add"
CHANGE: Final = "change"
DELETE: Final = "delete"
VALIDATE: Final = "validate"
EXPORT: Final = "export"
AUDIT: Final = "audit"
ACTIONS: Final = frozenset({VIEW, ADD, CHANGE, DELETE, VALIDATE, EXPORT, AUDIT})

# What each role may do with the records of its own unit. Reading further (the agency, partners)
# is decided by the record's distribution, not by the role.
ROLE_ACTIONS: Final[dict[str, frozenset[str]]] = {
    Role.OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
    Role.SUPERVISOR: frozenset({VIEW, ADD, CHANGE, DELETE, VALIDATE, EXPORT, AUDIT}),
    Role.ANALYST: frozenset({VIEW, ADD, CHANGE, EXPORT}),
    Role.AUDITOR: frozenset({VIEW, EXPORT}),
    Role.ADMINISTRATOR: frozenset({VIEW, ADD, CHANGE, DELETE, VALIDATE, EXPORT, AUDIT}),
}


class Everything:
    """The filter for node administrators: no restriction. A class so it cannot be mistaken for a Q."""


EVERYTHING: Final = Everything()


@dataclass(frozen=True)
class Grant:
    """What one agreement in force lets one of the user's agencies receive from one partner."""

    agency_id: int  # the user's agency
    partner_id: int  # the agency whose records flow to it
    kind: str
    ceiling: int
    statistics_only: bool
    agreement_id: int


@dataclass(frozen=True)
class Scope:
    """What the policy needs to know about a user: cached on the user object for the request, and
    kept by the server process while nothing it is made of changes (see scope_for), so that a
    suspended agreement stops the flow at the next request."""

    user_id: int
    is_node_admin: bool
    roles: dict[int, str]  # unit id -> role in that unit
    unit_agency: dict[int, int]  # unit id -> agency id
    grants: tuple[Grant, ...] = ()
    groups: frozenset[int] = frozenset()  # active sharing groups the user's units or agencies are in

    def units_for(self, action: str) -> list[int]:
        return sorted(unit for unit, role in self.roles.items() if action in ROLE_ACTIONS[role])

    def agencies_for(self, action: str) -> list[int]:
        return sorted({self.unit_agency[unit] for unit in self.units_for(action)})

    def partner_ceilings(self, agencies: list[int], kind: str, *, statistics: bool) -> dict[int, int]:
        """partner agency -> highest TLP that flows from it to `agencies` for `kind`. Whole-record
        agreements also count for statistics; statistics-only ones never release rows."""
        ceilings: dict[int, int] = {}
        for grant in self.grants:
            if grant.kind != kind or grant.agency_id not in agencies or grant.partner_id in agencies:
                continue
            if grant.statistics_only and not statistics:
                continue
            ceilings[grant.partner_id] = max(grant.ceiling, ceilings.get(grant.partner_id, -1))
        return ceilings


SCOPE_CACHE_ATTRIBUTE: Final = "_kordon_scope"

# Scopes this process has loaded, by user id: (policy stamp, day, node administrator, scope).
# Loading one took three queries and ~4 ms of every request; under the 50-client load that was
# 24 % of the server's time (py-spy). Bounded: emptied when it grows past LOADED_LIMIT users.
_loaded: dict[int, tuple[int, datetime.date, bool, Scope]] = {}
LOADED_LIMIT: Final = 10_000


def _policy_stamp() -> int | None:
    """The stamp that changes with memberships, agreements and groups (models.PolicyStamp); None
    when the row is missing (a database just emptied), when nothing may be reused."""
    from kordon.access.models import PolicyStamp

    with connection.cursor() as cursor:
        # A fixed statement on our own table: run as it is, without building a query each time.
        cursor.execute(f"SELECT stamp FROM {PolicyStamp._meta.db_table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def _grants(agencies: set[int], today: datetime.date) -> tuple[Grant, ...]:
    from kordon.access.models import AgreementScope, AgreementStatus, SharingAgreement

    # Every party of every agreement in force that one of `agencies` is party to, in one query.
    parties = SharingAgreement.parties.through.objects
    rows = (
        parties.filter(sharingagreement__status=AgreementStatus.ACTIVE, sharingagreement__valid_from__lte=today)
        .filter(Q(sharingagreement__valid_to__isnull=True) | Q(sharingagreement__valid_to__gte=today))
        .filter(sharingagreement_id__in=parties.filter(agency_id__in=agencies).values("sharingagreement_id"))
        .values_list("sharingagreement_id", "agency_id", "sharingagreement__record_kinds",
                     "sharingagreement__tlp_ceiling", "sharingagreement__scope")
    )  # fmt: skip
    members: dict[int, set[int]] = {}
    terms: dict[int, tuple[list[str], int, str]] = {}
    for agreement_id, agency_id, kinds, ceiling, scope in rows:
        members.setdefault(agreement_id, set()).add(agency_id)
        terms[agreement_id] = (kinds, ceiling, scope)
    grants: list[Grant] = []
    for agreement_id, (kinds, ceiling, scope) in terms.items():
        for agency in members[agreement_id] & agencies:
            for partner in members[agreement_id] - {agency}:
                grants.extend(
                    Grant(
                        agency_id=agency,
                        partner_id=partner,
                        kind=kind,
                        ceiling=ceiling,
                        statistics_only=scope == AgreementScope.STATISTICS,
                        agreement_id=agreement_id,
                    )
                    for kind in kinds
                )
    return tuple(grants)


def _groups(units: set[int], agencies: set[int]) -> frozenset[int]:
    from kordon.access.models import SharingGroup

    members = SharingGroup.objects.filter(active=True).filter(Q(units__in=units) | Q(agencies__in=agencies))
    return frozenset(members.values_list("pk", flat=True).distinct())


def scope_for(user: Any) -> Scope | None:
    """The user's scope, or None for nobody (anonymous, inactive, missing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    # The stamp is read before the scope: a scope loaded after a change is at least as new as the
    # stamp it is kept under, and the change's own stamp makes the next request load it again.
    stamp, today, admin = _policy_stamp(), timezone.localdate(), bool(user.is_superuser)
    kept = _loaded.get(user.pk)
    if stamp is not None and kept is not None and kept[:3] == (stamp, today, admin):
        scope = kept[3]
    else:
        scope = _load_scope(user.pk, admin, today)
        if stamp is not None:
            if len(_loaded) >= LOADED_LIMIT:
                _loaded.clear()
            _loaded[user.pk] = (stamp, today, admin, scope)
    setattr(user, SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def _load_scope(user_id: int, admin: bool, today: datetime.date) -> Scope:
    memberships = Membership.objects.filter(user_id=user_id).values_list("unit_id", "unit__agency_id", "role")
    roles = {unit: role for unit, _agency, role in memberships}
    unit_agency = {unit: agency for unit, agency, _role in memberships}
    agencies = set(unit_agency.values())
    return Scope(
        user_id=user_id,
        is_node_admin=admin,
        roles=roles,
        unit_agency=unit_agency,
        grants=_grants(agencies, today) if agencies else (),
        groups=_groups(set(roles), agencies) if roles else frozenset(),
    )


def forget_scope(user: Any) -> None:
    """Drop the cached scope (after a change of memberships or agreements in the same request)."""
    if user is not None and hasattr(user, SCOPE_CACHE_ATTRIBUTE):
        delattr(user, SCOPE_CACHE_ATTRIBUTE)


def _partner_rule(ceilings: dict[int, int], model: Any) -> Q | None:
    """Records of partner agencies released to partners, within each partner's TLP ceiling and
    the kind's own limit (model.partner_filter). RED never flows under an agreement: it goes to
    named recipients only."""
    by_ceiling: dict[int, list[int]] = {}
    for partner, ceiling in ceilings.items():
        by_ceiling.setdefault(min(ceiling, Tlp.AMBER_STRICT), []).append(partner)
    rule = None
    for ceiling, partners in sorted(by_ceiling.items()):
        part = Q(
            owner_agency_id__in=sorted(partners), tlp__lte=ceiling, distribution__in=PARTNER_DISTRIBUTIONS
        )
        rule = part if rule is None else rule | part
    limit = model.partner_filter() if model is not None else None
    return rule & limit if rule is not None and limit is not None else rule


def _addressed_rule(model: Any, units: list[int], agencies: list[int], ceilings: dict[int, int]) -> Q | None:
    """Records addressed by name to the user's units: from their own agency always, from a
    partner agency while an agreement covering the kind is in force and its ceiling allows the
    TLP (RED included: the recipients are named)."""
    addressed = model.recipient_filter(units) if model is not None else None
    if addressed is None:
        return None
    senders = Q(owner_agency_id__in=agencies)
    by_ceiling: dict[int, list[int]] = {}
    for partner, ceiling in ceilings.items():
        by_ceiling.setdefault(ceiling, []).append(partner)
    for ceiling, partners in sorted(by_ceiling.items()):
        senders |= Q(owner_agency_id__in=sorted(partners), tlp__lte=ceiling)
    return addressed & senders


def record_filter(user: Any, action: str, model: Any = None) -> Q | Everything | None:
    """The filter of records of `model` that `user` may `action`, or None when they may touch none.

    A user sees a record when (a) their unit owns it, or their agency owns it and its distribution
    goes beyond the unit; (b) an agreement in force between their agency and the owner's covers
    the record kind, the distribution allows partners and the TLP is within the ceiling; (c) the
    distribution is a sharing group their unit or agency belongs to; (d) the distribution is all
    members and the TLP is CLEAR or GREEN; or (e) the record is addressed to their unit (alerts,
    requests) under (a) or an agreement. RED leaves the owner agency only under (e).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    scope = scope_for(user)
    if scope is None:
        return None
    # Node administrators run the node and answer for all of it.
    if scope.is_node_admin:
        return EVERYTHING
    if not scope.roles:
        return None
    units = scope.units_for(action)
    if not units:
        return None
    if action not in (VIEW, EXPORT):
        # Changing, deleting and validating stay within the units where the role allows it.
        return Q(owner_unit_id__in=units)
    agencies = scope.agencies_for(action)
    kind = getattr(model, "record_kind", "")
    rule = Q(owner_unit_id__in=units) | Q(owner_agency_id__in=agencies, distribution__gte=Distribution.AGENCY)
    ceilings = scope.partner_ceilings(agencies, kind, statistics=False) if kind else {}
    partners = _partner_rule(ceilings, model)
    if partners is not None:
        rule |= partners
    if scope.groups:
        rule |= Q(distribution=Distribution.GROUP, sharing_group_id__in=sorted(scope.groups), tlp__lt=Tlp.RED)
    rule |= Q(distribution=Distribution.ALL, tlp__lte=Tlp.GREEN)
    addressed = _addressed_rule(model, units, agencies, ceilings)
    if addressed is not None:
        rule |= addressed
    return rule


def node_filter(agencies: list[int], model: Any) -> Q:
    """Records of `model` that another node hosting `agencies` may receive (kordon.federation):
    what the members of those agencies may see here through an agreement in force, rule (b), or
    as records for all members, rule (d). Rules (a), (c) and (e) name units and groups of this
    node and release nothing to another one; RED never leaves the node this way."""
    scope = Scope(
        user_id=0,
        is_node_admin=False,
        roles={},
        unit_agency={},
        grants=_grants(set(agencies), timezone.localdate()),
    )
    rule = Q(distribution=Distribution.ALL, tlp__lte=Tlp.GREEN)
    kind = getattr(model, "record_kind", "")
    ceilings = scope.partner_ceilings(agencies, kind, statistics=False) if kind else {}
    partners = _partner_rule(ceilings, model)
    return rule | partners if partners is not None else rule


def key_filter(key: Key) -> Q:
    """A key as a condition."""
    return Q(**key) if isinstance(key, dict) else key


def record_keys(user: Any, action: str, model: Any, *, statistics: bool = False) -> list[Key] | None:
    """Narrow, disjoint keys that together cover every record the policy can let through, each
    one ordered index range: an owner agency the rule names with one distribution (the user's own
    agencies first, then partners', with only the distributions that can reach the user), the
    "all members" and "group" distributions of other agencies, and (alerts, requests) records
    addressed to the user's units that no other key holds. None when the rule is EVERYTHING or
    nothing, where there is nothing to split. `statistics`: the keys of statistics_filter.

    A list reads each key's range in order and merges them (core.paging.KeyedPaginator), so a
    partner who sees a few of a million records reads those few instead of scanning the whole
    date range. Keys are applied together with the full rule: they choose where to look, never
    what is let through. Being disjoint, their counts add up without double counting.
    """
    rule = statistics_filter(user, model) if statistics else record_filter(user, action, model)
    scope = scope_for(user)
    if rule is None or isinstance(rule, Everything) or scope is None:
        return None
    units = scope.units_for(action)
    own = sorted({scope.unit_agency[unit] for unit in units})
    every = sorted(int(distribution) for distribution in Distribution)
    if action not in (VIEW, EXPORT):
        return [{"owner_agency_id": agency, "distribution": value} for agency in own for value in every]
    kind = getattr(model, "record_kind", "")
    partners = (
        sorted(set(scope.partner_ceilings(own, kind, statistics=statistics)) - set(own)) if kind else []
    )
    addressed = model.recipient_filter(units)
    spread = [Distribution.ALL, Distribution.GROUP] if scope.groups else [Distribution.ALL]
    # What a partner's record can be distributed as and still reach the user; a record addressed
    # to the user's unit reaches them whatever its distribution.
    reaching = every if addressed is not None else sorted({*PARTNER_DISTRIBUTIONS, *spread})
    keys: list[Key] = [
        {"owner_agency_id": agency, "distribution": value} for agency in own for value in every
    ]
    keys += [{"owner_agency_id": agency, "distribution": value} for agency in partners for value in reaching]
    named = own + partners
    keys += [Q(distribution=distribution) & ~Q(owner_agency_id__in=named) for distribution in spread]
    if addressed is not None:
        keys.append(addressed & ~Q(owner_agency_id__in=named) & ~Q(distribution__in=spread))
    return keys


def agreement_covering(agency_id: int, partner_id: int, kind: str, tlp: int) -> int | None:
    """An agreement in force today between the two agencies that lets whole records of `kind`
    at `tlp` flow, or None."""
    from kordon.access.models import AgreementScope, AgreementStatus, SharingAgreement

    today = timezone.localdate()
    agreements = (
        SharingAgreement.objects.filter(
            status=AgreementStatus.ACTIVE,
            scope=AgreementScope.RECORDS,
            valid_from__lte=today,
            tlp_ceiling__gte=tlp,
            parties=agency_id,
        )
        .filter(parties=partner_id)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-tlp_ceiling", "pk")
    )
    for agreement in agreements:
        if kind in agreement.record_kinds:
            return int(agreement.pk)
    return None


def statistics_filter(user: Any, model: Any) -> Q | Everything | None:
    """Records of `model` that `user` may count in aggregates (never show): those they may see,
    plus those that statistics-only agreements release to their agency as counts and totals."""
    rule = record_filter(user, VIEW, model)
    scope = scope_for(user)
    if isinstance(rule, Everything) or scope is None or not model.record_kind:
        return rule
    ceilings = scope.partner_ceilings(scope.agencies_for(VIEW), model.record_kind, statistics=True)
    counted = _partner_rule(ceilings, model)
    if counted is None:
        return rule
    return counted if rule is None else rule | counted


def marking_lowered(
    record: Any, *, tlp: int, handling_code: str, distribution: int, sharing_group_id: Any
) -> bool:
    """Whether new markings release `record` more widely than its current ones: a lower TLP, a
    looser handling code, a wider distribution, or another audience at the same breadth."""
    old_breadth = DISTRIBUTION_BREADTH[Distribution(record.distribution)]
    new_breadth = DISTRIBUTION_BREADTH[Distribution(distribution)]
    other_audience = new_breadth == old_breadth and (
        distribution != record.distribution
        or (distribution == Distribution.GROUP and sharing_group_id != record.sharing_group_id)
    )
    return (
        tlp < record.tlp
        or HANDLING_STRICTNESS[handling_code] < HANDLING_STRICTNESS[record.handling_code]
        or new_breadth > old_breadth
        or other_audience
    )


def may_lower_marking(user: Any, record: Any) -> bool:
    """Only members of the owner unit may release a record more widely; anyone who may edit it
    may raise its markings. Not even a node administrator lowers another unit's markings."""
    scope = scope_for(user)
    return scope is not None and record.owner_unit_id in scope.roles


def may_act_in_unit(user: Any, unit_id: int, action: str) -> bool:
    """Whether `user` may create or manage records owned by the unit `unit_id`."""
    scope = scope_for(user)
    if scope is None:
        return False
    if scope.is_node_admin:
        return True
    role = scope.roles.get(unit_id)
    return role is not None and action in ROLE_ACTIONS[role]


def units_for_action(user: Any, action: str) -> list[int] | Everything:
    """The units in which `user` may perform `action` (EVERYTHING for node administrators)."""
    scope = scope_for(user)
    if scope is None:
        return []
    if scope.is_node_admin:
        return EVERYTHING
    return scope.units_for(action)


def audit_filter(user: Any) -> Q | Everything | None:
    """Audit entries a user may read: node administrators all; supervisors their units' trail."""
    units = units_for_action(user, AUDIT)
    if isinstance(units, Everything):
        return EVERYTHING
    if not units:
        return None
    return Q(actor_unit_id__in=units) | Q(object_owner_unit_id__in=units)


def filter_queryset(queryset: Any, rule: Q | Everything | None) -> Any:
    """Apply a policy rule to a queryset; None means nothing."""
    if rule is None:
        return queryset.none()
    if isinstance(rule, Everything):
        return queryset
    return queryset.filter(rule)
