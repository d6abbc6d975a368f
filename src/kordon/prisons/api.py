"""REST API of prison security: facilities, framework versions, audits and their answers,
recommendations, incidents and joint operations."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import StringConstraints

from kordon.access.audit import audit_read
from kordon.access.markings import Distribution, Tlp
from kordon.core.models import Agency, Unit
from kordon.core.schemas import Message, ValidationErrors, invalid, one_of, validation_response
from kordon.prisons import selectors, services
from kordon.prisons.models import (
    Audit,
    Compliance,
    ContrabandKind,
    Detection,
    FacilityKind,
    Framework,
    Incident,
    IncidentType,
    Notified,
    PersonRole,
    Priority,
    Route,
    SecurityLevel,
)
from kordon.seizures.models import UnitOfMeasure

router = Router(tags=["prisons"])
Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f]*$")]
# Ids within what every database column holds: a bigger one is simply not found.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Moment = Annotated[
    datetime.datetime,
    Field(
        ge=datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC),
        le=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC),
    ),
]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
NOT_FOUND = {"detail": "Not found."}


def _unit(code: str) -> Unit | None:
    return Unit.objects.select_related("agency").filter(code=code).first()


# ---- facilities ------------------------------------------------------------------------------


class FacilityIn(Schema):
    owner_unit: Code
    code: Code
    name: Name
    kind: one_of(FacilityKind.values)  # type: ignore[valid-type]
    security_level: one_of(SecurityLevel.values)  # type: ignore[valid-type]
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    population: Annotated[int, Field(ge=0, le=100_000)]
    population_on: datetime.date
    region: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""


class FacilityOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    security_level: str
    capacity: int
    population: int
    population_on: datetime.date
    occupancy_percent: float | None
    region: str
    owner_unit: str


def _facility_out(facility: Any) -> dict[str, Any]:
    names = ("id", "code", "name", "kind", "security_level", "capacity", "population", "population_on")
    return {
        **{name: getattr(facility, name) for name in names},
        "occupancy_percent": facility.occupancy_percent,
        "region": facility.region,
        "owner_unit": facility.owner_unit.code,
    }


@router.get("/facilities", response=list[FacilityOut])
def list_facilities(request: HttpRequest) -> Any:
    """Facilities of your prison service."""
    return [_facility_out(f) for f in selectors.facilities(request.user)]


@router.post("/facilities", response={201: FacilityOut, 403: Message, 422: ValidationErrors})
def create_facility(request: HttpRequest, payload: FacilityIn) -> Any:
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    try:
        facility = services.facility_save(
            actor=request.user, unit=unit, data=services.FacilityData(**payload.dict(exclude={"owner_unit"}))
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _facility_out(facility))


# ---- frameworks ------------------------------------------------------------------------------


class FrameworkItemOut(Schema):
    name: str
    code: str
    kind: str
    component: str
    area: str
    labels: dict[str, str]
    hints: dict[str, str]
    criticality: str
    evidence: str
    rules: str
    required: bool
    relevant: str
    constraint: str


class FrameworkOut(Schema):
    id: int
    form_id: str
    title: str
    version: int
    source_name: str
    created_at: datetime.datetime
    items: list[FrameworkItemOut]


class ProblemOut(Schema):
    row: int
    column: str
    message: str


class FrameworkProblems(Schema):
    detail: str
    problems: list[ProblemOut]


def _framework_out(framework: Framework) -> dict[str, Any]:
    return {
        **{
            name: getattr(framework, name)
            for name in ("id", "form_id", "title", "version", "source_name", "created_at")
        },
        "items": [
            {name: getattr(item, name) for name in FrameworkItemOut.model_fields}
            for item in framework.items.all()
        ],
    }


@router.get("/frameworks", response=list[FrameworkOut])
def list_frameworks(request: HttpRequest) -> Any:
    """Every version of your service's security framework, newest first, with its items."""
    versions = (
        Framework.objects.restrict(request.user).prefetch_related("items").order_by("-created_at", "-version")
    )
    return [_framework_out(f) for f in versions]


@router.post(
    "/frameworks", response={201: FrameworkOut, 403: Message, 422: FrameworkProblems | ValidationErrors}
)
def upload_framework(request: HttpRequest, owner_unit: Form[Code], file: File[UploadedFile]) -> Any:
    """An XLSForm workbook (.xlsx) as the next version. A file with problems stores nothing and
    answers 422 with every problem by row and column."""
    unit = _unit(owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {owner_unit!r}."]})
    try:
        result = services.framework_import(
            actor=request.user, unit=unit, content=file.read(), file_name=file.name or "framework.xlsx"
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    if result.framework is None:
        return Status(
            422, {"detail": "The file was not stored.", "problems": [p.as_dict() for p in result.problems]}
        )
    return Status(201, _framework_out(result.framework))


# ---- audits ----------------------------------------------------------------------------------


class AuditIn(Schema):
    owner_unit: Code
    facility_id: Id
    planned_on: datetime.date


class AuditAnswerOut(Schema):
    item: str
    value: str
    finding: str


class GapOut(Schema):
    item: str
    component: str
    criticality: str
    answer: str


class AuditOut(Schema):
    id: int
    facility_id: Id
    framework_id: int
    status: str
    planned_on: datetime.date
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    summary: str
    scores: dict[str, Any]


class AuditDetail(AuditOut):
    answers: list[AuditAnswerOut]
    gaps: list[GapOut]


def _audit_out(audit: Audit) -> dict[str, Any]:
    return {name: getattr(audit, name) for name in AuditOut.model_fields}


@router.get("/audits", response=list[AuditOut])
def list_audits(request: HttpRequest, facility_id: Id | None = None) -> Any:
    audits = selectors.audits(request.user)
    if facility_id is not None:
        audits = audits.filter(facility_id=facility_id)
    return [_audit_out(a) for a in audits]


@router.post("/audits", response={201: AuditOut, 403: Message, 404: Message, 422: ValidationErrors})
def plan_audit(request: HttpRequest, payload: AuditIn) -> Any:
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    facility = selectors.facilities(request.user).filter(pk=payload.facility_id).first()
    if facility is None:
        return Status(404, NOT_FOUND)
    try:
        audit = services.audit_plan(
            actor=request.user, unit=unit, facility=facility, planned_on=payload.planned_on
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _audit_out(audit))


@router.get("/audits/{audit_id}", response={200: AuditDetail, 404: Message})
def get_audit(request: HttpRequest, audit_id: int) -> Any:
    """One audit with its answers and gaps (the read is audited)."""
    audit = selectors.audits(request.user).filter(pk=audit_id).first()
    if audit is None:
        return Status(404, NOT_FOUND)
    audit_read(request.user, audit)
    return {
        **_audit_out(audit),
        "answers": [
            {"item": a.item.name, "value": a.value, "finding": a.finding}
            for a in audit.answers.select_related("item").order_by("item__position")
        ],
        "gaps": [
            {
                "item": gap.name,
                "component": gap.component,
                "criticality": gap.criticality,
                "answer": gap.answer,
            }
            for gap, _item in services.audit_gaps(audit)
        ],
    }


class AuditAnswerIn(Schema):
    item: Name
    value: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = Field(
        description=f"For a standard one of {', '.join(Compliance.values)}; for a measurement its number or date"
    )
    finding: Text = ""


class AuditAnswersIn(Schema):
    answers: list[AuditAnswerIn] = Field(min_length=1, max_length=500)


class AuditAnswersOut(Schema):
    saved: list[str]
    problems: dict[str, str]


@router.put("/audits/{audit_id}/answers", response={200: AuditAnswersOut, 404: Message, 409: Message})
def save_answers(request: HttpRequest, audit_id: int, payload: AuditAnswersIn) -> Any:
    """Answers to an open audit; each is checked on its own (its type, its constraint) and the
    good ones are kept."""
    try:
        result = services.answers_save(
            actor=request.user,
            audit_id=audit_id,
            answers=[services.AnswerData(a.item, a.value, a.finding) for a in payload.answers],
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return Status(409, {"detail": " ".join(error.messages)})
    return {"saved": result.saved, "problems": result.problems}


def _transition(request: HttpRequest, action: Any, audit_id: int, **extra: Any) -> Any:
    try:
        audit = action(actor=request.user, audit_id=audit_id, **extra)
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return Status(409, {"detail": " ".join(error.messages)})
    return _audit_out(audit)


@router.post("/audits/{audit_id}/submit", response={200: AuditOut, 404: Message, 409: Message})
def submit_audit(request: HttpRequest, audit_id: int) -> Any:
    """Close the checklist and score it; 409 names the required questions still unanswered."""
    return _transition(request, services.audit_submit, audit_id)


class ReviewIn(Schema):
    summary: Text


@router.post("/audits/{audit_id}/review", response={200: AuditOut, 404: Message, 409: Message})
def review_audit(request: HttpRequest, audit_id: int, payload: ReviewIn) -> Any:
    """A supervisor accepts a submitted audit (404 for anyone who may not)."""
    return _transition(request, services.audit_review, audit_id, summary=payload.summary)


# ---- recommendations -------------------------------------------------------------------------


class RecommendationIn(Schema):
    text: Text
    priority: one_of(Priority.values)  # type: ignore[valid-type]
    owner: Name
    due_on: datetime.date
    item: Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")] = ""


class RecommendationOut(Schema):
    id: int
    audit_id: int
    item: str
    text: str
    priority: str
    owner: str
    due_on: datetime.date
    status: str
    response: str
    overdue: bool


def _recommendation_out(recommendation: Any) -> dict[str, Any]:
    names = ("id", "audit_id", "text", "priority", "owner", "due_on", "status", "response")
    return {
        **{name: getattr(recommendation, name) for name in names},
        "item": recommendation.item.name if recommendation.item else "",
        "overdue": recommendation.overdue_on(datetime.date.today()),
    }


class RecommendationQuery(Schema):
    overdue: bool = False


@router.get("/recommendations", response=list[RecommendationOut])
def list_recommendations(request: HttpRequest, query: Query[RecommendationQuery]) -> Any:
    """Recommendations of the audits you may see; `overdue=true` for those past their deadline."""
    if query.overdue:
        rows = selectors.overdue(request.user, datetime.date.today())
    else:
        rows = selectors.recommendations(request.user)
    return [_recommendation_out(r) for r in rows]


@router.post(
    "/audits/{audit_id}/recommendations",
    response={201: RecommendationOut, 404: Message, 409: Message, 422: ValidationErrors},
)
def add_recommendation(request: HttpRequest, audit_id: int, payload: RecommendationIn) -> Any:
    try:
        recommendation = services.recommendation_add(
            actor=request.user, audit_id=audit_id, data=services.RecommendationData(**payload.dict())
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return Status(201, _recommendation_out(recommendation))


class RecommendationResponseIn(Schema):
    status: Literal["accepted", "rejected", "done"]
    response: Text = ""


@router.post(
    "/recommendations/{recommendation_id}/response",
    response={200: RecommendationOut, 403: Message, 404: Message, 422: ValidationErrors},
)
def respond(request: HttpRequest, recommendation_id: int, payload: RecommendationResponseIn) -> Any:
    """The facility's answer: accepted, rejected (with the reason) or done."""
    try:
        recommendation = services.recommendation_respond(
            actor=request.user,
            recommendation_id=recommendation_id,
            status=payload.status,
            response=payload.response,
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return _recommendation_out(recommendation)


# ---- incidents -------------------------------------------------------------------------------


class PersonIn(Schema):
    role: one_of(PersonRole.values)  # type: ignore[valid-type]
    name: Name
    birth_date: datetime.date | None = None
    identifier: Annotated[str, StringConstraints(max_length=50, pattern=r"^[^\x00]*$")] = ""


class ContrabandIn(Schema):
    kind: one_of(ContrabandKind.values)  # type: ignore[valid-type]
    quantity: Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=3)]
    unit: one_of(UnitOfMeasure.values)  # type: ignore[valid-type]
    substance_id: Id | None = None
    route: one_of(Route.values) = Route.UNKNOWN.value  # type: ignore[valid-type]
    found_where: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""
    seizure_id: Id | None = Field(default=None, description="Link a seizure already in the registry")
    record_seizure: bool = Field(default=False, description="Or record the drugs as a new seizure")


class IncidentIn(Schema):
    owner_unit: Code
    facility_id: Id
    reference: Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[^\x00]*$")]
    kind: one_of(IncidentType.values)  # type: ignore[valid-type]
    occurred_at: Moment
    ended_at: Moment | None = None
    description: Text
    location: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""
    severity: Annotated[int, Field(ge=1, le=4)] = 2
    detected_through: one_of(Detection.values) = Detection.ROUTINE.value  # type: ignore[valid-type]
    alert_id: Id | None = None
    injuries: Text = ""
    actions_taken: Text = ""
    notified: list[one_of(Notified.values)] = Field(default_factory=list, max_length=10)  # type: ignore[valid-type]
    persons: list[PersonIn] = Field(default_factory=list, max_length=100)
    contraband: list[ContrabandIn] = Field(default_factory=list, max_length=50)
    tlp: Annotated[int, Field(ge=Tlp.CLEAR, le=Tlp.RED)] = Tlp.AMBER
    handling_code: Literal["H0", "H1", "H2"] = "H0"
    distribution: Annotated[int, Field(ge=Distribution.UNIT, le=Distribution.PARTNERS)] = Distribution.AGENCY


class ContrabandOut(Schema):
    kind: str
    substance: str
    quantity: Decimal
    unit: str
    route: str
    seizure_id: int | None


class IncidentOut(Schema):
    id: int
    reference: str
    facility: str
    kind: str
    occurred_at: Moment
    severity: int
    detected_through: str
    drug_related: bool
    description: str
    tlp: int
    distribution: int
    owner_unit: str
    contraband: list[ContrabandOut]


def _incident_out(incident: Incident) -> dict[str, Any]:
    names = ("id", "reference", "kind", "occurred_at", "severity", "detected_through", "drug_related")
    return {
        **{name: getattr(incident, name) for name in names},
        "description": incident.description,
        "tlp": incident.tlp,
        "distribution": incident.distribution,
        "facility": incident.facility.name,
        "owner_unit": incident.owner_unit.code,
        "contraband": [
            {
                "kind": c.kind,
                "substance": c.substance.name if c.substance else "",
                "quantity": c.quantity,
                "unit": c.unit,
                "route": c.route,
                "seizure_id": c.seizure_id,
            }
            for c in incident.contraband.all()
        ],
    }


class IncidentQuery(Schema):
    year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    facility_id: Id | None = None
    drug_related: bool | None = None


@router.get("/incidents", response=list[IncidentOut])
def list_incidents(request: HttpRequest, query: Query[IncidentQuery]) -> Any:
    """Incidents you may see: your service's, and drug-related ones partners share under an
    agreement. The newest 500."""
    incidents = selectors.incidents(request.user).prefetch_related("contraband__substance")
    if query.year:
        incidents = incidents.filter(occurred_at__year=query.year)
    if query.facility_id is not None:
        incidents = incidents.filter(facility_id=query.facility_id)
    if query.drug_related is not None:
        incidents = incidents.filter(drug_related=query.drug_related)
    return [_incident_out(i) for i in incidents[:500]]


@router.get("/incidents/{incident_id}", response={200: IncidentOut, 404: Message})
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    incident = selectors.incidents(request.user).filter(pk=incident_id).first()
    if incident is None:
        return Status(404, NOT_FOUND)
    audit_read(request.user, incident)
    return _incident_out(incident)


@router.post("/incidents", response={201: IncidentOut, 403: Message, 422: ValidationErrors})
def create_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    """Register an incident; drugs among the contraband can be linked to a seizure or recorded
    as one."""
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    values = payload.dict(exclude={"owner_unit", "persons", "contraband"})
    data = services.IncidentData(
        **values,
        persons=[services.PersonData(**p.dict()) for p in payload.persons],
        contraband=[services.ContrabandData(**c.dict()) for c in payload.contraband],
    )
    try:
        incident = services.incident_create(actor=request.user, unit=unit, data=data)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _incident_out(incident))


# ---- joint operations ------------------------------------------------------------------------


class OperationIn(Schema):
    owner_unit: Code
    name: Name
    starts_on: datetime.date
    ends_on: datetime.date
    agencies: list[Code] = Field(default_factory=list, max_length=50, description="Agency codes")
    units: list[Code] = Field(default_factory=list, max_length=100, description="Unit codes")
    facility_ids: list[Id] = Field(default_factory=list, max_length=100)
    officers: Count = 0
    dogs: Count = 0
    vehicles: Count = 0
    other_resources: Annotated[str, StringConstraints(max_length=300, pattern=r"^[^\x00]*$")] = ""
    crimes_detected: Count = 0
    drug_crimes_detected: Count = 0
    drugs_seized_kg: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3)] = Decimal(0)
    seizure_ids: list[Id] = Field(default_factory=list, max_length=1000)
    incident_ids: list[Id] = Field(default_factory=list, max_length=1000)
    alert_ids: list[Id] = Field(default_factory=list, max_length=1000)
    description: Text = ""
    tlp: Annotated[int, Field(ge=Tlp.CLEAR, le=Tlp.AMBER_STRICT)] = Tlp.AMBER
    distribution: Annotated[int, Field(ge=Distribution.UNIT, le=Distribution.PARTNERS)] = (
        Distribution.PARTNERS
    )


class OperationOut(Schema):
    id: int
    name: str
    starts_on: datetime.date
    ends_on: datetime.date
    agencies: list[str]
    units: list[str]
    officers: int
    dogs: int
    vehicles: int
    crimes_detected: int
    drug_crimes_detected: int
    drugs_seized_kg: Decimal
    seizure_ids: list[int]


def _operation_out(operation: Any) -> dict[str, Any]:
    names = ("id", "name", "starts_on", "ends_on", "officers", "dogs", "vehicles", "crimes_detected")
    return {
        **{name: getattr(operation, name) for name in names},
        "drug_crimes_detected": operation.drug_crimes_detected,
        "drugs_seized_kg": operation.drugs_seized_kg,
        "agencies": [agency.code for agency in operation.agencies.all()],
        "units": [unit.code for unit in operation.units.all()],
        "seizure_ids": sorted(operation.seizures.values_list("pk", flat=True)),
    }


@router.get("/operations", response=list[OperationOut])
def list_operations(request: HttpRequest) -> Any:
    return [_operation_out(o) for o in selectors.operations(request.user)]


@router.post("/operations", response={201: OperationOut, 403: Message, 422: ValidationErrors})
def create_operation(request: HttpRequest, payload: OperationIn) -> Any:
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    agencies = dict(Agency.objects.filter(code__in=payload.agencies).values_list("code", "pk"))
    unknown = [code for code in payload.agencies if code not in agencies]
    if unknown:
        return validation_response({"agencies": [f"Unknown agency code {code!r}." for code in unknown]})
    units = dict(Unit.objects.filter(code__in=payload.units).values_list("code", "pk"))
    unknown = [code for code in payload.units if code not in units]
    if unknown:
        return validation_response({"units": [f"Unknown unit code {code!r}." for code in unknown]})
    values = payload.dict(exclude={"owner_unit", "agencies", "units"})
    try:
        operation = services.operation_create(
            actor=request.user,
            unit=unit,
            data=services.OperationData(
                **values, agency_ids=list(agencies.values()), unit_ids=list(units.values())
            ),
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _operation_out(operation))
