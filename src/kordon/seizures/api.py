"""REST API for seizures, substances, imports and exports. Thin: selectors and services decide."""

import datetime
import json
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from kordon.access.markings import Tlp
from kordon.access.schemas import markings_out
from kordon.core.models import Agency, Place, Unit
from kordon.core.schemas import validation_response
from kordon.seizures.exports import export_rejected_rows, export_seizures
from kordon.seizures.importing import ImportResult, Markings, import_seizures
from kordon.seizures.models import (
    Seizure,
    SeizureImport,
    SeizureItem,
    Substance,
)
from kordon.seizures.schemas import (
    DISTRIBUTION_BY_NAME,
    DISTRIBUTION_NAME_OF,
    TLP_BY_NAME,
    DistributionName,
    ImportOut,
    Message,
    SeizureCreate,
    SeizureFilterQuery,
    SeizureOut,
    SeizurePage,
    SeizureUpdate,
    SubstanceOut,
    TlpName,
    ValidationErrors,
)
from kordon.seizures.selectors import (
    SeizureFilters,
    import_get,
    seizure_detail,
    seizure_list,
    seizure_page,
    seizure_page_rows,
    seizure_references,
    seizure_statistics,
)
from kordon.seizures.services import ItemData, SeizureData, seizure_create, seizure_delete, seizure_update

router = Router(tags=["seizures"])
# The services' field names where the API names the field differently.
SERVICE_FIELD_NAMES = {
    "country_id": "country",
    "place_id": "place",
    "origin_country_id": "origin_country",
    "destination_country_id": "destination_country",
}
RecordId = Annotated[int, Field(ge=1, le=2**62)]
NOT_FOUND = "There is no seizure with this number, or it is not shared with you."


class SeizureQuery(SeizureFilterQuery):
    """The seizure list's filters (the same as on the seizures page) and paging."""

    page: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    page_size: Annotated[int, Field(ge=1, le=200)] = 50


def seizure_out(seizure: Seizure) -> dict[str, Any]:
    return {
        "id": seizure.pk,
        "reference": seizure.reference,
        "occurred_on": seizure.occurred_on,
        "occurred_at": seizure.occurred_at,
        "country": seizure.country_id,
        "place": seizure.place.code if seizure.place else None,
        "place_description": seizure.place_description,
        "latitude": seizure.latitude,
        "longitude": seizure.longitude,
        "reporting_unit": seizure.reporting_unit.code if seizure.reporting_unit else None,
        "reporting_body": seizure.reporting_body,
        "detection_method": seizure.detection_method,
        "transport_mode": seizure.transport_mode,
        "vehicle_plate": seizure.vehicle_plate,
        "container_number": seizure.container_number,
        "flight": seizure.flight,
        "train": seizure.train,
        "concealment": seizure.concealment,
        "concealment_details": seizure.concealment_details,
        "origin_country": seizure.origin_country_id,
        "transit_countries": seizure.transit_countries,
        "destination_country": seizure.destination_country_id,
        "persons_arrested": seizure.persons_arrested,
        "arrested_nationalities": seizure.arrested_nationalities,
        "narrative": seizure.narrative,
        "status": seizure.status,
        "owner_unit": seizure.owner_unit.code,
        "owner_agency": seizure.owner_agency.code,
        "markings": markings_out(seizure),
        "items": [
            {
                "substance": item.substance.code,
                "family": item.substance.family,
                "quantity": item.quantity,
                "unit": item.unit,
                "quantity_kg": item.quantity_kg,
                "purity_percent": item.purity_percent,
                "value": item.value,
                "currency": item.currency,
                "attributes": item.attributes,
            }
            for item in seizure.items.all()
        ],
        "created_at": seizure.created_at,
        "updated_at": seizure.updated_at,
    }


SEIZURE_VALUES = (
    "id", "reference", "occurred_on", "occurred_at", "country_id", "place_id", "place_description", "latitude",
    "longitude", "reporting_unit_id", "reporting_body", "detection_method", "transport_mode", "vehicle_plate",
    "container_number", "flight", "train", "concealment", "concealment_details", "origin_country_id",
    "transit_countries", "destination_country_id", "persons_arrested", "arrested_nationalities", "narrative",
    "status", "owner_unit_id", "owner_agency_id", "tlp", "handling_code", "handling_note", "distribution",
    "sharing_group_id", "grading_scheme", "source_reliability", "information_credibility", "created_at",
    "updated_at",
)  # fmt: skip


def seizures_out(seizures: Any) -> list[dict[str, Any]]:
    """A page of seizures in the API's form, read as plain values: building model instances for a
    page cost more than its queries."""
    rows = list(seizures.values(*SEIZURE_VALUES))
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    item_values = (
        SeizureItem.objects.filter(seizure_id__in=[row["id"] for row in rows])
        .order_by("id")
        .values_list("seizure_id", "substance_id", "quantity", "unit", "quantity_kg", "purity_percent",
                     "value", "currency", "attributes")
    )  # fmt: skip
    substances = {
        pk: (code, family) for pk, code, family in Substance.objects.values_list("pk", "code", "family")
    }
    for (
        seizure_id,
        substance_id,
        quantity,
        unit,
        kilograms,
        purity,
        value,
        currency,
        attributes,
    ) in item_values:
        code, family = substances[substance_id]
        items[seizure_id].append({"substance": code, "family": family, "quantity": quantity, "unit": unit,
                                  "quantity_kg": kilograms, "purity_percent": purity, "value": value,
                                  "currency": currency, "attributes": attributes})  # fmt: skip
    places = dict(Place.objects.filter(pk__in={row["place_id"] for row in rows}).values_list("pk", "code"))
    units = dict(Unit.objects.values_list("pk", "code"))
    agencies = dict(Agency.objects.values_list("pk", "code"))
    return [
        {
            "id": row["id"], "reference": row["reference"], "occurred_on": row["occurred_on"],
            "occurred_at": row["occurred_at"], "country": row["country_id"], "place": places.get(row["place_id"]),
            "place_description": row["place_description"], "latitude": row["latitude"],
            "longitude": row["longitude"], "reporting_unit": units.get(row["reporting_unit_id"]),
            "reporting_body": row["reporting_body"], "detection_method": row["detection_method"],
            "transport_mode": row["transport_mode"], "vehicle_plate": row["vehicle_plate"],
            "container_number": row["container_number"], "flight": row["flight"], "train": row["train"],
            "concealment": row["concealment"], "concealment_details": row["concealment_details"],
            "origin_country": row["origin_country_id"], "transit_countries": row["transit_countries"],
            "destination_country": row["destination_country_id"], "persons_arrested": row["persons_arrested"],
            "arrested_nationalities": row["arrested_nationalities"], "narrative": row["narrative"],
            "status": row["status"], "owner_unit": units[row["owner_unit_id"]],
            "owner_agency": agencies[row["owner_agency_id"]],
            "markings": {
                "tlp": Tlp(row["tlp"]).label.removeprefix("TLP:"), "handling_code": row["handling_code"],
                "handling_note": row["handling_note"], "distribution": DISTRIBUTION_NAME_OF[row["distribution"]],
                "sharing_group": row["sharing_group_id"], "grading_scheme": row["grading_scheme"],
                "source_reliability": row["source_reliability"],
                "information_credibility": row["information_credibility"],
            },
            "items": items[row["id"]], "created_at": row["created_at"], "updated_at": row["updated_at"],
        }
        for row in rows
    ]  # fmt: skip


def _with_relations(seizure_id: int, user: Any) -> Seizure:
    return (
        seizure_page_rows(seizure_list(user=user, filters=SeizureFilters()))
        .select_related("owner_agency", "reporting_unit")
        .get(pk=seizure_id)
    )


class InputProblem(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _codes_to_data(payload: SeizureUpdate) -> SeizureData:
    """Resolve the codes an API client sends into the ids the services use."""
    errors: dict[str, list[str]] = {}
    substances = dict(
        Substance.objects.filter(code__in=[item.substance for item in payload.items]).values_list(
            "code", "pk"
        )
    )
    items = []
    for index, item in enumerate(payload.items):
        if item.substance not in substances:
            errors.setdefault(f"items.{index}.substance", []).append(
                f"Unknown substance code {item.substance!r}."
            )
            continue
        items.append(
            ItemData(
                substances[item.substance],
                item.quantity,
                item.unit,
                item.purity_percent,
                item.value,
                item.currency,
                dict(item.attributes),
            )
        )
    place_id = None
    if payload.place:
        place_id = Place.objects.filter(code=payload.place).values_list("pk", flat=True).first()
        if place_id is None:
            errors.setdefault("place", []).append(
                f"Unknown place code {payload.place!r}; see /api/v1/places."
            )
    reporting_unit_id = None
    if payload.reporting_unit:
        reporting_unit_id = (
            Unit.objects.filter(code=payload.reporting_unit).values_list("pk", flat=True).first()
        )
        if reporting_unit_id is None:
            errors.setdefault("reporting_unit", []).append(f"Unknown unit code {payload.reporting_unit!r}.")
    if errors:
        raise InputProblem(errors)
    markings = payload.markings
    return SeizureData(
        reference=payload.reference,
        occurred_on=payload.occurred_on,
        occurred_at=payload.occurred_at,
        country_id=payload.country,
        place_id=place_id,
        place_description=payload.place_description,
        latitude=payload.latitude,
        longitude=payload.longitude,
        reporting_unit_id=reporting_unit_id,
        reporting_body=payload.reporting_body,
        detection_method=payload.detection_method,
        transport_mode=payload.transport_mode,
        vehicle_plate=payload.vehicle_plate,
        container_number=payload.container_number,
        flight=payload.flight,
        train=payload.train,
        concealment=payload.concealment,
        concealment_details=payload.concealment_details,
        origin_country_id=payload.origin_country,
        transit_countries=list(payload.transit_countries),
        destination_country_id=payload.destination_country,
        persons_arrested=payload.persons_arrested,
        arrested_nationalities=list(payload.arrested_nationalities),
        narrative=payload.narrative,
        status=payload.status,
        items=items,
        **markings.as_service_values(),
    )


def _validation_response(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return validation_response(errors, SERVICE_FIELD_NAMES)


@router.get("/substances", response=list[SubstanceOut], tags=["reference data"])
def list_substances(request: HttpRequest) -> Any:
    """The commodity catalogue: drugs grouped as UNODC reports them, and the other families
    (precursors, firearms, counterfeit goods, tobacco and alcohol, wildlife, cultural property,
    currency, nuclear and dual-use goods)."""
    return [
        {
            **{name: getattr(substance, name) for name in SubstanceOut.model_fields},
            "group": substance.group or None,
        }
        for substance in Substance.objects.all()
    ]


class AutocompleteQuery(Schema):
    q: Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[^\x00]*$")]


class ReferenceOut(Schema):
    id: int
    reference: str
    occurred_on: datetime.date


@router.get("/seizures/autocomplete", response=list[ReferenceOut])
def autocomplete_seizures(request: HttpRequest, query: Query[AutocompleteQuery]) -> Any:
    """Up to 10 seizures you may see whose reference starts with `q`."""
    return seizure_references(user=request.user, prefix=query.q)


class StatisticsQuery(Schema):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class StatisticsRow(Schema):
    country: str
    year: int
    cases: int
    kilograms: float


@router.get("/seizures/statistics", response=list[StatisticsRow])
def seizure_statistics_endpoint(request: HttpRequest, query: Query[StatisticsQuery]) -> Any:
    """Cases and kilograms per country and year over the seizures you may count: those you may
    see, plus those that statistics-only agreements release to your agency as totals."""
    rows = seizure_statistics(user=request.user, date_from=query.date_from, date_to=query.date_to)
    return [row | {"kilograms": float(row["kilograms"])} for row in rows]


@router.get("/seizures", response=SeizurePage)
def list_seizures(request: HttpRequest, query: Query[SeizureQuery]) -> Any:
    """Seizures you may see, newest first, filtered like the seizures page."""
    page = seizure_page(
        user=request.user, filters=query.to_filters(), number=query.page, per_page=query.page_size
    )
    payload = {
        "count": page.paginator.count,
        "count_exact": page.paginator.count_exact,  # type: ignore[attr-defined]
        "page": page.number,
        "page_size": query.page_size,
        "results": seizures_out(page.object_list),
    }
    # Written straight to JSON: the page is built from plain values, and validating it again through
    # the schema took longer than the query (tests check every answer against the schema).
    return HttpResponse(json.dumps(payload, cls=DjangoJSONEncoder), content_type="application/json")


@router.post("/seizures", response={201: SeizureOut, 403: Message, 422: ValidationErrors})
def create_seizure(request: HttpRequest, payload: SeizureCreate) -> Any:
    """Record a seizure for one of your units."""
    unit = Unit.objects.filter(code=payload.owner_unit).first()
    if unit is None:
        return _validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    try:
        seizure = seizure_create(actor=request.user, owner_unit_id=unit.pk, data=_codes_to_data(payload))
    except InputProblem as problem:
        return _validation_response(problem.errors)
    except ValidationError as error:
        return _validation_response(error.message_dict)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(201, seizure_out(_with_relations(seizure.pk, request.user)))


@router.get("/seizures/{seizure_id}", response={200: SeizureOut, 404: Message})
def get_seizure(request: HttpRequest, seizure_id: RecordId) -> Any:
    """One seizure in full. Reading it is audited."""
    try:
        seizure = seizure_detail(user=request.user, seizure_id=seizure_id)
    except Seizure.DoesNotExist:
        return Status(404, {"detail": NOT_FOUND})
    return Status(200, seizure_out(seizure))


@router.put(
    "/seizures/{seizure_id}", response={200: SeizureOut, 403: Message, 404: Message, 422: ValidationErrors}
)
def update_seizure(request: HttpRequest, seizure_id: RecordId, payload: SeizureUpdate) -> Any:
    """Replace a seizure's values and items."""
    try:
        seizure_update(actor=request.user, seizure_id=seizure_id, data=_codes_to_data(payload))
    except Seizure.DoesNotExist:
        return Status(404, {"detail": NOT_FOUND})
    except InputProblem as problem:
        return _validation_response(problem.errors)
    except ValidationError as error:
        return _validation_response(error.message_dict)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(200, seizure_out(_with_relations(seizure_id, request.user)))


@router.delete("/seizures/{seizure_id}", response={204: None, 403: Message, 404: Message})
def delete_seizure(request: HttpRequest, seizure_id: RecordId) -> Any:
    """Delete a seizure (supervisors of the owner unit). The audit trail keeps a copy."""
    try:
        seizure_delete(actor=request.user, seizure_id=seizure_id)
    except Seizure.DoesNotExist:
        return Status(404, {"detail": NOT_FOUND})
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(204, None)


class ExportQuery(SeizureQuery):
    format: Annotated[str, Field(pattern=r"^(csv|xlsx|geojson)$")] = "csv"


FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The file, as an attachment",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/geo+json": {"schema": {"type": "object"}},
            },
        }
    }
}


@router.get("/exports/seizures", tags=["exports"], openapi_extra=FILE_RESPONSE)
def export_seizures_file(request: HttpRequest, query: Query[ExportQuery]) -> Any:
    """The seizures you may see, with the list's filters, as CSV, XLSX or GeoJSON. Audited."""
    export = export_seizures(user=request.user, filters=query.to_filters(), file_format=query.format)
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def import_out(batch: SeizureImport, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if errors is None:
        errors = [
            {"row": problem.row, "column": problem.column, "message": problem.message}
            for problem in batch.problems.all()
        ]
    return ImportResult(batch).summary() | {"errors": errors}


@router.post("/imports", response={200: ImportOut, 403: Message, 422: ValidationErrors}, tags=["imports"])
def create_import(
    request: HttpRequest,
    file: File[UploadedFile],
    unit: Form[Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]],
    dry_run: Form[bool] = False,
    tlp: Form[TlpName] = TlpName.AMBER,
    distribution: Form[DistributionName] = DistributionName.AGENCY,
) -> Any:
    """Upload a CSV or XLSX seizure file: every row is imported or rejected with a reason.
    With dry_run, nothing is imported and the check can be committed later."""
    owner = Unit.objects.select_related("agency").filter(code=unit).first()
    if owner is None:
        return _validation_response({"unit": [f"Unknown unit code {unit!r}."]})
    if (file.size or 0) > settings.KORDON_MAX_UPLOAD_BYTES:
        megabytes = settings.KORDON_MAX_UPLOAD_BYTES // (1024 * 1024)
        return _validation_response(
            {"file": [f"The file is larger than {megabytes} MB; split it or use the CLI."]}
        )
    markings = Markings(TLP_BY_NAME[tlp], "H0", DISTRIBUTION_BY_NAME[distribution])
    suffix = Path(file.name or "upload").suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix) as spool:
        for chunk in file.chunks():
            spool.write(chunk)
        spool.flush()
        try:
            result = import_seizures(
                actor=request.user,
                unit=owner,
                path=Path(spool.name),
                file_name=Path(file.name or "upload").name[:255],
                commit=not dry_run,
                markings=markings,
            )
        except PermissionDenied as error:
            return Status(403, {"detail": str(error)})
        if dry_run:
            result.batch.stored_file.save(Path(file.name or "upload").name, spool.file, save=True)
    return Status(200, import_out(result.batch, [problem.as_dict() for problem in result.problems]))


def _import_or_404(request: HttpRequest, import_id: int) -> SeizureImport:
    try:
        return import_get(user=request.user, import_id=import_id)
    except SeizureImport.DoesNotExist:
        raise HttpError(404, "There is no import with this number in your units.") from None


@router.get("/imports/{import_id}", response={200: ImportOut, 404: Message}, tags=["imports"])
def get_import(request: HttpRequest, import_id: RecordId) -> Any:
    """An import's outcome with every problem found."""
    return Status(200, import_out(_import_or_404(request, import_id)))


@router.post(
    "/imports/{import_id}/commit", response={200: ImportOut, 404: Message, 409: Message}, tags=["imports"]
)
def commit_import(request: HttpRequest, import_id: RecordId) -> Any:
    """Import a file that was checked with dry_run."""
    batch = _import_or_404(request, import_id)
    if batch.status != SeizureImport.Status.CHECKED or not batch.stored_file:
        return Status(409, {"detail": "This import is not waiting to be committed; upload the file again."})
    result = import_seizures(
        actor=request.user,
        unit=batch.owner_unit,
        path=Path(batch.stored_file.path),
        file_name=batch.file_name,
        commit=True,
        batch=batch,
        markings=Markings(**batch.markings),
    )
    return Status(200, import_out(result.batch, [problem.as_dict() for problem in result.problems]))


@router.get(
    "/imports/{import_id}/rejected", response={404: Message}, tags=["imports"], openapi_extra=FILE_RESPONSE
)
def rejected_rows(request: HttpRequest, import_id: RecordId) -> Any:
    """The rejected rows as uploaded, with an `errors` column, to fix and upload again."""
    batch = _import_or_404(request, import_id)
    response = HttpResponse(export_rejected_rows(user=request.user, batch=batch), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="rejected-{batch.pk}.csv"'
    return response
