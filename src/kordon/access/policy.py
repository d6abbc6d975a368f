"""THE access policy: who may see and do what with a record. Every read path goes through here.

The policy is written as Django Q filters over a record's own columns (owner unit, owner agency,
distribution, TLP), so that lists, counts, searches, exports and aggregates all apply exactly the
same rule in the database. It fails closed: no user, an inactive user or a user with no grant
gets no filter at all, and callers turn that into an empty result.
"""

from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Q

from kordon.access.markings import Distribution
from kordon.core.models import Membership, Role

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
class Scope:
    """What the policy needs to know about a user, loaded once and cached on the user object."""

    user_id: int
    is_node_admin: bool
    roles: dict[int, str]  # unit id -> role in that unit
    unit_agency: dict[int, int]  # unit id -> agency id

    def units_for(self, action: str) -> list[int]:
        return sorted(unit for unit, role in self.roles.items() if action in ROLE_ACTIONS[role])


SCOPE_CACHE_ATTRIBUTE: Final = "_kordon_scope"


def scope_for(user: Any) -> Scope | None:
    """The user's scope, or None for nobody (anonymous, inactive, missing)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user_id=user.pk).values_list("unit_id", "unit__agency_id", "role")
    scope = Scope(
        user_id=user.pk,
        is_node_admin=bool(user.is_superuser),
        roles={unit: role for unit, _agency, role in memberships},
        unit_agency={unit: agency for unit, agency, _role in memberships},
    )
    setattr(user, SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def record_filter(user: Any, action: str) -> Q | Everything | None:
    """The filter of records `user` may `action`, or None when they may touch none."""
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
    if action in (VIEW, EXPORT):
        units = scope.units_for(action)
        agencies = sorted({scope.unit_agency[unit] for unit in units})
        if not units:
            return None
        # Members of the owner unit see its records, whatever the distribution.
        mine = Q(owner_unit_id__in=units)
        # Members of the owner agency see what was distributed beyond the unit.
        agency = Q(owner_agency_id__in=agencies, distribution__gte=Distribution.AGENCY)
        return mine | agency
    # Changing, deleting and validating stay within the units where the role allows it.
    units = scope.units_for(action)
    if not units:
        return None
    return Q(owner_unit_id__in=units)


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
