"""REST API of programme evaluation: questionnaires, answers, results and training events."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from pydantic import StringConstraints

from kordon.access.audit import VIEW, audit_log
from kordon.core.models import Unit
from kordon.core.schemas import Message, ValidationErrors, invalid, validation_response
from kordon.evaluation import analysis, services
from kordon.evaluation.models import ParticipantSex, Questionnaire, TrainingEvent

router = Router(tags=["evaluation"])
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
NOT_FOUND = {"detail": "Not found."}


class QuestionnaireOut(Schema):
    id: int
    form_id: str
    title: str
    version: int
    informant: str
    items: int
    scoring: str


def _questionnaire_out(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        **{name: getattr(questionnaire, name) for name in ("id", "form_id", "title", "version", "informant")},
        "items": len(questionnaire.items),
        "scoring": questionnaire.scoring.get("name", ""),
    }


@router.get("/questionnaires", response=list[QuestionnaireOut])
def list_questionnaires(request: HttpRequest) -> Any:
    return [_questionnaire_out(q) for q in Questionnaire.objects.restrict(request.user)]


class EvaluationProblem(Schema):
    row: int
    column: str
    message: str


class QuestionnaireProblems(Schema):
    detail: str
    problems: list[EvaluationProblem]


@router.post(
    "/questionnaires",
    response={201: QuestionnaireOut, 403: Message, 422: QuestionnaireProblems | ValidationErrors},
)
def upload_questionnaire(request: HttpRequest, owner_unit: Form[Code], file: File[UploadedFile]) -> Any:
    unit = Unit.objects.select_related("agency").filter(code=owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {owner_unit!r}."]})
    try:
        result = services.questionnaire_import(
            actor=request.user, unit=unit, content=file.read(), file_name=file.name or "form.xlsx"
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    if result.questionnaire is None:
        return Status(
            422, {"detail": "The file was not stored.", "problems": [p.as_dict() for p in result.problems]}
        )
    return Status(201, _questionnaire_out(result.questionnaire))


class QuestionnaireResponseIn(Schema):
    respondent: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f]*$")]
    wave: Literal["pre", "post", "follow_up"]
    answered_on: datetime.date
    site: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""
    answers: dict[Annotated[str, StringConstraints(max_length=40)], float | None] = Field(
        description='The item\'s scoring number ("7") → its value; null: not answered'
    )


class ResponsesIn(Schema):
    responses: list[QuestionnaireResponseIn] = Field(min_length=1, max_length=5000)


class ResponsesOut(Schema):
    saved: int
    problems: list[EvaluationProblem]


@router.post("/questionnaires/{questionnaire_id}/responses", response={200: ResponsesOut, 404: Message})
def add_responses(request: HttpRequest, questionnaire_id: int, payload: ResponsesIn) -> Any:
    """Answer sets, each scored on arrival; a bad one is reported by its position (row 1 is the
    first) and the others are kept."""
    responses = [
        services.ResponseData(number, r.respondent, r.wave, r.answered_on, dict(r.answers), r.site)
        for number, r in enumerate(payload.responses, start=1)
    ]
    try:
        result = services.responses_save(
            actor=request.user, questionnaire_id=questionnaire_id, responses=responses, source="API"
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    return {"saved": result.saved, "problems": [p.as_dict() for p in result.problems]}


class OutcomeOut(Schema):
    name: str
    better_is: str
    n: int | None = None
    pre_mean: float | None = None
    post_mean: float | None = None
    mean_change: float | None = None
    change_ci_low: float | None = None
    change_ci_high: float | None = None
    t: float | None = None
    p_two_tailed: float | None = None
    cohen_dz: float | None = None
    cohen_dav: float | None = None
    hedges_gz: float | None = None


def _finite(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None


@router.get("/questionnaires/{questionnaire_id}/analysis", response={200: list[OutcomeOut], 404: Message})
def questionnaire_analysis(request: HttpRequest, questionnaire_id: int) -> Any:
    """Before/after results per scale (respondents matched by code)."""
    questionnaire = Questionnaire.objects.restrict(request.user).filter(pk=questionnaire_id).first()
    if questionnaire is None:
        return Status(404, NOT_FOUND)
    with transaction.atomic():
        audit_log(actor=request.user, action=VIEW, instance=questionnaire, after={"analysis": True})
    rows = []
    for outcome in analysis.analyse(questionnaire):
        row: dict[str, Any] = {
            "name": outcome.name,
            "better_is": "lower" if outcome.improvement == "decrease" else "higher",
        }
        if outcome.result is not None:
            row |= {
                name: _finite(getattr(outcome.result, name))
                for name in OutcomeOut.model_fields
                if name not in ("name", "better_is", "n")
            }
            row["n"] = outcome.result.n
        rows.append(row)
    return rows


class EventIn(Schema):
    owner_unit: Code
    title: Name
    starts_on: datetime.date
    ends_on: datetime.date
    place: Name
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    organiser: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""
    hours: Annotated[int, Field(ge=0, le=1000)] = 0


class EventOut(Schema):
    id: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    place: str
    country: str
    participants: int


def _event_out(event: TrainingEvent) -> dict[str, Any]:
    return {
        **{name: getattr(event, name) for name in ("id", "title", "starts_on", "ends_on", "place")},
        "country": event.country_id,
        "participants": event.participants.count(),
    }


@router.get("/training-events", response=list[EventOut])
def list_events(request: HttpRequest) -> Any:
    return [_event_out(e) for e in TrainingEvent.objects.restrict(request.user)]


@router.post("/training-events", response={201: EventOut, 403: Message, 422: ValidationErrors})
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    unit = Unit.objects.select_related("agency").filter(code=payload.owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    values = payload.dict(exclude={"owner_unit", "country"})
    try:
        event = services.event_create(
            actor=request.user, unit=unit, data=services.EventData(**values, country_id=payload.country)
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _event_out(event))


class ParticipantIn(Schema):
    name: Name
    sex: Literal[tuple(ParticipantSex.values)]  # type: ignore[valid-type]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    agency: Name


class ParticipantOut(Schema):
    id: int
    name: str
    certificate: str


@router.post(
    "/training-events/{event_id}/participants",
    response={201: ParticipantOut, 404: Message, 422: ValidationErrors},
)
def add_participant(request: HttpRequest, event_id: int, payload: ParticipantIn) -> Any:
    try:
        participant = services.participant_add(
            actor=request.user,
            event_id=event_id,
            data=services.ParticipantData(payload.name, payload.sex, payload.country, payload.agency),
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return Status(
        201, {"id": participant.pk, "name": participant.name, "certificate": participant.certificate}
    )
