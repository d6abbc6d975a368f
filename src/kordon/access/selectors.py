"""Reads of the audit trail, through the audit policy."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kordon.access import policy
from kordon.access.models import AuditEntry, SharingAgreement, SharingGroup


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def audit_entries(*, user: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Audit lines the user may read (node administrators: all; supervisors: their units')."""
    entries = policy.filter_queryset(AuditEntry.objects.all(), policy.audit_filter(user))
    filters = filters or AuditFilters()
    if filters.actor:
        entries = entries.filter(actor_name__icontains=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.date_from:
        entries = entries.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(at__date__lte=filters.date_to)
    return entries.select_related("actor_unit", "object_owner_unit").order_by("-seq")


def audit_entries_of_actor(user: Any) -> QuerySet[AuditEntry]:
    """A user's own trail: everyone may see what they did themselves."""
    if policy.scope_for(user) is None:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(actor_id=user.pk).order_by("-seq")


def record_history(*, object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    """The changes made to one record. Only for a record the caller has already read through the
    policy: the history says no more than the record itself."""
    return AuditEntry.objects.filter(
        object_type=object_type, object_id=object_id, action__in=("create", "update", "delete")
    ).order_by("-seq")


def agreement_list(*, user: Any) -> QuerySet[SharingAgreement]:
    """Agreements the user may read: node administrators all; everyone else those their agencies
    are party to."""
    scope = policy.scope_for(user)
    if scope is None:
        return SharingAgreement.objects.none()
    agreements = SharingAgreement.objects.prefetch_related("parties")
    if not scope.is_node_admin:
        agreements = agreements.filter(parties__in=set(scope.unit_agency.values())).distinct()
    return agreements.order_by("status", "-valid_from", "title")


def sharing_group_list(*, user: Any) -> QuerySet[SharingGroup]:
    """Sharing groups the user may read: node administrators all; others those they belong to."""
    scope = policy.scope_for(user)
    if scope is None:
        return SharingGroup.objects.none()
    groups = SharingGroup.objects.prefetch_related("units", "agencies")
    if not scope.is_node_admin:
        groups = groups.filter(pk__in=scope.groups)
    return groups.order_by("name")


def partner_views(*, user: Any, record: Any) -> QuerySet[AuditEntry]:
    """Which units of other agencies opened a record, for the owner's supervisors (and node
    administrators); nothing for anyone else. The record was read through the policy."""
    units = policy.units_for_action(user, policy.AUDIT)
    if not isinstance(units, policy.Everything) and record.owner_unit_id not in units:
        return AuditEntry.objects.none()
    return (
        AuditEntry.objects.filter(
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
            action="view",
            actor_unit__isnull=False,
        )
        .exclude(actor_unit__agency_id=record.owner_agency_id)
        .select_related("actor_unit", "actor_unit__agency")
        .order_by("-seq")
    )
