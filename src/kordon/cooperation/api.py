"""REST API of cooperation requests and victim referrals. Referral cases answer with exactly
what the web shows the caller: handlers everything, receiving organisations what the consent
covers, everyone else 404."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from kordon.cooperation import selectors, services
from kordon.cooperation.models import (
    AgeBand,
    AssetStage,
    CaseType,
    DataCategory,
    Direction,
    Exploitation,
    LegalBasis,
    Measure,
    RequestStatus,
    ServiceType,
    Sex,
)
from kordon.core.models import Agency, Unit
from kordon.core.schemas import Message, ValidationErrors, invalid, one_of, validation_response

router = Router(tags=["cooperation"])
Text = Annotated[str, StringConstraints(max_length=2000, pattern=r"^[^\x00]*$")]
Short = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
Required = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
NOT_FOUND = {"detail": "Not found."}


def _unit(code: str) -> Unit | None:
    return Unit.objects.select_related("agency").filter(code=code).first()


# ---- requests ----------------------------------------------------------------------------------


class CooperationRequestIn(Schema):
    owner_unit: Required
    reference: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
    direction: one_of(Direction.values)  # type: ignore[valid-type]
    requesting_country: CountryCode
    requested_country: CountryCode
    requesting_authority: Required
    legal_basis: one_of(LegalBasis.values)  # type: ignore[valid-type]
    offences: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00]*$")]
    measures: list[one_of(Measure.values)] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]
    requested_authority: Short = ""
    central_authority: Short = ""
    counterpart_reference: Annotated[str, StringConstraints(max_length=60, pattern=r"^[^\x00]*$")] = ""
    treaty: Annotated[str, StringConstraints(max_length=300, pattern=r"^[^\x00]*$")] = ""
    summary: Text = ""
    persons: Text = ""
    urgent: bool = False
    deadline: datetime.date | None = None
    received_on: datetime.date | None = Field(
        default=None, description="For an incoming request: the day it arrived"
    )


class CooperationRequestOut(Schema):
    id: int
    reference: str
    direction: str
    requesting_country: str
    requested_country: str
    offences: str
    measures: list[str]
    status: str
    opened_on: datetime.date | None
    due_on: datetime.date | None
    answered_on: datetime.date | None
    overdue: bool
    refusal_ground: str


REQUEST_FIELDS = (
    "id",
    "reference",
    "direction",
    "offences",
    "measures",
    "status",
    "opened_on",
    "answered_on",
)


def _request_out(record: Any) -> dict[str, Any]:
    return {
        **{name: getattr(record, name) for name in REQUEST_FIELDS},
        "refusal_ground": record.refusal_ground,
        "requesting_country": record.requesting_country_id,
        "requested_country": record.requested_country_id,
        "due_on": record.due_on(),
        "overdue": record.overdue_on(timezone.localdate()),
    }


class RequestQuery(Schema):
    direction: one_of(Direction.values) | None = None  # type: ignore[valid-type]
    status: one_of(RequestStatus.values) | None = None  # type: ignore[valid-type]
    overdue: bool = False


@router.get("/cooperation-requests", response=list[CooperationRequestOut])
def list_requests(request: HttpRequest, query: Query[RequestQuery]) -> Any:
    rows = selectors.requests(request.user)
    if query.direction:
        rows = rows.filter(direction=query.direction)
    if query.status:
        rows = rows.filter(status=query.status)
    today = timezone.localdate()
    return [_request_out(r) for r in rows[:1000] if not query.overdue or r.overdue_on(today)]


@router.post(
    "/cooperation-requests", response={201: CooperationRequestOut, 403: Message, 422: ValidationErrors}
)
def create_request(request: HttpRequest, payload: CooperationRequestIn) -> Any:
    """An outgoing request is registered as a draft; an incoming one as received on its day."""
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    values = payload.dict(exclude={"owner_unit", "requesting_country", "requested_country"})
    data = services.RequestData(
        **values,
        requesting_country_id=payload.requesting_country,
        requested_country_id=payload.requested_country,
    )
    try:
        record = services.request_create(actor=request.user, unit=unit, data=data)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _request_out(record))


class TransitionIn(Schema):
    status: one_of(RequestStatus.values)  # type: ignore[valid-type]
    on: datetime.date
    note: Text = ""
    refusal_ground: Text = ""


@router.post(
    "/cooperation-requests/{request_id}/transition",
    response={200: CooperationRequestOut, 404: Message, 422: ValidationErrors},
)
def transition(request: HttpRequest, request_id: int, payload: TransitionIn) -> Any:
    """The request's next state; 422 names a move the conventions do not allow, or a refusal
    without its ground."""
    try:
        record = services.request_transition(actor=request.user, request_id=request_id, **payload.dict())
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return _request_out(record)


class AssetIn(Schema):
    description: Required
    stage: one_of(AssetStage.values)  # type: ignore[valid-type]
    amount: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
    on: datetime.date


class AssetOut(Schema):
    id: int
    description: str
    stage: str
    amount: Decimal
    currency: str
    on: datetime.date


@router.post(
    "/cooperation-requests/{request_id}/assets", response={201: AssetOut, 404: Message, 422: ValidationErrors}
)
def add_asset(request: HttpRequest, request_id: int, payload: AssetIn) -> Any:
    try:
        asset = services.asset_record(actor=request.user, request_id=request_id, **payload.dict())
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return Status(201, {name: getattr(asset, name) for name in AssetOut.model_fields})


class CountryRowOut(Schema):
    country: str
    open: int
    overdue: int
    unsatisfied: int
    refused: int
    executed: int


class DashboardOut(Schema):
    total: int
    open: int
    overdue: int
    unsatisfied: int
    median_days_to_answer: float | None
    by_status: dict[str, int]
    by_country: list[CountryRowOut]
    assets: dict[str, dict[str, Decimal]]


@router.get("/cooperation-dashboard", response=DashboardOut)
def cooperation_dashboard(request: HttpRequest, direction: one_of(Direction.values) | None = None) -> Any:  # type: ignore[valid-type]
    board = selectors.dashboard(request.user, timezone.localdate(), direction or "")
    return {
        "total": board.total,
        "open": board.open,
        "overdue": len(board.overdue),
        "unsatisfied": board.unsatisfied,
        "median_days_to_answer": board.median_days,
        "by_status": board.by_status,
        "by_country": [row.__dict__ for row in board.by_country],
        "assets": board.assets,
    }


# ---- referral cases ----------------------------------------------------------------------------


class CaseIn(Schema):
    owner_unit: Required
    case_type: one_of(CaseType.values)  # type: ignore[valid-type]
    exploitation: one_of(Exploitation.values)  # type: ignore[valid-type]
    age_band: one_of(AgeBand.values) = AgeBand.UNKNOWN.value  # type: ignore[valid-type]
    sex: one_of(Sex.values) = Sex.UNKNOWN.value  # type: ignore[valid-type]
    nationality: CountryCode | None = None
    needs: Text = ""
    full_name: Short = Field(default="", description="Seen only by the case's own unit")
    birth_date: datetime.date | None = None


class CaseOut(Schema):
    id: int
    pseudonym: str
    case_type: str
    status: str
    opened_on: datetime.date
    shown: list[str] = Field(description="The categories of data shown to you")
    age_band: str | None = None
    sex: str | None = None
    nationality: str | None = None
    exploitation: str | None = None
    needs: str | None = None
    full_name: str | None = None


def _case_out(view: selectors.CaseView) -> dict[str, Any]:
    case = view.case
    out: dict[str, Any] = {
        "id": case.pk,
        "pseudonym": case.pseudonym,
        "case_type": case.case_type,
        "status": case.status,
        "opened_on": case.opened_on,
        "shown": sorted(view.categories),
    }
    if view.shows(DataCategory.ATTRIBUTES):
        out |= {
            "age_band": case.age_band,
            "sex": case.sex,
            "nationality": case.nationality_id,
            "exploitation": case.exploitation,
        }
    if view.shows(DataCategory.NEEDS):
        out["needs"] = case.needs
    if view.shows(DataCategory.IDENTITY) and view.identity is not None:
        out["full_name"] = view.identity.full_name
    return out


@router.post("/referral-cases", response={201: CaseOut, 403: Message, 422: ValidationErrors})
def open_case(request: HttpRequest, payload: CaseIn) -> Any:
    unit = _unit(payload.owner_unit)
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    try:
        case = services.case_open(
            actor=request.user,
            unit=unit,
            data=services.CaseData(
                case_type=payload.case_type,
                exploitation=payload.exploitation,
                age_band=payload.age_band,
                sex=payload.sex,
                nationality_id=payload.nationality,
                needs=payload.needs,
            ),
            identity=services.IdentityData(full_name=payload.full_name, birth_date=payload.birth_date),
        )
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _case_out(selectors.case_for(request.user, case.pk)))


@router.get("/referral-cases/{case_id}", response={200: CaseOut, 404: Message})
def get_case(request: HttpRequest, case_id: int) -> Any:
    """The case as you may see it (the read is audited with what was shown)."""
    try:
        return _case_out(selectors.case_for(request.user, case_id))
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)


class ConsentIn(Schema):
    given_by: Literal["person", "guardian"]
    method: Literal["written", "oral"]
    organisations: list[Required] = Field(min_length=1, max_length=50, description="Agency codes")
    categories: list[one_of(DataCategory.values)] = Field(min_length=1, max_length=4)  # type: ignore[valid-type]
    purpose: Required
    given_on: datetime.date
    valid_until: datetime.date


class IdOut(Schema):
    id: int


@router.post("/referral-cases/{case_id}/consents", response={201: IdOut, 404: Message, 422: ValidationErrors})
def record_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Any:
    organisations = dict(Agency.objects.filter(code__in=payload.organisations).values_list("code", "pk"))
    unknown = [code for code in payload.organisations if code not in organisations]
    if unknown:
        return validation_response({"organisations": [f"Unknown agency code {code!r}." for code in unknown]})
    try:
        consent = services.consent_record(
            actor=request.user,
            case_id=case_id,
            data=services.ConsentData(
                **payload.dict(exclude={"organisations"}), organisation_ids=list(organisations.values())
            ),
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return Status(201, {"id": consent.pk})


@router.post("/consents/{consent_id}/revocation", response={200: IdOut, 404: Message})
def revoke_consent(request: HttpRequest, consent_id: int) -> Any:
    """The person withdraws consent: referrals under it end at once."""
    try:
        consent = services.consent_revoke(actor=request.user, consent_id=consent_id)
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    return {"id": consent.pk}


class ReferralIn(Schema):
    consent_id: int
    to_unit: Required
    service: one_of(ServiceType.values)  # type: ignore[valid-type]
    reason: Text = ""
    urgent: bool = False


@router.post(
    "/referral-cases/{case_id}/referrals", response={201: IdOut, 404: Message, 422: ValidationErrors}
)
def refer(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    to_unit = _unit(payload.to_unit)
    if to_unit is None:
        return validation_response({"to_unit": [f"Unknown unit code {payload.to_unit!r}."]})
    try:
        referral = services.referral_send(
            actor=request.user,
            case_id=case_id,
            data=services.ReferralData(
                payload.consent_id, to_unit.pk, payload.service, payload.reason, payload.urgent
            ),
        )
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return Status(201, {"id": referral.pk})


class ReferralResponseIn(Schema):
    accept: bool
    reason: Text = ""


class ReferralOut(Schema):
    id: int
    status: str


@router.post(
    "/referrals/{referral_id}/response", response={200: ReferralOut, 404: Message, 422: ValidationErrors}
)
def respond(request: HttpRequest, referral_id: int, payload: ReferralResponseIn) -> Any:
    """The receiving organisation accepts or declines (with the reason)."""
    try:
        referral = services.referral_respond(actor=request.user, referral_id=referral_id, **payload.dict())
    except ObjectDoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return invalid(error)
    return {"id": referral.pk, "status": referral.status}


class StatisticsOut(Schema):
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]] = Field(description="null: fewer than 5, hidden")
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


TABLES = {
    "exploitation_by_sex": ("exploitation", "sex"),
    "nationality_by_case_type": ("nationality_id", "case_type"),
    "service_by_status": ("referrals__service", "referrals__status"),
}


@router.get("/referral-statistics", response=StatisticsOut)
def referral_statistics(
    request: HttpRequest,
    table: Literal[
        "exploitation_by_sex", "nationality_by_case_type", "service_by_status"
    ] = "exploitation_by_sex",
    year: Annotated[
        int, Field(ge=1990, le=2100, description="The year the cases were opened (this year by default)")
    ]
    | None = None,
) -> Any:
    """Counts of one year's cases for reports: counts below five come as null, and so do the
    totals of any row or column with a hidden count."""
    rows, columns = TABLES[table]
    result = selectors.case_statistics(request.user, rows, columns, year or timezone.localdate().year)
    return {
        "rows": result.rows,
        "columns": result.columns,
        "cells": [values for _row, values, _total in result.lines()],
        "row_totals": [total for _row, _values, total in result.lines()],
        "column_totals": result.footer(),
        "total": result.total,
    }
