"""A seizure as it travels between nodes: codes instead of database ids, decimals as text.

Countries, substances and places are named by their codes, which every node shares through its
reference data; agencies and units by their codes too, with their names, so that a node can show
a unit it has never heard of. A sharing group is local to a node and does not travel.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kordon.core.models import Agency, Place, Unit
from kordon.seizures.models import Seizure, SeizureItem, Substance
from kordon.seizures.services import EVENT_FIELDS, ItemData, SeizureData

SEIZURE = "seizure"

# SeizureData fields that hold database ids, and how they travel.
_CODED = {"place_id", "reporting_unit_id", "sharing_group_id"}


class BadRecord(Exception):
    """A record in a change set that this node cannot read."""


def version(moment: datetime.datetime) -> str:
    """A record's version: its last change in UTC, fixed width, so versions compare as text."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def owner_fields(unit: Unit) -> dict[str, Any]:
    return {
        "agency": unit.agency.code,
        "agency_name": unit.agency.name,
        "agency_names": unit.agency.names,
        "agency_kind": unit.agency.kind,
        "agency_country": unit.agency.country_id,
        "unit": unit.code,
        "unit_name": unit.name,
        "unit_names": unit.names,
        "unit_kind": unit.kind,
    }


# The seizure's own columns that travel as they are (SeizureData's fields less the coded ones).
_PLAIN = [name for name in EVENT_FIELDS if name not in _CODED]


def encode_seizures(ids: list[int]) -> list[tuple[int, datetime.datetime, dict[str, Any]]]:
    """(local id, last change, record) of the seizures `ids`, in id order. Read as plain rows, not as
    model instances: a change set carries a thousand seizures, and building models for them and
    their items took most of the sender's time."""
    rows = list(
        Seizure.objects.filter(pk__in=ids)
        .order_by("pk")
        .values("pk", "updated_at", "owner_unit_id", "place_id", "reporting_unit_id", *_PLAIN)
    )
    items: dict[int, list[dict[str, Any]]] = {}
    for item in (
        SeizureItem.objects.filter(seizure_id__in=ids)
        .order_by("seizure_id", "pk")
        .values(
            "seizure_id",
            "substance__code",
            "quantity",
            "unit",
            "purity_percent",
            "value",
            "currency",
            "attributes",
        )
    ):
        items.setdefault(item["seizure_id"], []).append(
            {
                "substance": item["substance__code"],
                "quantity": str(item["quantity"]),
                "unit": item["unit"],
                "purity_percent": _text(item["purity_percent"]),
                "value": _text(item["value"]),
                "currency": item["currency"],
                "attributes": item["attributes"],
            }
        )
    unit_ids = {row["owner_unit_id"] for row in rows} | {row["reporting_unit_id"] for row in rows}
    units = Unit.objects.select_related("agency").in_bulk(unit_ids - {None})
    places = dict(
        Place.objects.filter(pk__in={row["place_id"] for row in rows} - {None}).values_list("pk", "code")
    )
    encoded = []
    for row in rows:
        record = {name: _text(row[name]) for name in _PLAIN}
        record["place"] = places.get(row["place_id"], "")
        record["reporting_unit"] = units[row["reporting_unit_id"]].code if row["reporting_unit_id"] else ""
        record["owner"] = owner_fields(units[row["owner_unit_id"]])
        record["items"] = items.get(row["pk"], [])
        encoded.append((row["pk"], row["updated_at"], record))
    return encoded


def _decimal(value: Any, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise BadRecord(f"{name} is not a number: {value!r}") from error


def owner_unit_for(owner: dict[str, Any], made: list[str]) -> Unit:
    """The local row of the record's owner unit, made (with its agency) when this node has not
    heard of it yet: a record from another node is owned by a unit there. What is made is named
    in `made`, for the change set's audit line."""
    try:
        agency = Agency.objects.filter(code=owner["agency"]).first()
        if agency is None:
            made.append(f"agency {owner['agency']}")
            agency = Agency.objects.create(
                code=owner["agency"],
                name=owner["agency_name"],
                names=owner.get("agency_names") or {},
                kind=owner["agency_kind"],
                country_id=owner["agency_country"],
            )
        unit = Unit.objects.filter(code=owner["unit"]).first()
        if unit is None:
            made.append(f"unit {owner['unit']}")
            unit = Unit.objects.create(
                code=owner["unit"],
                name=owner["unit_name"],
                names=owner.get("unit_names") or {},
                kind=owner["unit_kind"],
                agency=agency,
            )
    except (KeyError, TypeError) as error:
        raise BadRecord(f"the owner is incomplete: {error}") from error
    if unit.agency_id != agency.pk:
        raise BadRecord(f"the unit {unit.code} belongs to another agency on this node than {agency.code}")
    return unit


@dataclass
class Codes:
    """The codes of this node's reference data, read once per change set: code -> id here."""

    substances: dict[str, int]
    places: dict[str, int]
    units: dict[str, int]

    @classmethod
    def load(cls) -> "Codes":
        return cls(
            substances=dict(Substance.objects.values_list("code", "pk")),
            places=dict(Place.objects.values_list("code", "pk")),
            units=dict(Unit.objects.values_list("code", "pk")),
        )


def decode_seizure(record: dict[str, Any], codes: Codes) -> SeizureData:
    """The seizure's values; BadRecord when a field is missing or a code unknown here."""
    try:
        values = {name: record[name] for name in _PLAIN}
        values["occurred_on"] = datetime.date.fromisoformat(values["occurred_on"])
        if values["occurred_at"]:
            values["occurred_at"] = datetime.time.fromisoformat(values["occurred_at"])
        values["place_id"] = codes.places.get(record["place"]) if record["place"] else None
        if (
            record["place"] and values["place_id"] is None
        ):  # a place this node's gazetteer lacks: keep its code
            values["place_description"] = values["place_description"] or record["place"]
        values["reporting_unit_id"] = (
            codes.units.get(record["reporting_unit"]) if record["reporting_unit"] else None
        )
        values["sharing_group_id"] = None
        items = []
        for item in record["items"]:
            if item["substance"] not in codes.substances:
                raise BadRecord(f"unknown substance code {item['substance']!r}; load the reference data")
            items.append(
                ItemData(
                    substance_id=codes.substances[item["substance"]],
                    quantity=_decimal(item["quantity"], "quantity") or Decimal(0),
                    unit=item["unit"],
                    purity_percent=_decimal(item["purity_percent"], "purity"),
                    value=_decimal(item["value"], "value"),
                    currency=item["currency"],
                    attributes=item["attributes"],
                )
            )
    except (KeyError, TypeError, ValueError) as error:
        raise BadRecord(f"missing or malformed field: {error}") from error
    return SeizureData(items=items, **values)
