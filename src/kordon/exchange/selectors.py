"""Reads of the exchange. Every selector starts from the restricted queryset."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kordon.access import policy
from kordon.access.audit import VIEW, audit_log
from kordon.access.models import SharingAgreement
from kordon.access.selectors import agreement_list
from kordon.exchange.models import (
    OPEN_REQUEST_STATES,
    Alert,
    AlertRecipient,
    AlertSeizure,
    Attachment,
    InformationRequest,
    RequestState,
)
from kordon.seizures.models import Seizure, SeizureItem

INBOX = "inbox"
SENT = "sent"
BOXES = (INBOX, SENT)


def _my_units(user: Any) -> list[int]:
    scope = policy.scope_for(user)
    return sorted(scope.roles) if scope is not None else []


def alert_list(
    *, user: Any, box: str = INBOX, state: str | None = None, q: str | None = None
) -> QuerySet[Alert]:
    """Alerts the user may see: addressed to their units (inbox) or sent by them (sent)."""
    alerts = Alert.objects.restrict(user, policy.VIEW)
    units = _my_units(user)
    if box == INBOX:
        alerts = alerts.filter(Alert.recipient_filter(units))
    elif box == SENT:
        alerts = alerts.filter(owner_unit_id__in=units)
    if state:
        alerts = alerts.filter(state=state)
    if q:
        text = q.strip()
        alerts = alerts.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(vehicle_plate__icontains=text.replace(" ", "").upper())
            | Q(container_number__icontains=text.replace(" ", "").upper())
            | Q(person_name__icontains=text)
        )
    return alerts.select_related("owner_unit").order_by("-sent_at", "-id")


def alert_detail(*, user: Any, alert_id: int, after_write: bool = False) -> Alert:
    """One alert in full; the read is audited and marks it read for the user's recipient units.
    `after_write`: the alert as it stands after the user's own change, which its audit line
    already records, so the echo is neither audited again nor taken as a reading."""
    alert = (
        Alert.objects.restrict(user, policy.VIEW)
        .select_related("owner_unit", "owner_agency", "sent_by", "acknowledged_by", "sharing_group")
        .get(pk=alert_id)
    )
    if after_write:
        return alert
    with transaction.atomic():
        audit_log(actor=user, action=VIEW, instance=alert)
        AlertRecipient.objects.filter(alert=alert, unit_id__in=_my_units(user), read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return alert


def alert_recipients(alert: Alert) -> QuerySet[AlertRecipient]:
    """The addressees of an alert the caller has already read through the policy."""
    return alert.recipients.select_related("unit", "unit__agency", "agreement").order_by("unit__code")


def alert_seizures(*, user: Any, alert: Alert) -> QuerySet[Seizure]:
    """Seizures linked to the alert, as far as the user may see them."""
    return (
        Seizure.objects.restrict(user, policy.VIEW)
        .filter(alert_links__alert=alert)
        .prefetch_related("items__substance")
        .order_by("-occurred_on")
    )


def alerts_for_seizure(*, user: Any, seizure: Seizure) -> QuerySet[Alert]:
    """The alerts the user may see that led to a seizure (the seizure was read through the policy)."""
    return (
        Alert.objects.restrict(user, policy.VIEW)
        .filter(seizure_links__seizure=seizure)
        .select_related("owner_unit")
    )


def request_list(*, user: Any, box: str = INBOX, state: str | None = None) -> QuerySet[InformationRequest]:
    requests = InformationRequest.objects.restrict(user, policy.VIEW)
    units = _my_units(user)
    if box == INBOX:
        requests = requests.filter(to_unit_id__in=units)
    elif box == SENT:
        requests = requests.filter(owner_unit_id__in=units)
    if state:
        requests = requests.filter(state=state)
    return requests.select_related("owner_unit", "to_unit").order_by("deadline", "-id")


def request_detail(*, user: Any, request_id: int, after_write: bool = False) -> InformationRequest:
    """One request in full; the read is audited and marks it read for its addressee. For
    `after_write` see alert_detail."""
    rfi = (
        InformationRequest.objects.restrict(user, policy.VIEW)
        .select_related("owner_unit", "owner_agency", "to_unit", "to_unit__agency", "sent_by", "agreement")
        .get(pk=request_id)
    )
    if after_write:
        return rfi
    with transaction.atomic():
        audit_log(actor=user, action=VIEW, instance=rfi)
        if rfi.to_unit_id in _my_units(user) and rfi.read_at is None:
            InformationRequest.objects.restrict(user, policy.VIEW).filter(pk=rfi.pk).update(
                read_at=timezone.now()
            )
    return rfi


def attachment_get(*, user: Any, token: str) -> Attachment:
    """An attachment, if the user may see the alert or request it belongs to. The download is
    audited as a read of that record."""
    attachment = Attachment.objects.get(token=token)
    parent: Alert | InformationRequest
    if attachment.alert_id is not None:
        parent = Alert.objects.restrict(user, policy.VIEW).get(pk=attachment.alert_id)
    else:
        parent = InformationRequest.objects.restrict(user, policy.VIEW).get(pk=attachment.request_id)
    with transaction.atomic():
        audit_log(actor=user, action=VIEW, instance=parent, after={"attachment": attachment.name})
    return attachment


@dataclass(frozen=True)
class InboxCounts:
    alerts: int
    requests: int

    @property
    def total(self) -> int:
        return self.alerts + self.requests


def inbox_counts(user: Any) -> InboxCounts:
    """Unread alerts and requests addressed to the user's units (that they may see)."""
    units = _my_units(user)
    if not units:
        return InboxCounts(0, 0)
    unread_alerts = AlertRecipient.objects.filter(unit_id__in=units, read_at__isnull=True).values("alert_id")
    alerts = Alert.objects.restrict(user, policy.VIEW).filter(pk__in=unread_alerts).count()
    requests = (
        InformationRequest.objects.restrict(user, policy.VIEW)
        .filter(to_unit_id__in=units, read_at__isnull=True)
        .count()
    )
    return InboxCounts(alerts, requests)


def attention_requests(*, user: Any) -> QuerySet[InformationRequest]:
    """Overdue and refused requests sent or received by the units the user supervises."""
    units = policy.units_for_action(user, policy.AUDIT)
    requests = InformationRequest.objects.restrict(user, policy.VIEW)
    if not isinstance(units, policy.Everything):
        requests = requests.filter(Q(owner_unit_id__in=units) | Q(to_unit_id__in=units))
    today = timezone.localdate()
    return (
        requests.filter(Q(state__in=OPEN_REQUEST_STATES, deadline__lt=today) | Q(state=RequestState.REFUSED))
        .select_related("owner_unit", "to_unit", "agreement")
        .order_by("agreement_id", "deadline")
    )


@dataclass(frozen=True)
class AlertOutcome:
    """Seizures that followed alerts under one agreement. Without an agreement: alerts within
    one agency, or (crossed_agencies) agreements the user's agencies are not party to."""

    agreement: SharingAgreement | None
    seizures: int
    kilograms: Decimal
    crossed_agencies: bool = True


@dataclass(frozen=True)
class AlertOutcomes:
    date_from: datetime.date
    date_to: datetime.date
    rows: list[AlertOutcome]
    total_seizures: int
    total_kilograms: Decimal

    @property
    def alert_seizures(self) -> int:
        return sum(row.seizures for row in self.rows)

    @property
    def alert_kilograms(self) -> Decimal:
        return sum((row.kilograms for row in self.rows), Decimal(0))


def alert_outcomes(*, user: Any, date_from: datetime.date, date_to: datetime.date) -> AlertOutcomes:
    """How many seizures and kilograms followed shared alerts, per agreement, in a period,
    against all seizures in it: over the seizures the user may count (statistics included)."""
    counted = Seizure.objects.for_statistics(user).filter(
        occurred_on__gte=date_from, occurred_on__lte=date_to
    )
    # A seizure counts once, under the agreement its alert crossed to the seizing unit with.
    crossed_under = AlertRecipient.objects.filter(
        alert_id=OuterRef("alert_id"), unit_id=OuterRef("seizure__owner_unit_id")
    ).values("agreement_id")[:1]
    links = (
        AlertSeizure.objects.filter(seizure__in=counted.values("pk"))
        .annotate(agreement_id=Subquery(crossed_under))
        .order_by("seizure_id", "alert_id")
        .values_list("seizure_id", "agreement_id")
    )
    agreement_of: dict[int, int | None] = {}
    for seizure_id, agreement_id in links:
        agreement_of.setdefault(seizure_id, agreement_id)
    kilograms = dict(
        SeizureItem.objects.filter(seizure_id__in=list(agreement_of))
        .values("seizure_id")
        .annotate(kg=Sum("quantity_kg"))
        .values_list("seizure_id", "kg")
    )
    by_agreement: dict[int | None, tuple[int, Decimal]] = {}
    for seizure_id, agreement_id in agreement_of.items():
        count, kg = by_agreement.get(agreement_id, (0, Decimal(0)))
        by_agreement[agreement_id] = (count + 1, kg + (kilograms.get(seizure_id) or Decimal(0)))
    agreements = agreement_list(user=user).in_bulk([key for key in by_agreement if key is not None])
    rows = [
        AlertOutcome(
            agreements.get(key) if key is not None else None, count, kg, crossed_agencies=key is not None
        )
        for key, (count, kg) in sorted(by_agreement.items(), key=lambda item: -item[1][1])
    ]
    total_kg = SeizureItem.objects.filter(seizure__in=counted.values("pk")).aggregate(kg=Sum("quantity_kg"))[
        "kg"
    ]
    return AlertOutcomes(
        date_from=date_from,
        date_to=date_to,
        rows=rows,
        total_seizures=counted.count(),
        total_kilograms=total_kg or Decimal(0),
    )
