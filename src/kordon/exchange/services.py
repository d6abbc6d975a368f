"""Writes of the exchange: sending, acknowledging and closing alerts; sending, answering,
refusing and closing requests for information; attachments; expiry and reminders.

Every service takes the acting user, runs in one transaction and audits. A record the actor
cannot see is reported as missing (DoesNotExist), exactly like one that does not exist.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, RecordKind, Tlp
from kordon.access.services import marking_problems, node_grading_scheme
from kordon.core.models import Unit
from kordon.exchange import notifications
from kordon.exchange.models import (
    OPEN_ALERT_STATES,
    OPEN_REQUEST_STATES,
    Alert,
    AlertRecipient,
    AlertSeizure,
    AlertState,
    AlertSubject,
    Answer,
    Attachment,
    InformationRequest,
    Priority,
    RequestState,
)
from kordon.seizures import rules
from kordon.seizures.models import Seizure

SEND = "send"
ACKNOWLEDGE = "acknowledge"
ANSWER = "answer"
CLOSE = "close"
REFUSE = "refuse"
REMIND = "remind"
LINK = "link"

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass
class Markings:
    tlp: int = Tlp.AMBER
    handling_code: str = HandlingCode.H0
    handling_note: str = ""
    distribution: int = Distribution.AGENCY
    sharing_group_id: int | None = None
    source_reliability: str = ""
    information_credibility: str = ""
    grading_scheme: str = field(default_factory=node_grading_scheme)


@dataclass
class AlertData:
    subject_kind: str
    title: str
    valid_until: datetime.date
    details: str = ""
    person_name: str = ""
    vehicle_plate: str = ""
    container_number: str = ""
    route: str = ""
    priority: str = Priority.NORMAL
    valid_from: datetime.date | None = None
    markings: Markings = field(default_factory=Markings)


@dataclass
class RequestData:
    subject: str
    questions: str
    deadline: datetime.date
    priority: str = Priority.NORMAL
    markings: Markings = field(default_factory=Markings)


def _marking_errors(markings: Markings) -> dict[str, str]:
    return marking_problems(
        tlp=markings.tlp,
        handling_code=markings.handling_code,
        handling_note=markings.handling_note,
        distribution=markings.distribution,
        sharing_group_id=markings.sharing_group_id,
        grading_scheme=markings.grading_scheme,
        source_reliability=markings.source_reliability,
        information_credibility=markings.information_credibility,
    )


def _apply_markings(record: Any, markings: Markings) -> None:
    for name in (
        "tlp",
        "handling_code",
        "handling_note",
        "distribution",
        "sharing_group_id",
        "source_reliability",
        "information_credibility",
        "grading_scheme",
    ):
        setattr(record, name, getattr(markings, name))


def _sender_unit(actor: Any, unit_id: int) -> Unit:
    if not policy.may_act_in_unit(actor, unit_id, policy.ADD):
        raise PermissionDenied(_("You cannot send on behalf of this unit."))
    return Unit.objects.select_related("agency").get(pk=unit_id)


def _crossing_agreement(sender: Unit, recipient: Unit, kind: str, tlp: int) -> int | None:
    """The agreement that lets a record of `kind` at `tlp` go from the sender's agency to the
    recipient's; None within one agency. Raises ValidationError when nothing covers it."""
    if sender.agency_id == recipient.agency_id:
        return None
    agreement_id = policy.agreement_covering(sender.agency_id, recipient.agency_id, kind, tlp)
    if agreement_id is None:
        raise ValidationError(
            {
                "recipients": _(
                    "No agreement in force between %(sender)s and %(recipient)s covers %(kind)s at %(tlp)s."
                )
                % {
                    "sender": sender.agency.label,
                    "recipient": recipient.agency.label,
                    "kind": RecordKind(kind).label,
                    "tlp": Tlp(tlp).label,
                }
            }
        )
    return agreement_id


def _locked(model: Any, actor: Any, record_id: int) -> Any:
    """The record, locked for the change, if the actor may see it; otherwise DoesNotExist."""
    record = model.objects.restrict(actor, policy.VIEW).select_for_update().filter(pk=record_id).first()
    if record is None:
        raise model.DoesNotExist
    return record


def _member_of(actor: Any, unit_ids: list[int]) -> int | None:
    """The first of `unit_ids` where the actor may act (add and change records), or None."""
    for unit_id in unit_ids:
        if policy.may_act_in_unit(actor, unit_id, policy.ADD):
            return unit_id
    return None


def _next_reference(record: Any, code: str) -> str:
    return f"{record.owner_agency.code}-{code}-{record.pk:06d}"


# --- alerts -----------------------------------------------------------------------------------


@transaction.atomic
def alert_send(*, actor: Any, sender_unit_id: int, recipient_unit_ids: list[int], data: AlertData) -> Alert:
    """Send an alert from a unit to one or more units. Another agency's unit receives it only
    under an agreement in force that covers alerts up to the alert's TLP."""
    sender = _sender_unit(actor, sender_unit_id)
    errors: dict[str, str] = dict(_marking_errors(data.markings))
    if data.subject_kind not in AlertSubject.values:
        errors["subject_kind"] = _("Say what the alert is about.")
    if not data.title.strip():
        errors["title"] = _("Give the alert a short title.")
    if data.priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    today = timezone.localdate()
    valid_from = data.valid_from or today
    if data.valid_until < valid_from:
        errors["valid_until"] = _("The alert must be valid until a day after it starts.")
    if data.container_number:
        data.container_number = rules.normalise_container(data.container_number)
        problem = rules.check_container(data.container_number)
        if problem:
            errors["container_number"] = problem
    data.vehicle_plate = rules.normalise_plate(data.vehicle_plate)
    recipients = list(Unit.objects.select_related("agency").filter(pk__in=set(recipient_unit_ids)))
    if not recipients or len(recipients) != len(set(recipient_unit_ids)):
        errors["recipients"] = _("Choose the units the alert is for.")
    elif sender.pk in {unit.pk for unit in recipients}:
        errors["recipients"] = _("A unit does not send alerts to itself.")
    if errors:
        raise ValidationError(errors)
    agreements = {
        unit.pk: _crossing_agreement(sender, unit, RecordKind.ALERTS, data.markings.tlp)
        for unit in recipients
    }
    alert = Alert(
        owner_unit=sender,
        owner_agency_id=sender.agency_id,
        reference=secrets.token_hex(8),
        subject_kind=data.subject_kind,
        title=data.title.strip(),
        details=data.details,
        person_name=data.person_name.strip(),
        vehicle_plate=data.vehicle_plate,
        container_number=data.container_number,
        route=data.route,
        priority=data.priority,
        valid_from=valid_from,
        valid_until=data.valid_until,
        sent_by=actor,
    )
    _apply_markings(alert, data.markings)
    alert.save()
    alert.reference = _next_reference(alert, "AL")
    alert.save(update_fields=["reference"])
    AlertRecipient.objects.bulk_create(
        AlertRecipient(alert=alert, unit=unit, agreement_id=agreements[unit.pk]) for unit in recipients
    )
    after = snapshot(alert) | {"recipients": sorted(agreements)}
    audit_log(actor=actor, action=SEND, instance=alert, after=after)
    notifications.alert_sent(alert, [unit.pk for unit in recipients])
    return alert


def _alert_recipient_unit(actor: Any, alert: Alert) -> int:
    unit_id = _member_of(actor, list(alert.recipients.values_list("unit_id", flat=True)))
    if unit_id is None:
        raise PermissionDenied(_("Only the units this alert is addressed to can do this."))
    return unit_id


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int) -> Alert:
    """A recipient confirms the alert was received and is being worked on."""
    alert = _locked(Alert, actor, alert_id)
    unit_id = _alert_recipient_unit(actor, alert)
    if alert.state != AlertState.SENT:
        raise ValidationError(_("This alert is already %(state)s.") % {"state": alert.get_state_display()})
    # Acknowledging is reading: the unit no longer sees the alert as unread.
    alert.recipients.filter(unit_id=unit_id, read_at__isnull=True).update(read_at=timezone.now())
    before = snapshot(alert)
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_log(actor=actor, action=ACKNOWLEDGE, instance=alert, before=before, after=snapshot(alert))
    notifications.alert_changed(alert)
    return alert


@transaction.atomic
def alert_close(*, actor: Any, alert_id: int, state: str, note: str = "") -> Alert:
    """A recipient reports the outcome: acted on (something was found) or no result."""
    alert = _locked(Alert, actor, alert_id)
    _alert_recipient_unit(actor, alert)
    if state not in (AlertState.ACTED_ON, AlertState.NO_RESULT):
        raise ValidationError({"state": _("The outcome is either 'acted on' or 'no result'.")})
    if alert.state not in OPEN_ALERT_STATES:
        raise ValidationError(_("This alert is already %(state)s.") % {"state": alert.get_state_display()})
    before = snapshot(alert)
    alert.state = state
    alert.closed_at = timezone.now()
    alert.outcome_note = note
    alert.save(update_fields=["state", "closed_at", "outcome_note", "updated_at"])
    audit_log(actor=actor, action=CLOSE, instance=alert, before=before, after=snapshot(alert))
    notifications.alert_changed(alert)
    return alert


@transaction.atomic
def alert_link_seizure(*, actor: Any, alert_id: int, seizure_id: int) -> AlertSeizure:
    """Link a seizure the actor's unit recorded to the alert that led to it. The alert becomes
    'acted on'; the sender sees the outcome (and the seizure itself if it is shared with them)."""
    alert = _locked(Alert, actor, alert_id)
    _alert_recipient_unit(actor, alert)
    seizure = Seizure.objects.restrict(actor, policy.CHANGE).filter(pk=seizure_id).first()
    if seizure is None:
        raise ValidationError({"seizure": _("Link a seizure that your unit recorded.")})
    if AlertSeizure.objects.filter(alert=alert, seizure=seizure).exists():
        raise ValidationError({"seizure": _("This seizure is already linked to the alert.")})
    link = AlertSeizure.objects.create(alert=alert, seizure=seizure, linked_by=actor)
    before = snapshot(alert)
    if alert.state in OPEN_ALERT_STATES or alert.state == AlertState.NO_RESULT:
        alert.state = AlertState.ACTED_ON
        alert.closed_at = alert.closed_at or timezone.now()
        alert.save(update_fields=["state", "closed_at", "updated_at"])
    audit_log(
        actor=actor,
        action=LINK,
        instance=alert,
        before=before,
        after=snapshot(alert) | {"seizure_id": seizure.pk, "seizure_reference": seizure.reference},
    )
    notifications.alert_changed(alert)
    return link


@transaction.atomic
def alerts_expire(*, today: datetime.date | None = None) -> int:
    """Alerts still open after their validity end as 'expired' (the daily job). An alert received
    from another node is expired there, by its owner, and the state comes with the next sync."""
    today = today or timezone.localdate()
    expired = 0
    open_alerts = Alert.objects.select_for_update().filter(
        state__in=OPEN_ALERT_STATES, valid_until__lt=today, origin_node=""
    )
    for alert in open_alerts:
        before = snapshot(alert)
        alert.state = AlertState.EXPIRED
        alert.closed_at = timezone.now()
        alert.save(update_fields=["state", "closed_at", "updated_at"])
        audit_log(actor=None, action=CLOSE, instance=alert, before=before, after=snapshot(alert))
        expired += 1
    return expired


# --- requests for information -------------------------------------------------------------------


@transaction.atomic
def request_send(
    *, actor: Any, sender_unit_id: int, to_unit_id: int, data: RequestData
) -> InformationRequest:
    """Send a request for information to one unit, under an agreement when it is in another agency."""
    sender = _sender_unit(actor, sender_unit_id)
    errors: dict[str, str] = dict(_marking_errors(data.markings))
    if not data.subject.strip():
        errors["subject"] = _("Give the request a subject.")
    if not data.questions.strip():
        errors["questions"] = _("Write the questions you need answered.")
    if data.deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if data.priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    recipient = Unit.objects.select_related("agency").filter(pk=to_unit_id).first()
    if recipient is None:
        errors["to_unit"] = _("Choose the unit the request is for.")
    elif recipient.pk == sender.pk:
        errors["to_unit"] = _("A unit does not send requests to itself.")
    if errors:
        raise ValidationError(errors)
    assert recipient is not None
    try:
        agreement_id = _crossing_agreement(sender, recipient, RecordKind.REQUESTS, data.markings.tlp)
    except ValidationError as error:
        raise ValidationError({"to_unit": error.message_dict["recipients"]}) from None
    rfi = InformationRequest(
        owner_unit=sender,
        owner_agency_id=sender.agency_id,
        reference=secrets.token_hex(8),
        subject=data.subject.strip(),
        questions=data.questions,
        to_unit=recipient,
        agreement_id=agreement_id,
        deadline=data.deadline,
        priority=data.priority,
        sent_by=actor,
    )
    _apply_markings(rfi, data.markings)
    rfi.save()
    rfi.reference = _next_reference(rfi, "RFI")
    rfi.save(update_fields=["reference"])
    audit_log(actor=actor, action=SEND, instance=rfi, after=snapshot(rfi))
    notifications.request_sent(rfi)
    return rfi


def _as_recipient(actor: Any, rfi: InformationRequest) -> int:
    if _member_of(actor, [rfi.to_unit_id]) is None:
        raise PermissionDenied(_("Only the unit this request is addressed to can do this."))
    return rfi.to_unit_id


def _as_sender(actor: Any, rfi: InformationRequest) -> None:
    if rfi.origin_node:
        raise PermissionDenied(
            _("This request was received from the node %(node)s: only that node can change it.")
            % {"node": rfi.origin_node}
        )
    if _member_of(actor, [rfi.owner_unit_id]) is None:
        raise PermissionDenied(_("Only the unit that sent this request can do this."))


def _request_transition(actor: Any, rfi: InformationRequest, action: str, state: str, **changes: Any) -> None:
    before = snapshot(rfi)
    rfi.state = state
    for name, value in changes.items():
        setattr(rfi, name, value)
    rfi.save(update_fields=["state", *changes, "updated_at"])
    audit_log(actor=actor, action=action, instance=rfi, before=before, after=snapshot(rfi))


@transaction.atomic
def request_acknowledge(*, actor: Any, request_id: int) -> InformationRequest:
    rfi = _locked(InformationRequest, actor, request_id)
    _as_recipient(actor, rfi)
    if rfi.state != RequestState.SENT:
        raise ValidationError(_("This request is already %(state)s.") % {"state": rfi.get_state_display()})
    now = timezone.now()
    # Acknowledging is reading: the request no longer counts as unread.
    _request_transition(
        actor, rfi, ACKNOWLEDGE, RequestState.ACKNOWLEDGED, acknowledged_at=now, read_at=rfi.read_at or now
    )
    notifications.request_changed(rfi)
    return rfi


@transaction.atomic
def request_answer(*, actor: Any, request_id: int, text: str) -> Answer:
    """The recipient answers; the request is answered (a further answer may follow)."""
    rfi = _locked(InformationRequest, actor, request_id)
    unit_id = _as_recipient(actor, rfi)
    if not text.strip():
        raise ValidationError({"text": _("Write the answer.")})
    if rfi.state not in (*OPEN_REQUEST_STATES, RequestState.ANSWERED):
        raise ValidationError(_("This request is already %(state)s.") % {"state": rfi.get_state_display()})
    answer = Answer.objects.create(request=rfi, text=text, author=actor, unit_id=unit_id)
    now = timezone.now()
    _request_transition(
        actor, rfi, ANSWER, RequestState.ANSWERED, answered_at=now, acknowledged_at=rfi.acknowledged_at or now
    )
    notifications.request_changed(rfi)
    return answer


@transaction.atomic
def request_refuse(*, actor: Any, request_id: int, reason: str) -> InformationRequest:
    rfi = _locked(InformationRequest, actor, request_id)
    _as_recipient(actor, rfi)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the request is refused.")})
    if rfi.state not in OPEN_REQUEST_STATES:
        raise ValidationError(_("This request is already %(state)s.") % {"state": rfi.get_state_display()})
    _request_transition(
        actor, rfi, REFUSE, RequestState.REFUSED, refusal_reason=reason.strip(), closed_at=timezone.now()
    )
    notifications.request_changed(rfi)
    return rfi


@transaction.atomic
def request_close(*, actor: Any, request_id: int) -> InformationRequest:
    """The sender closes the request (answered enough, or no longer needed)."""
    rfi = _locked(InformationRequest, actor, request_id)
    _as_sender(actor, rfi)
    if rfi.state in (RequestState.CLOSED, RequestState.REFUSED):
        raise ValidationError(_("This request is already %(state)s.") % {"state": rfi.get_state_display()})
    _request_transition(actor, rfi, CLOSE, RequestState.CLOSED, closed_at=timezone.now())
    notifications.request_changed(rfi)
    return rfi


@transaction.atomic
def request_remind(*, actor: Any, request_id: int) -> InformationRequest:
    """The sender reminds the recipient of an open request."""
    rfi = _locked(InformationRequest, actor, request_id)
    _as_sender(actor, rfi)
    if rfi.state not in OPEN_REQUEST_STATES:
        raise ValidationError(_("Only an open request can be reminded."))
    before = snapshot(rfi)
    rfi.reminded_at = timezone.now()
    rfi.save(update_fields=["reminded_at"])
    audit_log(actor=actor, action=REMIND, instance=rfi, before=before, after=snapshot(rfi))
    notifications.request_reminder(rfi)
    return rfi


@transaction.atomic
def requests_remind_overdue(*, today: datetime.date | None = None) -> int:
    """The daily job: remind recipients (and tell senders) of requests past their deadline, once a day."""
    today = today or timezone.localdate()
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    overdue = InformationRequest.objects.select_for_update().filter(
        state__in=OPEN_REQUEST_STATES, deadline__lt=today
    )
    reminded = 0
    for rfi in overdue.exclude(reminded_at__gte=start_of_day):
        before = snapshot(rfi)
        rfi.reminded_at = timezone.now()
        rfi.save(update_fields=["reminded_at"])
        audit_log(actor=None, action=REMIND, instance=rfi, before=before, after=snapshot(rfi))
        notifications.request_reminder(rfi)
        reminded += 1
    return reminded


# --- attachments ---------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, actor: Any, upload: UploadedFile, alert_id: int | None = None, request_id: int | None = None
) -> Attachment:
    """Attach a file to an alert or request the actor sends or receives."""
    if (alert_id is None) == (request_id is None):
        raise ValueError("attach to exactly one record")
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("Attachments can be up to 20 MB.")})
    if alert_id is not None:
        alert = _locked(Alert, actor, alert_id)
        units = [alert.owner_unit_id, *alert.recipients.values_list("unit_id", flat=True)]
        parent: Any = alert
    else:
        assert request_id is not None
        rfi = _locked(InformationRequest, actor, request_id)
        units = [rfi.owner_unit_id, rfi.to_unit_id]
        parent = rfi
    if _member_of(actor, units) is None:
        raise PermissionDenied(_("Only the sender and the recipients can attach files."))
    if parent.origin_node:
        raise ValidationError(
            {
                "file": _(
                    "This record came from the node %(node)s, and files do not travel between nodes. "
                    "Describe the file in your answer and send it through your usual channel."
                )
                % {"node": parent.origin_node}
            }
        )
    attachment = Attachment(
        alert_id=alert_id,
        request_id=request_id,
        token=secrets.token_hex(16),
        name=(upload.name or "file")[:200],
        size=upload.size,
        content_type=(upload.content_type or "")[:100],
        uploaded_by=actor,
    )
    attachment.file.save(attachment.token, upload, save=False)
    attachment.save()
    audit_log(
        actor=actor,
        action=CREATE,
        instance=parent,
        after={"attachment": attachment.name, "size": attachment.size},
    )
    return attachment
