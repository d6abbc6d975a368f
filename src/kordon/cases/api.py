"""REST API of cases: open one, gather records into it, its tasks, its exhibits and their chain
of custody with the chain's flags. A case the caller may not see is 404; a partner gets only the
shared parts."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from kordon.access.schemas import Markings, MarkingsOut, markings_out
from kordon.cases import selectors, services
from kordon.cases.kinds import CASE_RECORDS
from kordon.cases.models import Case, CaseType, CustodyKind, Exhibit
from kordon.core.models import Unit
from kordon.core.schemas import NO_NUL, Message, ValidationErrors, invalid, one_of, validation_response

router = Router(tags=["cases"])
Text = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
NOT_FOUND = {"detail": "Not found."}


class InvestigationIn(Schema):
    owner_unit: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]
    reference: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    case_type: one_of(CaseType.values)  # type: ignore[valid-type]
    summary: Annotated[str, StringConstraints(max_length=10000, pattern=NO_NUL)] = ""
    opened_on: datetime.date | None = None
    markings: Markings = Markings()


class CaseItemOut(Schema):
    record_type: str
    record_id: int
    reference: str
    on: datetime.date | None
    shared: bool


class CaseExhibitOut(Schema):
    id: int
    label: str
    description: str
    quantity: Decimal
    unit: str
    seal_number: str


class CaseTaskOut(Schema):
    id: int
    title: str
    assignee: str
    due_on: datetime.date | None
    status: str


class InvestigationOut(Schema):
    id: int
    reference: str
    title: str
    case_type: str
    status: str
    outcome: str
    opened_on: datetime.date
    owner_unit: str
    markings: MarkingsOut
    insider: bool = Field(description="false: you see the case as a partner, only its shared parts")
    items: list[CaseItemOut]
    tasks: list[CaseTaskOut]
    exhibits: list[CaseExhibitOut]


def _case_out(view: selectors.CaseView) -> dict[str, Any]:
    case = view.case
    return {
        **{
            name: getattr(case, name)
            for name in ("id", "reference", "title", "case_type", "status", "outcome", "opened_on")
        },
        "owner_unit": case.owner_unit.code,
        "markings": markings_out(case),
        "insider": view.insider,
        "items": [
            {
                "record_type": item.item.record_type,
                "record_id": item.record.pk,
                "reference": item.label,
                "on": item.on,
                "shared": item.item.shared,
            }
            for item in view.items
        ],
        "tasks": [
            {
                "id": task.pk,
                "title": task.title,
                "assignee": task.assignee.get_username(),
                "due_on": task.due_on,
                "status": task.status,
            }
            for task in view.tasks
        ],
        "exhibits": [
            {
                "id": exhibit.pk,
                "label": exhibit.label,
                "description": exhibit.description,
                "quantity": exhibit.quantity,
                "unit": exhibit.unit,
                "seal_number": exhibit.seal_number,
            }
            for exhibit in view.exhibits
        ],
    }


def _errors(call: Any) -> Any:
    try:
        return call()
    except (Case.DoesNotExist, Exhibit.DoesNotExist, Http404):
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)


RESPONSES = {403: Message, 404: Message, 422: ValidationErrors}


@router.post("/cases", response={201: InvestigationOut, **RESPONSES})
def open_case(request: HttpRequest, payload: InvestigationIn) -> Any:
    unit = Unit.objects.filter(code=payload.owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})

    def call() -> Any:
        data = services.CaseData(
            **payload.dict(exclude={"owner_unit", "markings"}), **payload.markings.as_service_values()
        )
        case = services.case_open(actor=request.user, unit_id=unit.pk, data=data)
        return Status(201, _case_out(selectors.case_view(user=request.user, case_id=case.pk)))

    return _errors(call)


@router.get("/cases/{case_id}", response={200: InvestigationOut, 404: Message})
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _errors(lambda: _case_out(selectors.case_view(user=request.user, case_id=case_id)))


class CaseItemIn(Schema):
    record_type: one_of(list(CASE_RECORDS))  # type: ignore[valid-type]
    reference: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]
    note: Text = ""
    shared: bool = False


class CaseRecordIdOut(Schema):
    id: int


@router.post("/cases/{case_id}/items", response={201: CaseRecordIdOut, **RESPONSES})
def add_item(request: HttpRequest, case_id: int, payload: CaseItemIn) -> Any:
    """Gather a record you may see into the case (by its reference or number)."""
    return _errors(
        lambda: Status(
            201, {"id": services.item_add(actor=request.user, case_id=case_id, **payload.dict()).pk}
        )
    )


class CaseTaskIn(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)]
    assignee: Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=NO_NUL)] = Field(
        description="user name of a team member"
    )
    due_on: datetime.date | None = None


@router.post("/cases/{case_id}/tasks", response={201: CaseRecordIdOut, **RESPONSES})
def add_task(request: HttpRequest, case_id: int, payload: CaseTaskIn) -> Any:
    return _errors(
        lambda: Status(
            201, {"id": services.task_add(actor=request.user, case_id=case_id, **payload.dict()).pk}
        )
    )


class CaseExhibitIn(Schema):
    seizure_item: int | None = Field(default=None, ge=1, le=2**62, description="a seizure item's id")
    description: Text = ""
    commodity: int | None = Field(default=None, ge=1, le=2**62, description="id from /substances")
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=16, decimal_places=6)
    unit: Annotated[str, StringConstraints(max_length=8, pattern=NO_NUL)] = ""
    seal_number: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = ""
    location: Text = ""
    shared: bool = False


@router.post("/cases/{case_id}/exhibits", response={201: CaseExhibitOut, **RESPONSES})
def add_exhibit(request: HttpRequest, case_id: int, payload: CaseExhibitIn) -> Any:
    """An exhibit from a seizure item (commodity, quantity and unit come from it) or described
    here; its chain of custody begins with the seizure."""

    def call() -> Any:
        values = payload.dict()
        data = services.ExhibitData(
            **{
                name: values[name]
                for name in ("description", "quantity", "unit", "seal_number", "location", "shared")
            },
            seizure_item_id=values["seizure_item"],
            commodity_id=values["commodity"],
        )
        exhibit = services.exhibit_add(actor=request.user, case_id=case_id, data=data)
        return Status(201, {"id": exhibit.pk, "label": exhibit.label, "description": exhibit.description,
                            "quantity": exhibit.quantity, "unit": exhibit.unit, "seal_number": exhibit.seal_number})  # fmt: skip

    return _errors(call)


class CustodyEventIn(Schema):
    kind: one_of(CustodyKind.values)  # type: ignore[valid-type]
    at: datetime.datetime
    holder: Annotated[str, StringConstraints(max_length=150, pattern=NO_NUL)] = Field(
        default="", description="user name"
    )
    holder_name: Text = Field(default="", description="a holder outside Kordon: a court, a laboratory")
    from_user: Annotated[str, StringConstraints(max_length=150, pattern=NO_NUL)] = ""
    location: Text = ""
    condition: Text = ""
    seal_number: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = ""
    weight: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=6)
    weight_reason: Text = ""
    witnesses: list[Text] = Field(default=[], max_length=20)
    note: Text = ""


class CustodyEventOut(Schema):
    sequence: int
    kind: str
    at: datetime.datetime
    holder: str
    weight: Decimal | None
    hash: str


class CustodyFlagOut(Schema):
    sequence: int
    code: str
    message: str


class CustodyChainOut(Schema):
    exhibit: str
    events: list[CustodyEventOut]
    flags: list[CustodyFlagOut] = Field(description="breaks in the chain; empty when it holds")


def _chain_out(request: HttpRequest, exhibit_id: int) -> dict[str, Any]:
    view = selectors.exhibit_view(user=request.user, exhibit_id=exhibit_id)
    return {
        "exhibit": view.exhibit.label,
        "events": [
            {
                "sequence": event.sequence,
                "kind": event.kind,
                "at": event.at,
                "holder": event.holder_label,
                "weight": event.weight,
                "hash": event.hash,
            }
            for event in view.events
        ],
        "flags": [flag.__dict__ for flag in view.flags],
    }


@router.get("/exhibits/{exhibit_id}/custody", response={200: CustodyChainOut, 404: Message})
def get_chain(request: HttpRequest, exhibit_id: int) -> Any:
    """The exhibit's chain of custody and what is wrong with it."""
    return _errors(lambda: _chain_out(request, exhibit_id))


@router.post("/exhibits/{exhibit_id}/custody", response={201: CustodyChainOut, **RESPONSES})
def add_custody_event(request: HttpRequest, exhibit_id: int, payload: CustodyEventIn) -> Any:
    """Append the next event; events are never changed or removed."""

    def call() -> Any:
        services.custody_record(
            actor=request.user, exhibit_id=exhibit_id, data=services.CustodyData(**payload.dict())
        )
        return Status(201, _chain_out(request, exhibit_id))

    return _errors(call)


class LabResultIn(Schema):
    laboratory: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    lab_reference: Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]
    analysed_on: datetime.date
    confirmed: int = Field(ge=1, le=2**62, description="id from /substances")
    net_weight: Decimal = Field(gt=0, max_digits=16, decimal_places=6)
    purity_percent: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)
    method: Text = ""


@router.post("/exhibits/{exhibit_id}/lab-results", response={201: CaseRecordIdOut, **RESPONSES})
def add_lab_result(request: HttpRequest, exhibit_id: int, payload: LabResultIn) -> Any:
    def call() -> Any:
        values = payload.dict()
        values["confirmed_id"] = values.pop("confirmed")
        return Status(
            201, {"id": services.lab_result_record(actor=request.user, exhibit_id=exhibit_id, **values).pk}
        )

    return _errors(call)
