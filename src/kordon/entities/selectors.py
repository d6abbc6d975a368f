"""Reads of watchlists, persons, vehicles, companies and their links, through the policy."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import audit_read
from kordon.entities import records
from kordon.entities.matching import Match, compare, document_key
from kordon.entities.models import (
    Entity,
    EntityKind,
    EntityLink,
    MatchDecision,
    Verdict,
    Watchlist,
    WatchlistVersion,
)
from kordon.entities.names import latin, parse, skeleton
from kordon.entities.object_matching import compare_companies, compare_vehicles
from kordon.entities.services import as_person, phone_key


def watchlist_history(*, user: Any) -> list[Watchlist]:
    """The watchlists `user` may see, each with its versions newest first (`history`)."""
    versions = WatchlistVersion.objects.select_related("imported_by").order_by("-number")
    lists = Watchlist.objects.restrict(user, policy.VIEW).select_related("owner_unit", "current_version")
    return list(
        lists.order_by("name", "pk").prefetch_related(Prefetch("versions", versions, to_attr="history"))
    )


def entities(*, user: Any, query: str = "", kind: str = "") -> QuerySet[Entity]:
    """The entities `user` may see; `query` finds a name in any script or spelling, a document
    or phone number."""
    found = Entity.objects.restrict(user, policy.VIEW).select_related("owner_unit", "owner_agency")
    if kind in EntityKind.values:
        found = found.filter(kind=kind)
    for word in latin(query).split():
        folded = skeleton(parse(word).names[0]) if parse(word).names else word
        digits = phone_key(word)
        condition = Q(search_text__contains=word) | Q(search_text__contains=folded)
        if len(digits) >= 4:
            condition |= Q(search_text__contains=digits)
        found = found.filter(condition)
    return found.order_by("name", "pk")


def entity_detail(*, user: Any, entity_id: int) -> Entity:
    """An entity `user` may see (404 otherwise); the read is audited."""
    entity = get_object_or_404(
        Entity.objects.restrict(user, policy.VIEW).select_related("owner_unit", "owner_agency", "created_by"),
        pk=entity_id,
    )
    return audit_read(user, entity)


@dataclass
class LinkView:
    """One visible link, seen from an entity: what is at its other end."""

    link: EntityLink
    role: str
    entity: Entity | None = None  # the entity at the other end
    record: Any = None  # or the record
    record_kind: str = ""
    url: str = ""
    on: datetime.date | None = None
    outgoing: bool = True  # the link was written from this entity

    @property
    def label(self) -> str:
        return str(self.entity) if self.entity is not None else str(self.record)


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else None


def links_of(*, user: Any, entity_ids: list[int]) -> list[LinkView]:
    """The links of these entities whose other end `user` may see."""
    visible = Entity.objects.restrict(user, policy.VIEW)
    found = list(
        EntityLink.objects.filter(Q(entity_id__in=entity_ids) | Q(other_id__in=entity_ids)).select_related(
            "owner_unit"
        )
    )
    ends = {link.other_id for link in found if link.other_id} | {link.entity_id for link in found}
    shown = {entity.pk: entity for entity in visible.filter(pk__in=ends).select_related("owner_agency")}
    wanted: dict[str, set[int]] = defaultdict(set)
    for link in found:
        if link.record_id is not None:
            wanted[link.record_type].add(link.record_id)
    seen = {
        kind: records.visible(user, kind, ids) for kind, ids in wanted.items() if kind in records.LINKABLE
    }
    views: list[LinkView] = []
    for link in found:
        role = link.get_role_display()
        if link.record_id is not None:
            record = seen.get(link.record_type, {}).get(link.record_id)
            if record is None:
                continue
            linkable = records.LINKABLE[link.record_type]
            views.append(
                LinkView(
                    link,
                    role,
                    record=record,
                    record_kind=link.record_type,
                    url=linkable.url(record.pk),
                    on=_day(getattr(record, linkable.date_field)),
                )
            )
            continue
        outgoing = link.entity_id in entity_ids
        other = shown.get(link.other_id if outgoing else link.entity_id)
        if other is None or link.entity_id not in shown or link.other_id not in shown:
            continue
        views.append(LinkView(link, role, entity=other, outgoing=outgoing))
    views.sort(key=lambda view: (view.on is None, view.on or datetime.date.min, view.link.pk))
    return views


def same_person(*, user: Any, entity: Entity) -> list[Entity]:
    """The records decided to be the same as `entity` (directly or through others) that `user`
    may see, `entity` first."""
    visible = Entity.objects.restrict(user, policy.VIEW)
    members = {entity.pk}
    frontier = {entity.pk}
    while frontier:
        pairs = MatchDecision.objects.filter(
            Q(first_id__in=frontier) | Q(second_id__in=frontier), verdict=Verdict.SAME
        ).values_list("first_id", "second_id")
        reached = {identifier for pair in pairs for identifier in pair} - members
        reached = set(visible.filter(pk__in=reached).values_list("pk", flat=True))
        members |= reached
        frontier = reached
    others = visible.filter(pk__in=members - {entity.pk}).select_related("owner_unit", "owner_agency")
    return [entity, *sorted(others, key=lambda other: other.pk)]


@dataclass
class MergedValue:
    value: str
    sources: list[Entity] = field(default_factory=list)


def merged(members: list[Entity]) -> list[tuple[str, list[MergedValue]]]:
    """Every value the records of one person give, field by field, each with the records
    (and so the agencies) that give it."""
    fields: list[tuple[str, Any]] = [
        (_("Names"), lambda entity: [entity.name, *entity.alt_names]),
        (_("Birth date"), lambda entity: [entity.birth_date]),
        (_("Nationality"), lambda entity: [entity.country]),
        (_("Gender"), lambda entity: [entity.gender]),
        (
            _("Documents"),
            lambda entity: [
                " ".join(filter(None, [document["number"], document.get("country", "")]))
                for document in entity.documents
            ],
        ),
        (_("Phones"), lambda entity: entity.phones),
        (_("Addresses"), lambda entity: entity.addresses),
        (_("Details"), lambda entity: [f"{key}: {value}" for key, value in entity.details.items()]),
    ]
    rows = []
    for label, values_of in fields:
        values: dict[str, MergedValue] = {}
        for member in members:
            for value in values_of(member):
                if value:
                    values.setdefault(value, MergedValue(value)).sources.append(member)
        if values:
            rows.append((label, list(values.values())))
    return rows


def suggestions(*, user: Any, entity: Entity) -> list[tuple[MatchDecision, Entity]]:
    """Pairs with `entity` waiting for a decision (or marked unsure), with the other record."""
    decisions = MatchDecision.objects.filter(
        Q(first=entity) | Q(second=entity), verdict__in=[Verdict.PENDING, Verdict.UNSURE]
    )
    others = {
        decision.second_id if decision.first_id == entity.pk else decision.first_id for decision in decisions
    }
    shown = {
        other.pk: other
        for other in Entity.objects.restrict(user, policy.VIEW)
        .filter(pk__in=others)
        .select_related("owner_agency")
    }
    pairs = []
    for decision in decisions:
        other = shown.get(decision.second_id if decision.first_id == entity.pk else decision.first_id)
        if other is not None:
            pairs.append((decision, other))
    return pairs


def _object_fields(entity: Entity, name: str) -> dict[str, Any]:
    return {"plate": name, "name": name, "country": entity.country, **entity.details}


def pair_match(first: Entity, second: Entity) -> Match:
    """Why two records look like one person (or one vehicle, one company): the scorer's best
    match of their names."""
    if first.kind in (EntityKind.VEHICLE, EntityKind.COMPANY):
        compare_objects = compare_vehicles if first.kind == EntityKind.VEHICLE else compare_companies
        return max(
            (
                compare_objects(_object_fields(first, one), _object_fields(second, other))
                for one in [first.name, *first.alt_names]
                for other in [second.name, *second.alt_names]
            ),
            key=lambda match: match.score,
        )
    persons = [as_person(first, name) for name in [first.name, *first.alt_names]]
    others = [as_person(second, name) for name in [second.name, *second.alt_names]]
    return max((compare(one, other) for one in persons for other in others), key=lambda match: match.score)


def review_queue(*, user: Any, verdict: str = Verdict.PENDING) -> QuerySet[MatchDecision]:
    """The pairs whose two records `user` may see, with the given verdict, best first."""
    visible = Entity.objects.restrict(user, policy.VIEW).values("pk")
    return (
        MatchDecision.objects.filter(verdict=verdict, first__in=visible, second__in=visible)
        .select_related("first__owner_agency", "second__owner_agency", "decided_by")
        .order_by("-score", "pk")
    )


# A link chart stops growing at this many nodes: beyond it nobody can read it.
CHART_NODES = 150


def _entity_node(entity: Entity) -> dict[str, Any]:
    return {
        "id": f"entity-{entity.pk}",
        "label": entity.name,
        "kind": entity.kind,
        "agency": entity.owner_agency.code,
        "url": reverse("entities:detail", args=[entity.pk]),
    }


def neighbourhood(*, user: Any, entity: Entity, hops: int = 2) -> dict[str, list[dict[str, Any]]]:
    """The link chart of `entity`: the records of the same person, what they are linked to
    (entities and records) and, a hop further, what those are linked to, as nodes and edges.
    Only what `user` may see is drawn; a phone or document number that two drawn entities share
    is drawn as a node between them."""
    visible = Entity.objects.restrict(user, policy.VIEW).select_related("owner_agency")
    members = same_person(user=user, entity=entity)
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    drawn: dict[int, Entity] = {}
    for member in members:
        nodes[f"entity-{member.pk}"] = _entity_node(member) | {"start": True}
        drawn[member.pk] = member
        if member.pk != entity.pk:
            edges[(f"entity-{entity.pk}", f"entity-{member.pk}", "same")] = {"label": _("same person")}
    entity_frontier = set(drawn)
    record_frontier: dict[str, set[int]] = defaultdict(set)
    for _hop in range(hops):
        condition = Q(entity_id__in=entity_frontier) | Q(other_id__in=entity_frontier)
        for kind, ids in record_frontier.items():
            condition |= Q(record_type=kind, record_id__in=ids)
        found = list(EntityLink.objects.filter(condition))
        new_entities = {link.entity_id for link in found} | {link.other_id for link in found if link.other_id}
        new_entities -= set(drawn)
        for other in visible.filter(pk__in=new_entities)[:CHART_NODES]:
            drawn[other.pk] = other
        wanted: dict[str, set[int]] = defaultdict(set)
        for link in found:
            if link.record_id is not None and link.record_type in records.LINKABLE:
                wanted[link.record_type].add(link.record_id)
        seen = {kind: records.visible(user, kind, ids) for kind, ids in wanted.items()}
        next_entities: set[int] = set()
        next_records: dict[str, set[int]] = defaultdict(set)
        for link in found:
            if link.entity_id not in drawn or len(nodes) >= CHART_NODES:
                continue
            source = f"entity-{link.entity_id}"
            if source not in nodes:
                nodes[source] = _entity_node(drawn[link.entity_id])
                next_entities.add(link.entity_id)
            if link.other_id:
                if link.other_id not in drawn:
                    continue
                target = f"entity-{link.other_id}"
                if target not in nodes:
                    nodes[target] = _entity_node(drawn[link.other_id])
                    next_entities.add(link.other_id)
            else:
                record = seen.get(link.record_type, {}).get(link.record_id or 0)
                if record is None:
                    continue
                target = f"{link.record_type}-{record.pk}"
                if target not in nodes:
                    linkable = records.LINKABLE[link.record_type]
                    nodes[target] = {
                        "id": target,
                        "label": getattr(record, "reference", str(record)),
                        "kind": link.record_type,
                        "agency": record.owner_agency.code,
                        "url": linkable.url(record.pk),
                    }
                    next_records[link.record_type].add(record.pk)
            edges[(source, target, link.role)] = {"label": link.get_role_display()}
        entity_frontier, record_frontier = next_entities, next_records
    _shared_numbers(drawn, nodes, edges)
    return {
        "nodes": list(nodes.values()),
        "edges": [
            {"source": source, "target": target, "role": role, **values}
            for (source, target, role), values in edges.items()
        ],
    }


def _shared_numbers(
    drawn: dict[int, Entity],
    nodes: dict[str, dict[str, Any]],
    edges: dict[tuple[str, str, str], dict[str, Any]],
) -> None:
    """Draw a phone or document number that two drawn entities share (one of them may be the
    phone or document itself) as one node linked to both."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    shown = {int(node_id.removeprefix("entity-")) for node_id in nodes if node_id.startswith("entity-")}
    for entity_id in shown:
        entity = drawn[entity_id]
        for phone in entity.phones:
            holders[("phone", phone_key(phone))].add(f"entity-{entity_id}")
        for document in entity.documents:
            holders[("document", document_key(document["number"]))].add(f"entity-{entity_id}")
        if entity.kind == EntityKind.PHONE:
            holders[("phone", phone_key(entity.name))].add(f"entity-{entity_id}")
        if entity.kind == EntityKind.DOCUMENT:
            holders[("document", document_key(entity.name))].add(f"entity-{entity_id}")
    for (kind, number), owners in holders.items():
        if len(owners) < 2 or not number:
            continue
        node_id = f"{kind}-{number}"
        nodes[node_id] = {"id": node_id, "label": number, "kind": f"{kind}_number", "agency": "", "url": ""}
        for owner in sorted(owners):
            edges[(owner, node_id, "number")] = {"label": _("phone") if kind == "phone" else _("document")}
