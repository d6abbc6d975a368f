"""Watchlists and entities as FollowTheMoney JSON lines, as OpenSanctions' tools (yente,
nomenklatura) and partners' systems read them. Written by hand from the FtM schema rather than
through the `followthemoney` package, whose dependencies (PyICU, built from source) are not
worth it for a few properties per schema; a test checks the lines against the schemas' property
names (restated there from FtM 4).

Kordon's kinds map to FtM schemas: person → Person, company → Company, vehicle → Vehicle,
vessel or container → Vessel, document → Identification, phone → UserAccount (FtM has no
phone of its own; a line is an account with its operator). A link between entities is an
UnknownLink with its role; a seizure, alert or request an entity is linked to is an Event that
involves it."""

import json
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_log
from kordon.entities import records
from kordon.entities.models import Entity, EntityKind, EntityLink, Watchlist, WatchlistEntry

# The FtM Person properties an entry fills, in the order of the watchlist file's columns.
PERSON_PROPERTIES = ("name", "alias", "birthDate", "nationality", "idNumber", "gender", "notes")


def _entity(watchlist: Watchlist, entry: WatchlistEntry) -> dict[str, Any]:
    values = {
        "name": [entry.name],
        "alias": entry.alt_names,
        "birthDate": [entry.birth_date] if entry.birth_date else [],
        "nationality": [entry.nationality.lower()] if entry.nationality else [],
        "idNumber": [entry.document_number] if entry.document_number else [],
        "gender": [entry.gender] if entry.gender else [],
        "notes": [entry.notes] if entry.notes else [],
    }
    return {
        "id": f"kordon-watchlist-{watchlist.pk}-{slugify(entry.external_id) or entry.pk}",
        "schema": "Person",
        "properties": {name: values[name] for name in PERSON_PROPERTIES if values[name]},
        "datasets": [f"kordon-watchlist-{watchlist.pk}"],
    }


def watchlist_ftm(*, user: Any, watchlist_id: int) -> tuple[Watchlist, Iterator[str]]:
    """The current version of a watchlist `user` may export, as FtM JSON lines; audited.
    Raises Watchlist.DoesNotExist for a list that is missing, empty or not theirs to export."""
    watchlist = (
        Watchlist.objects.restrict(user, policy.EXPORT)
        .select_related("current_version")
        .get(pk=watchlist_id, current_version__isnull=False)
    )
    version = watchlist.current_version
    assert version is not None  # the query asks for one
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            instance=watchlist,
            after={"format": "ftm", "version": version.number, "entries": version.entry_count},
        )
    entries = WatchlistEntry.objects.filter(version=version).order_by("pk").iterator(chunk_size=5000)
    return watchlist, (json.dumps(_entity(watchlist, entry), ensure_ascii=False) + "\n" for entry in entries)


SCHEMAS = {
    EntityKind.PERSON: "Person",
    EntityKind.COMPANY: "Company",
    EntityKind.VEHICLE: "Vehicle",
    EntityKind.VESSEL: "Vessel",
    EntityKind.DOCUMENT: "Identification",
    EntityKind.PHONE: "UserAccount",
}
LEGAL_ENTITIES = {EntityKind.PERSON, EntityKind.COMPANY}


def _entity_id(entity_id: int) -> str:
    return f"kordon-entity-{entity_id}"


def _properties(entity: Entity) -> dict[str, list[str]]:
    country = [entity.country.lower()] if entity.country else []
    numbers = entity.document_numbers()
    values: dict[str, list[str]] = {"notes": [entity.notes] if entity.notes else []}
    if entity.kind == EntityKind.PERSON:
        values |= {
            "name": [entity.name],
            "alias": entity.alt_names,
            "birthDate": [entity.birth_date] if entity.birth_date else [],
            "nationality": country,
            "gender": [entity.gender] if entity.gender else [],
            "idNumber": numbers,
            "phone": entity.phones,
            "address": entity.addresses,
        }
    elif entity.kind == EntityKind.COMPANY:
        values |= {
            "name": [entity.name],
            "alias": entity.alt_names,
            "jurisdiction": country,
            "registrationNumber": [entity.details["registration_number"]]
            if "registration_number" in entity.details
            else [],
            "legalForm": [entity.details["legal_form"]] if "legal_form" in entity.details else [],
            "phone": entity.phones,
            "address": entity.addresses,
        }
    elif entity.kind in (EntityKind.VEHICLE, EntityKind.VESSEL):
        model = " ".join(filter(None, [entity.details.get("make", ""), entity.details.get("model", "")]))
        values |= {
            "name": [entity.name],
            "registrationNumber": [entity.name],
            "model": [model] if model else [],
            "country": country,
        }
        if entity.kind == EntityKind.VESSEL:
            values |= {
                "imoNumber": [entity.details["imo_number"]] if "imo_number" in entity.details else [],
                "flag": [entity.details["flag"].lower()] if "flag" in entity.details else [],
            }
    elif entity.kind == EntityKind.DOCUMENT:
        values |= {
            "number": [entity.name],
            "country": country,
            "type": [entity.details["document_type"]] if "document_type" in entity.details else [],
        }
    else:  # a phone
        values |= {
            "phone": [entity.name],
            "country": country,
            "service": [entity.details["operator"]] if "operator" in entity.details else [],
        }
    return {name: value for name, value in values.items() if value}


def _line(schema: str, identifier: str, properties: dict[str, list[str]]) -> str:
    entity = {"id": identifier, "schema": schema, "properties": properties, "datasets": ["kordon"]}
    return json.dumps(entity, ensure_ascii=False) + "\n"


def entities_ftm(*, user: Any) -> Iterator[str]:
    """Every entity `user` may export, the links between them and the records they are linked
    to that `user` may see, as FtM JSON lines; the export is audited."""
    exported = {
        entity.pk: entity
        for entity in Entity.objects.restrict(user, policy.EXPORT).order_by("pk").iterator(chunk_size=2000)
    }
    links = list(EntityLink.objects.filter(entity_id__in=list(exported)).order_by("pk"))
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            object_type="entities.entity",
            object_repr="FtM",
            after={"format": "ftm", "entities": len(exported)},
        )
    return _entities_lines(user, exported, links)


def _entities_lines(user: Any, exported: dict[int, Entity], links: list[EntityLink]) -> Iterator[str]:
    for entity in exported.values():
        yield _line(SCHEMAS[EntityKind(entity.kind)], _entity_id(entity.pk), _properties(entity))
    involved: dict[tuple[str, int], set[int]] = {}
    for link in links:
        if link.other_id is not None:
            if link.other_id not in exported:
                continue
            subject, other = exported[link.entity_id], exported[link.other_id]
            if subject.kind not in LEGAL_ENTITIES and other.kind in LEGAL_ENTITIES:
                subject, other = other, subject  # an UnknownLink's subject is a legal entity
            yield _line(
                "UnknownLink",
                f"kordon-link-{link.pk}",
                {"subject": [_entity_id(subject.pk)], "object": [_entity_id(other.pk)], "role": [link.role]},
            )
        elif link.record_type in records.LINKABLE and exported[link.entity_id].kind in LEGAL_ENTITIES:
            involved.setdefault((link.record_type, link.record_id or 0), set()).add(link.entity_id)
    kinds: dict[str, set[int]] = {}
    for kind, record_id in involved:
        kinds.setdefault(kind, set()).add(record_id)
    for kind, ids in kinds.items():
        linkable = records.LINKABLE[kind]
        for record_id, record in sorted(records.visible(user, kind, ids).items()):
            when = getattr(record, linkable.date_field)
            yield _line(
                "Event",
                f"kordon-{kind}-{record_id}",
                {
                    "name": [getattr(record, "reference", str(record))],
                    "date": [when.date().isoformat() if hasattr(when, "date") else when.isoformat()]
                    if when
                    else [],
                    "involved": [_entity_id(entity_id) for entity_id in sorted(involved[(kind, record_id)])],
                },
            )
