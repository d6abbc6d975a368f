"""Writes of the access module: markings checks, sharing agreements and sharing groups.

Agreements and groups are managed by node administrators; every change is audited with the
parties and members, since they decide who sees what.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, UPDATE, audit_log, snapshot
from kordon.access.markings import GRADING_CHOICES, Distribution, HandlingCode, RecordKind, Tlp
from kordon.access.models import AgreementScope, AgreementStatus, SharingAgreement, SharingGroup
from kordon.core.models import Agency, Unit

# The codes of each marking, once: `Choices.values` builds its list (with the labels) at every
# call, and the markings of every seizure of an import or a change set are checked.
_TLPS = frozenset(Tlp.values)
_HANDLING_CODES = frozenset(HandlingCode.values)
_DISTRIBUTIONS = frozenset(Distribution.values)
_GRADING_CODES: dict[str, tuple[list[str], list[str]]] = {
    scheme.value: (sources.values, information.values)
    for scheme, (sources, information) in GRADING_CHOICES.items()
}


def node_grading_scheme() -> str:
    return str(settings.KORDON_GRADING_SCHEME)


def marking_problems(
    *,
    tlp: int,
    handling_code: str,
    handling_note: str,
    distribution: int,
    sharing_group_id: int | None,
    grading_scheme: str,
    source_reliability: str,
    information_credibility: str,
) -> dict[str, str]:
    """What is wrong with a record's markings, by field; empty when they are sound."""
    problems: dict[str, str] = {}
    if tlp not in _TLPS:
        problems["tlp"] = _("Choose a TLP level.")
    if handling_code not in _HANDLING_CODES:
        problems["handling_code"] = _("Choose a handling code from H0 to H3.")
    elif handling_code == HandlingCode.H3 and not handling_note.strip():
        problems["handling_note"] = _("H3 needs the restrictions written out.")
    if distribution not in _DISTRIBUTIONS:
        problems["distribution"] = _("Choose who the record is for.")
    elif distribution == Distribution.GROUP:
        if sharing_group_id is None:
            problems["sharing_group"] = _("Name the sharing group the record is for.")
        elif not SharingGroup.objects.filter(pk=sharing_group_id, active=True).exists():
            problems["sharing_group"] = _("This sharing group does not exist or is no longer active.")
    elif sharing_group_id is not None:
        problems["sharing_group"] = _("A sharing group is named only with the distribution 'sharing group'.")
    if distribution == Distribution.ALL and tlp > Tlp.GREEN:
        problems["distribution"] = _("Only TLP:CLEAR and TLP:GREEN records can go to all members.")
    if grading_scheme not in _GRADING_CODES:
        problems["grading_scheme"] = _("Unknown grading scheme.")
    else:
        source_codes, information_codes = _GRADING_CODES[grading_scheme]
        if source_reliability and source_reliability not in source_codes:
            problems["source_reliability"] = _("Use one of %(codes)s.") % {"codes": ", ".join(source_codes)}
        if information_credibility and information_credibility not in information_codes:
            problems["information_credibility"] = _("Use one of %(codes)s.") % {
                "codes": ", ".join(information_codes)
            }
    return problems


@dataclass
class AgreementData:
    title: str
    parties: list[int]
    record_kinds: list[str]
    tlp_ceiling: int
    valid_from: datetime.date
    scope: str = AgreementScope.RECORDS
    valid_to: datetime.date | None = None
    status: str = AgreementStatus.DRAFT
    document_reference: str = ""
    note: str = ""


def require_unit(actor: Any, unit_id: int, action: str) -> None:
    """Refuse when `actor` may not `action` records of the unit `unit_id` (a service's first line)."""
    if not policy.may_act_in_unit(actor, unit_id, action):
        raise PermissionDenied(_("You may not do this for this unit."))


def plain_markings(*, tlp: int, handling_code: str, distribution: int) -> dict[str, Any]:
    """Markings without a sharing group, grading or handling note (lists, profiles, consignments),
    checked; raises ValidationError naming the field that is wrong."""
    problems = marking_problems(
        tlp=tlp,
        handling_code=handling_code,
        handling_note="",
        distribution=distribution,
        sharing_group_id=None,
        grading_scheme=node_grading_scheme(),
        source_reliability="",
        information_credibility="",
    )
    if problems:
        raise ValidationError(problems)
    return {
        "tlp": tlp,
        "handling_code": handling_code,
        "distribution": distribution,
        "grading_scheme": node_grading_scheme(),
    }


def _require_node_admin(actor: Any) -> None:
    scope = policy.scope_for(actor)
    if scope is None or not scope.is_node_admin:
        raise PermissionDenied(_("Only the node administrator manages agreements and sharing groups."))


def _agreement_snapshot(agreement: SharingAgreement) -> dict[str, Any]:
    data = snapshot(agreement)
    data["parties"] = sorted(agreement.parties.values_list("pk", flat=True))
    return data


def agreement_problems(data: AgreementData) -> dict[str, str]:
    """What is wrong with an agreement, by field; the API, the service and the admin page all ask here."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Give the agreement a title.")
    parties = set(data.parties)
    if len(parties) < 2:
        errors["parties"] = _("An agreement binds at least two agencies.")
    elif Agency.objects.filter(pk__in=parties).count() != len(parties):
        errors["parties"] = _("One of the parties is not a known agency.")
    unknown = sorted(set(data.record_kinds) - set(RecordKind.values))
    if not data.record_kinds:
        errors["record_kinds"] = _("Name at least one kind of record that flows.")
    elif unknown:
        errors["record_kinds"] = _("Unknown record kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}
    if data.tlp_ceiling not in Tlp.values:
        errors["tlp_ceiling"] = _("Choose the highest TLP that may flow.")
    if data.scope not in AgreementScope.values:
        errors["scope"] = _("Choose whether whole records or only statistics flow.")
    if data.status not in AgreementStatus.values:
        errors["status"] = _("Unknown status.")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        errors["valid_to"] = _("The agreement cannot end before it starts.")
    return errors


@transaction.atomic
def agreement_save(*, actor: Any, data: AgreementData, agreement_id: int | None = None) -> SharingAgreement:
    """Create or change an agreement (node administrators only)."""
    _require_node_admin(actor)
    problems = agreement_problems(data)
    if problems:
        raise ValidationError(problems)
    if agreement_id is None:
        agreement = SharingAgreement()
        before = None
    else:
        agreement = SharingAgreement.objects.select_for_update().get(pk=agreement_id)
        before = _agreement_snapshot(agreement)
    for name in (
        "title",
        "record_kinds",
        "tlp_ceiling",
        "valid_from",
        "scope",
        "valid_to",
        "status",
        "document_reference",
        "note",
    ):
        setattr(agreement, name, getattr(data, name))
    agreement.save()
    agreement.parties.set(sorted(set(data.parties)))
    audit_log(
        actor=actor,
        action=CREATE if before is None else UPDATE,
        instance=agreement,
        before=before,
        after=_agreement_snapshot(agreement),
    )
    policy.forget_scope(actor)
    return agreement


@transaction.atomic
def agreement_set_status(*, actor: Any, agreement_id: int, status: str) -> SharingAgreement:
    """Activate, suspend or expire an agreement; the flow follows at the next request."""
    _require_node_admin(actor)
    if status not in AgreementStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement_id)
    before = _agreement_snapshot(agreement)
    agreement.status = status
    agreement.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor, action=UPDATE, instance=agreement, before=before, after=_agreement_snapshot(agreement)
    )
    policy.forget_scope(actor)
    return agreement


@dataclass
class GroupData:
    name: str
    units: list[int] = field(default_factory=list)
    agencies: list[int] = field(default_factory=list)
    description: str = ""
    releasability: str = ""
    active: bool = True


def _group_snapshot(group: SharingGroup) -> dict[str, Any]:
    data = snapshot(group)
    data["units"] = sorted(group.units.values_list("pk", flat=True))
    data["agencies"] = sorted(group.agencies.values_list("pk", flat=True))
    return data


@transaction.atomic
def group_save(*, actor: Any, data: GroupData, group_id: int | None = None) -> SharingGroup:
    """Create or change a sharing group (node administrators only)."""
    _require_node_admin(actor)
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("Give the group a name.")
    elif SharingGroup.objects.filter(name=data.name.strip()).exclude(pk=group_id or 0).exists():
        errors["name"] = _("Another sharing group already has this name.")
    if not data.units and not data.agencies:
        errors["units"] = _("A group needs at least one unit or agency.")
    if Unit.objects.filter(pk__in=data.units).count() != len(set(data.units)):
        errors["units"] = _("One of the units is not known.")
    if Agency.objects.filter(pk__in=data.agencies).count() != len(set(data.agencies)):
        errors["agencies"] = _("One of the agencies is not known.")
    if errors:
        raise ValidationError(errors)
    if group_id is None:
        group = SharingGroup()
        before = None
    else:
        group = SharingGroup.objects.select_for_update().get(pk=group_id)
        before = _group_snapshot(group)
    group.name = data.name.strip()
    group.description = data.description
    group.releasability = data.releasability
    group.active = data.active
    group.save()
    group.units.set(sorted(set(data.units)))
    group.agencies.set(sorted(set(data.agencies)))
    audit_log(
        actor=actor,
        action=CREATE if before is None else UPDATE,
        instance=group,
        before=before,
        after=_group_snapshot(group),
    )
    policy.forget_scope(actor)
    return group
