"""REST API of the exchange: alerts, requests for information and their state transitions, the
inbox, and what followed shared alerts. Thin: selectors and services decide."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from kordon.access.schemas import Markings, MarkingsOut, markings_out
from kordon.core.models import Unit
from kordon.core.schemas import Message, ValidationErrors, invalid
from kordon.exchange import selectors, services
from kordon.exchange.models import Alert, AlertState, AlertSubject, InformationRequest, Priority

router = Router(tags=["alerts and requests"])
RecordId = Annotated[int, Field(ge=1, le=2**62)]
NO_NUL = r"^[^\x00]*$"
UnitCode = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
NOT_FOUND = "There is no such record, or it is not shared with you."


class AlertIn(Schema):
    from_unit: UnitCode = Field(description="code of your sending unit")
    to_units: list[UnitCode] = Field(min_length=1, max_length=50, description="codes of the recipient units")
    subject_kind: AlertSubject
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    details: Text = ""
    person_name: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""
    vehicle_plate: Annotated[str, StringConstraints(max_length=20, pattern=NO_NUL)] = ""
    container_number: Annotated[str, StringConstraints(max_length=15, pattern=NO_NUL)] = ""
    route: Short = ""
    priority: Priority = Priority.NORMAL
    valid_until: datetime.date
    markings: Markings = Markings()


class RecipientOut(Schema):
    unit: str
    agreement: int | None
    read_at: datetime.datetime | None


class AlertOut(Schema):
    id: int
    reference: str
    from_unit: str
    subject_kind: str
    title: str
    details: str
    person_name: str
    vehicle_plate: str
    container_number: str
    route: str
    priority: str
    valid_from: datetime.date
    valid_until: datetime.date
    state: str
    sent_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    outcome_note: str
    recipients: list[RecipientOut]
    seizures: list[int] = Field(description="ids of the resulting seizures you may see")
    markings: MarkingsOut


class AlertSummary(Schema):
    id: int
    reference: str
    from_unit: str
    title: str
    priority: str
    valid_until: datetime.date
    state: str
    markings: MarkingsOut


class OutcomeIn(Schema):
    state: AlertState = Field(description="acted_on or no_result")
    note: Text = ""


class LinkIn(Schema):
    seizure: RecordId


class RequestIn(Schema):
    from_unit: UnitCode
    to_unit: UnitCode
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    questions: Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=NO_NUL)]
    deadline: datetime.date
    priority: Priority = Priority.NORMAL
    markings: Markings = Markings()


class AnswerOut(Schema):
    text: str
    unit: str
    at: datetime.datetime


class RequestOut(Schema):
    id: int
    reference: str
    from_unit: str
    to_unit: str
    agreement: int | None
    subject: str
    questions: str
    deadline: datetime.date
    overdue: bool
    priority: str
    state: str
    refusal_reason: str
    sent_at: datetime.datetime
    answers: list[AnswerOut]
    markings: MarkingsOut


class RequestSummary(Schema):
    id: int
    reference: str
    from_unit: str
    to_unit: str
    subject: str
    deadline: datetime.date
    overdue: bool
    state: str


class AnswerIn(Schema):
    text: Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=NO_NUL)]


class RefuseIn(Schema):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=20000, pattern=NO_NUL)]


class InboxOut(Schema):
    unread_alerts: int
    unread_requests: int
    alerts: list[AlertSummary]
    requests: list[RequestSummary]


class OutcomeRow(Schema):
    agreement: int | None
    agreement_title: str
    seizures: int
    kilograms: float


class OutcomesOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    seizures_after_alerts: int
    kilograms_after_alerts: float
    seizures_total: int
    kilograms_total: float
    by_agreement: list[OutcomeRow]


class BoxQuery(Schema):
    box: Annotated[str, StringConstraints(pattern=r"^(inbox|sent|all)$")] = "inbox"
    state: str | None = Field(None, max_length=20, pattern=r"^[a-z_]*$")


class PeriodQuery(Schema):
    date_from: datetime.date
    date_to: datetime.date


def _unit_id(code: str, field: str) -> int:
    unit_id = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
    if unit_id is None:
        raise ValidationError({field: [f"Unknown unit code {code!r}; see /api/v1/units."]})
    return int(unit_id)


def _alert_summary(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "reference": alert.reference,
        "from_unit": alert.owner_unit.code,
        "title": alert.title,
        "priority": alert.priority,
        "valid_until": alert.valid_until,
        "state": alert.state,
        "markings": markings_out(alert),
    }


def _alert_out(user: Any, alert: Alert) -> dict[str, Any]:
    return {
        **_alert_summary(alert),
        "subject_kind": alert.subject_kind,
        "details": alert.details,
        "person_name": alert.person_name,
        "vehicle_plate": alert.vehicle_plate,
        "container_number": alert.container_number,
        "route": alert.route,
        "valid_from": alert.valid_from,
        "sent_at": alert.sent_at,
        "acknowledged_at": alert.acknowledged_at,
        "closed_at": alert.closed_at,
        "outcome_note": alert.outcome_note,
        "recipients": [
            {"unit": recipient.unit.code, "agreement": recipient.agreement_id, "read_at": recipient.read_at}
            for recipient in selectors.alert_recipients(alert)
        ],
        "seizures": [seizure.pk for seizure in selectors.alert_seizures(user=user, alert=alert)],
    }


def _request_summary(rfi: InformationRequest) -> dict[str, Any]:
    return {
        "id": rfi.pk,
        "reference": rfi.reference,
        "from_unit": rfi.owner_unit.code,
        "to_unit": rfi.to_unit.code,
        "subject": rfi.subject,
        "deadline": rfi.deadline,
        "overdue": rfi.is_overdue(),
        "state": rfi.state,
    }


def _request_out(rfi: InformationRequest) -> dict[str, Any]:
    return {
        **_request_summary(rfi),
        "agreement": rfi.agreement_id,
        "questions": rfi.questions,
        "priority": rfi.priority,
        "refusal_reason": rfi.refusal_reason,
        "sent_at": rfi.sent_at,
        "answers": [
            {"text": a.text, "unit": a.unit.code, "at": a.at} for a in rfi.answers.select_related("unit")
        ],
        "markings": markings_out(rfi),
    }


def _run(call: Any) -> Any:
    """Run a service; turn its refusals into the API's answers."""
    try:
        return call()
    except (Alert.DoesNotExist, InformationRequest.DoesNotExist):
        raise HttpError(404, NOT_FOUND) from None
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Not allowed.") from None


@router.get("/alerts", response=list[AlertSummary])
def list_alerts(request: HttpRequest, query: Query[BoxQuery]) -> Any:
    """Alerts you may see: received by your units (`inbox`), sent by them (`sent`) or `all`."""
    alerts = selectors.alert_list(user=request.user, box=query.box, state=query.state)[:500]
    return [_alert_summary(alert) for alert in alerts]


@router.post("/alerts", response={201: AlertOut, 403: Message, 422: ValidationErrors})
def create_alert(request: HttpRequest, payload: AlertIn) -> Any:
    """Send an alert. Another agency's unit can receive it only under an agreement in force that
    covers alerts up to the alert's TLP."""
    try:
        data = services.AlertData(
            subject_kind=payload.subject_kind,
            title=payload.title,
            details=payload.details,
            person_name=payload.person_name,
            vehicle_plate=payload.vehicle_plate,
            container_number=payload.container_number,
            route=payload.route,
            priority=payload.priority,
            valid_until=payload.valid_until,
            markings=services.Markings(**payload.markings.as_service_values()),
        )
        alert = _run(
            lambda: services.alert_send(
                actor=request.user,
                sender_unit_id=_unit_id(payload.from_unit, "from_unit"),
                recipient_unit_ids=[_unit_id(code, "to_units") for code in payload.to_units],
                data=data,
            )
        )
    except ValidationError as error:
        return invalid(error)
    return Status(
        201,
        _alert_out(
            request.user, selectors.alert_detail(user=request.user, alert_id=alert.pk, after_write=True)
        ),
    )


@router.get("/alerts/{alert_id}", response={200: AlertOut, 404: Message})
def get_alert(request: HttpRequest, alert_id: RecordId) -> Any:
    alert = _run(lambda: selectors.alert_detail(user=request.user, alert_id=alert_id))
    return _alert_out(request.user, alert)


def _alert_transition(request: HttpRequest, alert_id: int, call: Any) -> Any:
    try:
        _run(call)
    except ValidationError as error:
        return invalid(error)
    alert = _run(lambda: selectors.alert_detail(user=request.user, alert_id=alert_id, after_write=True))
    return _alert_out(request.user, alert)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, 403: Message, 404: Message, 422: ValidationErrors},
)
def acknowledge_alert(request: HttpRequest, alert_id: RecordId) -> Any:
    return _alert_transition(
        request, alert_id, lambda: services.alert_acknowledge(actor=request.user, alert_id=alert_id)
    )


@router.post(
    "/alerts/{alert_id}/outcome", response={200: AlertOut, 403: Message, 404: Message, 422: ValidationErrors}
)
def close_alert(request: HttpRequest, alert_id: RecordId, payload: OutcomeIn) -> Any:
    """Record the outcome: `acted_on` or `no_result`."""
    return _alert_transition(
        request,
        alert_id,
        lambda: services.alert_close(
            actor=request.user, alert_id=alert_id, state=payload.state, note=payload.note
        ),
    )


@router.post(
    "/alerts/{alert_id}/seizures", response={200: AlertOut, 403: Message, 404: Message, 422: ValidationErrors}
)
def link_seizure(request: HttpRequest, alert_id: RecordId, payload: LinkIn) -> Any:
    """Link a seizure your unit recorded to the alert it followed."""
    return _alert_transition(
        request,
        alert_id,
        lambda: services.alert_link_seizure(
            actor=request.user, alert_id=alert_id, seizure_id=payload.seizure
        ),
    )


@router.get("/rfis", response=list[RequestSummary])
def list_requests(request: HttpRequest, query: Query[BoxQuery]) -> Any:
    """Requests for information you may see: received (`inbox`), sent (`sent`) or `all`."""
    requests = selectors.request_list(user=request.user, box=query.box, state=query.state)[:500]
    return [_request_summary(rfi) for rfi in requests]


@router.get("/rfis/attention", response=list[RequestSummary])
def attention_requests(request: HttpRequest) -> Any:
    """Overdue and refused requests of the units you supervise."""
    return [_request_summary(rfi) for rfi in selectors.attention_requests(user=request.user)[:500]]


@router.post("/rfis", response={201: RequestOut, 403: Message, 422: ValidationErrors})
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    try:
        rfi = _run(
            lambda: services.request_send(
                actor=request.user,
                sender_unit_id=_unit_id(payload.from_unit, "from_unit"),
                to_unit_id=_unit_id(payload.to_unit, "to_unit"),
                data=services.RequestData(
                    subject=payload.subject,
                    questions=payload.questions,
                    deadline=payload.deadline,
                    priority=payload.priority,
                    markings=services.Markings(**payload.markings.as_service_values()),
                ),
            )
        )
    except ValidationError as error:
        return invalid(error)
    return Status(
        201, _request_out(selectors.request_detail(user=request.user, request_id=rfi.pk, after_write=True))
    )


@router.get("/rfis/{request_id}", response={200: RequestOut, 404: Message})
def get_request(request: HttpRequest, request_id: RecordId) -> Any:
    return _request_out(_run(lambda: selectors.request_detail(user=request.user, request_id=request_id)))


def _request_transition(request: HttpRequest, request_id: int, call: Any) -> Any:
    try:
        _run(call)
    except ValidationError as error:
        return invalid(error)
    rfi = _run(lambda: selectors.request_detail(user=request.user, request_id=request_id, after_write=True))
    return _request_out(rfi)


RFI_RESPONSES = {200: RequestOut, 403: Message, 404: Message, 422: ValidationErrors}


@router.post("/rfis/{request_id}/acknowledge", response=RFI_RESPONSES)
def acknowledge_request(request: HttpRequest, request_id: RecordId) -> Any:
    return _request_transition(
        request, request_id, lambda: services.request_acknowledge(actor=request.user, request_id=request_id)
    )


@router.post("/rfis/{request_id}/answer", response=RFI_RESPONSES)
def answer_request(request: HttpRequest, request_id: RecordId, payload: AnswerIn) -> Any:
    return _request_transition(
        request,
        request_id,
        lambda: services.request_answer(actor=request.user, request_id=request_id, text=payload.text),
    )


@router.post("/rfis/{request_id}/refuse", response=RFI_RESPONSES)
def refuse_request(request: HttpRequest, request_id: RecordId, payload: RefuseIn) -> Any:
    return _request_transition(
        request,
        request_id,
        lambda: services.request_refuse(actor=request.user, request_id=request_id, reason=payload.reason),
    )


@router.post("/rfis/{request_id}/close", response=RFI_RESPONSES)
def close_request(request: HttpRequest, request_id: RecordId) -> Any:
    return _request_transition(
        request, request_id, lambda: services.request_close(actor=request.user, request_id=request_id)
    )


@router.post("/rfis/{request_id}/remind", response=RFI_RESPONSES)
def remind_request(request: HttpRequest, request_id: RecordId) -> Any:
    return _request_transition(
        request, request_id, lambda: services.request_remind(actor=request.user, request_id=request_id)
    )


@router.get("/inbox", response=InboxOut)
def inbox(request: HttpRequest) -> Any:
    """What your units received: unread counts and the latest alerts and requests."""
    counts = selectors.inbox_counts(request.user)
    return {
        "unread_alerts": counts.alerts,
        "unread_requests": counts.requests,
        "alerts": [_alert_summary(alert) for alert in selectors.alert_list(user=request.user)[:50]],
        "requests": [_request_summary(rfi) for rfi in selectors.request_list(user=request.user)[:50]],
    }


@router.get("/alert-outcomes", response=OutcomesOut)
def alert_outcomes(request: HttpRequest, query: Query[PeriodQuery]) -> Any:
    """Seizures and kilograms that followed shared alerts in a period, per agreement, against all
    seizures you may count in it."""
    outcomes = selectors.alert_outcomes(user=request.user, date_from=query.date_from, date_to=query.date_to)
    return {
        "date_from": outcomes.date_from,
        "date_to": outcomes.date_to,
        "seizures_after_alerts": outcomes.alert_seizures,
        "kilograms_after_alerts": float(outcomes.alert_kilograms),
        "seizures_total": outcomes.total_seizures,
        "kilograms_total": float(outcomes.total_kilograms),
        "by_agreement": [
            {
                "agreement": row.agreement.pk if row.agreement else None,
                "agreement_title": row.agreement.title if row.agreement else "",
                "seizures": row.seizures,
                "kilograms": float(row.kilograms),
            }
            for row in outcomes.rows
        ],
    }
