"""REST API of risk targeting: consignments, profiles, inspections and scoring."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from kordon.access import policy
from kordon.core.models import Unit
from kordon.core.schemas import Message, ValidationErrors, invalid, validation_response
from kordon.targeting import features, services
from kordon.targeting.declarations import Declaration, DeclarationParser
from kordon.targeting.models import Consignment, Outcome, RiskProfile

router = Router(tags=["targeting"])
Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Name = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
MAX_BATCH = 10_000


class DeclarationIn(Schema):
    declaration_id: Text
    declared_on: Text = Field(description="2021-03-31 or 31.03.2021")
    office: Text
    hs_code: Text = Field(description="2 to 10 digits, as text: 071080")
    container_number: Text = ""
    bill_of_lading: Text = ""
    declarant: Text = ""
    importer: Text = ""
    shipper: Text = ""
    courier: Text = ""
    description: Text = ""
    origin_country: Text = ""
    departure_country: Text = ""
    route_ports: Text = Field(default="", description="UN/LOCODEs in order: IRBND TMKRW KZAKT")
    transport_mode: Text = ""
    process_type: Text = ""
    import_type: Text = ""
    import_use: Text = ""
    payment_type: Text = ""
    tax_type: Text = ""
    origin_indicator: Text = ""
    tax_rate: float | None = None
    net_mass: float | None = Field(default=None, description="kg")
    declared_value: float | None = None


class ScoreIn(Schema):
    model: Name = Field(
        default="", description="The model's name; its newest version. Empty: the newest model you may use."
    )
    declarations: list[DeclarationIn] = Field(min_length=1, max_length=MAX_BATCH)


class Reason(Schema):
    feature: str
    label: str
    value: str
    weight: float = Field(description="How much it raised the risk, in log-odds")


class ScoreOut(Schema):
    declaration_id: str
    score: float = Field(description="Calibrated probability that an inspection finds an irregularity")
    reasons: list[Reason]


class ScoresOut(Schema):
    model: str
    version: int
    results: list[ScoreOut]


class ConsignmentsIn(Schema):
    owner_unit: Name
    declarations: list[DeclarationIn] = Field(min_length=1, max_length=MAX_BATCH)


class DeclarationImportOut(Schema):
    imported: int
    rejected: int
    errors: list[dict[str, Any]]


class ConsignmentOut(Schema):
    id: int
    declaration_id: str
    declared_on: datetime.date
    office: str
    importer: str
    hs_code: str
    origin_country: str
    route_ports: str
    risk: float | None
    lane: str
    selected_by: str
    reasons: list[dict[str, Any]]
    outcome: str


class ConsignmentQuery(Schema):
    day: datetime.date | None = None
    lane: Literal["red", "yellow", "green", ""] = ""
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=500)


class ConsignmentPage(Schema):
    count: int
    page: int
    results: list[ConsignmentOut]


class ProfileIn(Schema):
    owner_unit: Name
    name: Annotated[Name, StringConstraints(min_length=1)]
    description: Text = ""
    conditions: list[dict[str, Any]] = Field(
        description='[{"field": "hs_code", "op": "starts_with", "value": ["2915"]}]'
    )
    weight: int = Field(default=50, ge=0, le=100)
    lane: Literal["red", "yellow", ""] = ""
    valid_from: datetime.date
    valid_until: datetime.date | None = None


class ProfileOut(Schema):
    id: int
    name: str
    owner_unit: str
    conditions: list[dict[str, Any]]
    weight: int
    lane: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    active: bool
    test_result: dict[str, Any]


class InspectionIn(Schema):
    consignment_id: int
    outcome: Literal["nothing", "irregularity", "critical", "seizure"]
    inspected_on: datetime.date
    seizure_id: int | None = None
    notes: Text = ""


class InspectionOut(Schema):
    consignment_id: int
    outcome: str
    lane: str
    selected_by: str


def _checked(payloads: list[DeclarationIn]) -> tuple[list[Declaration], dict[str, list[str]]]:
    parser = DeclarationParser()
    declarations: list[Declaration] = []
    errors: dict[str, list[str]] = {}
    for index, payload in enumerate(payloads):
        values, _outcome, problems = parser.parse(payload.dict())
        for column, message in problems.items():
            errors.setdefault(f"declarations.{index}.{column}", []).append(message)
        declarations.append(Declaration(values, "", index))
    return declarations, errors


@router.post("/targeting/score", response={200: ScoresOut, 404: Message, 422: ValidationErrors})
def score(request: HttpRequest, payload: ScoreIn) -> Any:
    """Risk scores and the main reasons for declarations, from a model your units may use.
    Nothing is stored: this is for customs systems that decide themselves."""
    model = services.newest_model(request.user, payload.model)
    if model is None:
        return Status(404, {"detail": "There is no such model that you may use; train one first."})
    declarations, errors = _checked(payload.declarations)
    if errors:
        return validation_response(errors)
    scorer = services.trained(model)
    columns = features.columns_of(declarations)
    scores = scorer.probabilities(columns)
    reasons = scorer.reasons(columns)
    return {
        "model": model.name,
        "version": model.version,
        "results": [
            {
                "declaration_id": declaration.fields["declaration_id"],
                "score": round(float(value), 6),
                "reasons": [reason | {"label": str(features.LABELS[reason["feature"]])} for reason in why],
            }
            for declaration, value, why in zip(declarations, scores, reasons, strict=True)
        ],
    }


@router.get("/consignments", response=ConsignmentPage)
def list_consignments(request: HttpRequest, query: Query[ConsignmentQuery]) -> Any:
    """Consignments you may see, highest risk first within the newest day."""
    records = Consignment.objects.restrict(request.user).select_related("inspection")
    if query.day:
        records = records.filter(declared_on=query.day)
    if query.lane:
        records = records.filter(lane=query.lane)
    # Not assessed yet (no risk) last, on PostgreSQL as on SQLite.
    records = records.order_by("-declared_on", F("risk").desc(nulls_last=True), "id")
    start = (query.page - 1) * query.page_size
    return {
        "count": records.count(),
        "page": query.page,
        "results": [
            {
                **{
                    name: getattr(c, name)
                    for name in (
                        "id",
                        "declaration_id",
                        "declared_on",
                        "office",
                        "importer",
                        "hs_code",
                        "origin_country",
                        "route_ports",
                        "risk",
                        "lane",
                        "selected_by",
                        "reasons",
                    )
                },
                "outcome": c.inspection.outcome if hasattr(c, "inspection") else "",
            }
            for c in records[start : start + query.page_size]
        ],
    }


@router.post("/consignments", response={201: DeclarationImportOut, 403: Message, 422: ValidationErrors})
def create_consignments(request: HttpRequest, payload: ConsignmentsIn) -> Any:
    """Declarations from the customs system, for one of your units. Bad ones are refused with the
    reason per field; nothing is written unless all are good."""
    unit = Unit.objects.select_related("agency").filter(code=payload.owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    declarations, errors = _checked(payload.declarations)
    if errors:
        return validation_response(errors)
    try:
        result = services.store_declarations(
            actor=request.user, unit=unit, declarations=declarations, source="API"
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    if result.failure:
        return validation_response({"declarations": [p.message for p in result.problems] or [result.failure]})
    return Status(
        201,
        {
            "imported": result.imported,
            "rejected": len(result.problems),
            "errors": [p.as_dict() for p in result.problems],
        },
    )


def _profile_out(profile: RiskProfile) -> dict[str, Any]:
    return {
        **{
            name: getattr(profile, name)
            for name in (
                "id",
                "name",
                "conditions",
                "weight",
                "lane",
                "valid_from",
                "valid_until",
                "active",
                "test_result",
            )
        },
        "owner_unit": profile.owner_unit.code,
    }


@router.get("/profiles", response=list[ProfileOut])
def list_profiles(request: HttpRequest) -> Any:
    """Risk profiles you may use: your agency's and those partners share under an agreement."""
    return [_profile_out(p) for p in RiskProfile.objects.restrict(request.user).select_related("owner_unit")]


@router.post("/profiles", response={201: ProfileOut, 403: Message, 422: ValidationErrors})
def create_profile(request: HttpRequest, payload: ProfileIn) -> Any:
    """A new profile, switched off: test it against history, then switch it on."""
    unit = Unit.objects.select_related("agency").filter(code=payload.owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    values = payload.dict(exclude={"owner_unit"})
    try:
        profile = services.save_profile(actor=request.user, unit=unit, values=values)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _profile_out(profile))


@router.post("/profiles/{profile_id}/test", response={200: ProfileOut, 404: Message})
def test_profile(request: HttpRequest, profile_id: int) -> Any:
    """Replay the profile over history: how many it would select and their hit rate. For the
    profile's own unit: a partner's shared profile answers 404 here."""
    profile = (
        RiskProfile.objects.restrict(request.user, policy.CHANGE)
        .select_related("owner_unit")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        return Status(404, {"detail": "Not found."})
    services.test_profile(actor=request.user, profile=profile)
    return _profile_out(profile)


@router.post("/inspections", response={201: InspectionOut, 403: Message, 404: Message, 422: ValidationErrors})
def record_inspection(request: HttpRequest, payload: InspectionIn) -> Any:
    """What an inspection found; a second call for the same consignment corrects it."""
    consignment = Consignment.objects.restrict(request.user).filter(pk=payload.consignment_id).first()
    if consignment is None:
        return Status(404, {"detail": "Not found."})
    try:
        inspection = services.record_inspection(
            actor=request.user,
            consignment=consignment,
            outcome=Outcome(payload.outcome),
            inspected_on=payload.inspected_on,
            seizure_id=payload.seizure_id,
            notes=payload.notes,
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(
        201,
        {
            "consignment_id": consignment.pk,
            "outcome": inspection.outcome,
            "lane": inspection.lane,
            "selected_by": inspection.selected_by,
        },
    )
