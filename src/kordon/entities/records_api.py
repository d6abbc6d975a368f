"""REST API of persons, companies, vehicles, vessels, phones and documents: the records, their
links, the link chart, the review queue and linking runs, and the FtM export. Everything answers
through the one policy: a record the caller may not see is 404, like a missing one."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from kordon.access.schemas import Markings, MarkingsOut, markings_out
from kordon.core.models import Unit
from kordon.core.schemas import NO_NUL, Message, ValidationErrors, invalid, one_of, validation_response
from kordon.entities import selectors, services
from kordon.entities.exports import entities_ftm
from kordon.entities.models import (
    DocumentType,
    Entity,
    EntityKind,
    EntityLink,
    LinkingRun,
    LinkRole,
    MatchDecision,
    Verdict,
)
from kordon.entities.records import LINKABLE

router = Router(tags=["persons and objects"])
Short = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
NOT_FOUND = {"detail": "Not found."}


class IdentityDocumentIn(Schema):
    number: Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=NO_NUL)]
    country: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = ""
    type: one_of(DocumentType.values) = DocumentType.PASSPORT  # type: ignore[valid-type]


class EntityIn(Schema):
    kind: one_of(EntityKind.values)  # type: ignore[valid-type]
    name: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)] = Field(
        description="A person's or company's name in any script; a vehicle's plate; a phone or document number"
    )
    alt_names: list[Short] = Field(default=[], max_length=20)
    birth_date: Annotated[str, StringConstraints(max_length=10, pattern=NO_NUL)] = Field(
        default="", description="1975-03-12, 12.03.1975, 1975-03 or 1975 (persons only)"
    )
    country: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = Field(
        default="", description="Nationality of a person; country of anything else (KG, KGZ or Кыргызстан)"
    )
    gender: Literal["male", "female", ""] = ""
    documents: list[IdentityDocumentIn] = Field(default=[], max_length=20)
    phones: list[Annotated[str, StringConstraints(max_length=40, pattern=NO_NUL)]] = Field(
        default=[], max_length=20
    )
    addresses: list[Short] = Field(default=[], max_length=20)
    details: dict[str, Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]] = Field(
        default={},
        description="vin, make, model, colour (vehicle); imo_number, flag, container_type (vessel); registration_number, legal_form (company); operator (phone); document_type, valid_until (document)",
    )
    notes: Annotated[str, StringConstraints(max_length=5000, pattern=NO_NUL)] = ""
    markings: Markings = Markings()


class EntityCreateIn(EntityIn):
    owner_unit: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)] = Field(
        description="code of the unit that records it, from /units"
    )


class EntityOut(Schema):
    id: int
    kind: str
    name: str
    alt_names: list[str]
    birth_date: str
    country: str
    gender: str
    documents: list[dict[str, str]]
    phones: list[str]
    addresses: list[str]
    details: dict[str, str]
    notes: str
    owner_unit: str
    owner_agency: str
    markings: MarkingsOut
    created_at: datetime.datetime


class EntityLinkOut(Schema):
    id: int
    role: str
    entity: int | None = Field(description="the entity at the other end")
    record_type: str
    record_id: int | None
    record_reference: str
    on: datetime.date | None
    recorded_by_unit: str


class EntityDetailOut(EntityOut):
    links: list[EntityLinkOut]
    same_as: list[int] = Field(description="records decided to be the same person, that you may see")


def _entity_out(entity: Entity) -> dict[str, Any]:
    return {
        **{
            name: getattr(entity, name)
            for name in ("id", "kind", "name", "alt_names", "birth_date", "country")
        },
        **{name: getattr(entity, name) for name in ("gender", "documents", "phones", "addresses", "details")},
        "notes": entity.notes,
        "owner_unit": entity.owner_unit.code,
        "owner_agency": entity.owner_agency.code,
        "markings": markings_out(entity),
        "created_at": entity.created_at,
    }


def _data(payload: EntityIn) -> services.EntityData:
    return services.EntityData(
        **payload.dict(exclude={"markings", "owner_unit", "documents"}),
        documents=[document.dict() for document in payload.documents],
        **payload.markings.as_service_values(),
    )


class EntityQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)] = Field(
        default="", description="a name in any script or spelling, a document or phone number"
    )
    kind: one_of(EntityKind.values) | None = None  # type: ignore[valid-type]
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@router.get("/entities", response=list[EntityOut])
def list_entities(request: HttpRequest, query: Query[EntityQuery]) -> Any:
    """Persons and objects you may see, by name."""
    found = selectors.entities(user=request.user, query=query.q, kind=query.kind or "")
    return [_entity_out(entity) for entity in found[query.offset : query.offset + query.limit]]


@router.post("/entities", response={201: EntityOut, 403: Message, 422: ValidationErrors})
def create_entity(request: HttpRequest, payload: EntityCreateIn) -> Any:
    unit = Unit.objects.filter(code=payload.owner_unit).first()
    if unit is None:
        return validation_response({"owner_unit": [f"Unknown unit code {payload.owner_unit!r}."]})
    try:
        entity = services.entity_create(actor=request.user, unit_id=unit.pk, data=_data(payload))
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, _entity_out(entity))


@router.get("/entities/{entity_id}", response={200: EntityDetailOut, 404: Message})
def get_entity(request: HttpRequest, entity_id: int) -> Any:
    """One record (the read is audited), its links and the records decided to be the same person."""
    try:
        entity = selectors.entity_detail(user=request.user, entity_id=entity_id)
    except Http404:
        return Status(404, NOT_FOUND)
    members = selectors.same_person(user=request.user, entity=entity)
    links = selectors.links_of(user=request.user, entity_ids=[entity.pk])
    return {
        **_entity_out(entity),
        "same_as": [member.pk for member in members[1:]],
        "links": [
            {
                "id": view.link.pk,
                "role": view.link.role,
                "entity": view.entity.pk if view.entity else None,
                "record_type": view.record_kind,
                "record_id": view.record.pk if view.record is not None else None,
                "record_reference": getattr(view.record, "reference", "") if view.record is not None else "",
                "on": view.on,
                "recorded_by_unit": view.link.owner_unit.code,
            }
            for view in links
        ],
    }


@router.put(
    "/entities/{entity_id}", response={200: EntityOut, 403: Message, 404: Message, 422: ValidationErrors}
)
def update_entity(request: HttpRequest, entity_id: int, payload: EntityIn) -> Any:
    """Change a record. Its kind stays; only its owner unit may release it more widely."""
    try:
        entity = services.entity_update(actor=request.user, entity_id=entity_id, data=_data(payload))
    except Entity.DoesNotExist:
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return _entity_out(entity)


class EntityLinkIn(Schema):
    role: one_of(LinkRole.values)  # type: ignore[valid-type]
    other: int | None = Field(default=None, ge=1, le=2**62, description="another entity's id")
    record_type: one_of(list(LINKABLE)) | None = None  # type: ignore[valid-type]
    reference: Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)] = Field(
        default="", description="the record's reference or id, with record_type"
    )
    note: Short = ""


class EntityLinkCreatedOut(Schema):
    id: int


@router.post(
    "/entities/{entity_id}/links",
    response={201: EntityLinkCreatedOut, 403: Message, 404: Message, 422: ValidationErrors},
)
def add_link(request: HttpRequest, entity_id: int, payload: EntityLinkIn) -> Any:
    """Link a record to another entity (`other`) or to a seizure, alert or request
    (`record_type` and `reference`), in a role."""
    if (payload.other is None) == (payload.record_type is None):
        return validation_response({"other": ["Give either another entity or a record_type and reference."]})
    try:
        if payload.other is not None:
            link = services.entity_link_entity(
                actor=request.user,
                entity_id=entity_id,
                other_id=payload.other,
                role=payload.role,
                note=payload.note,
            )
        else:
            link = services.entity_link_record(
                actor=request.user,
                entity_id=entity_id,
                record_type=str(payload.record_type),
                reference=payload.reference,
                role=payload.role,
                note=payload.note,
            )
    except Entity.DoesNotExist:
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    except ValidationError as error:
        return invalid(error)
    return Status(201, {"id": link.pk})


@router.delete("/entity-links/{link_id}", response={204: None, 403: Message, 404: Message})
def remove_link(request: HttpRequest, link_id: int) -> Any:
    try:
        services.entity_link_remove(actor=request.user, link_id=link_id)
    except EntityLink.DoesNotExist:
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(204, None)


class ChartNodeOut(Schema):
    id: str
    label: str
    kind: str
    agency: str
    url: str


class ChartEdgeOut(Schema):
    source: str
    target: str
    role: str
    label: str


class ChartOut(Schema):
    nodes: list[ChartNodeOut]
    edges: list[ChartEdgeOut]


@router.get("/entities/{entity_id}/graph", response={200: ChartOut, 404: Message})
def entity_graph(request: HttpRequest, entity_id: int) -> Any:
    """The link chart: two hops of entities and records around this one, as far as you may see."""
    try:
        entity = selectors.entity_detail(user=request.user, entity_id=entity_id)
    except Http404:
        return Status(404, NOT_FOUND)
    return selectors.neighbourhood(user=request.user, entity=entity)


class EntityPairOut(Schema):
    id: int
    first: int
    second: int
    score: float
    verdict: str
    explanation: str


class EntityPairQuery(Schema):
    verdict: one_of(Verdict.values) = Verdict.PENDING  # type: ignore[valid-type]
    limit: int = Field(default=50, ge=1, le=500)


@router.get("/entity-pairs", response=list[EntityPairOut])
def review_queue(request: HttpRequest, query: Query[EntityPairQuery]) -> Any:
    """Pairs of person records a linking run found alike, both of which you may see, best first."""
    pairs = selectors.review_queue(user=request.user, verdict=query.verdict)[: query.limit]
    return [
        {
            "id": pair.pk,
            "first": pair.first_id,
            "second": pair.second_id,
            "score": round(pair.score, 4),
            "verdict": pair.verdict,
            "explanation": selectors.pair_match(pair.first, pair.second).explanation,
        }
        for pair in pairs
    ]


class EntityPairDecisionIn(Schema):
    verdict: Literal["same", "not_same", "unsure"]
    note: Short = ""


@router.post("/entity-pairs/{pair_id}/decision", response={200: EntityPairOut, 403: Message, 404: Message})
def decide(request: HttpRequest, pair_id: int, payload: EntityPairDecisionIn) -> Any:
    """Say whether the two records are one person; later runs keep the decision."""
    try:
        pair = services.match_decide(
            actor=request.user, decision_id=pair_id, verdict=payload.verdict, note=payload.note
        )
    except MatchDecision.DoesNotExist:
        return Status(404, NOT_FOUND)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return {
        "id": pair.pk,
        "first": pair.first_id,
        "second": pair.second_id,
        "score": round(pair.score, 4),
        "verdict": pair.verdict,
        "explanation": "",
    }


class LinkingRunOut(Schema):
    id: int
    status: str
    progress: int
    records: int
    suggested: int
    queued: int
    clusters: int
    threshold: float
    error: str


def _run_out(run: LinkingRun) -> dict[str, Any]:
    return {name: getattr(run, name) for name in LinkingRunOut.model_fields}


@router.post("/linking-runs", response={202: LinkingRunOut, 403: Message})
def start_run(request: HttpRequest) -> Any:
    """Compare all the person records you may see, in the background (`kordon work`)."""
    try:
        run = services.linking_request(actor=request.user)
    except PermissionDenied as error:
        return Status(403, {"detail": str(error)})
    return Status(202, _run_out(run))


@router.get("/linking-runs/{run_id}", response={200: LinkingRunOut, 404: Message})
def get_run(request: HttpRequest, run_id: int) -> Any:
    run = LinkingRun.objects.filter(pk=run_id, requested_by_id=request.user.pk).first()
    if run is None:
        return Status(404, NOT_FOUND)
    return _run_out(run)


@router.get("/entities-export/ftm", response={200: None})
def export_ftm(request: HttpRequest) -> Any:
    """Every record you may export as FollowTheMoney JSON lines (Person, Company, Vehicle,
    Vessel, Identification, UserAccount, UnknownLink, Event); the export is audited."""
    return StreamingHttpResponse(entities_ftm(user=request.user), content_type="application/x-ndjson")
