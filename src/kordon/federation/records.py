"""A seizure as it travels between nodes: codes instead of database ids, decimals as text.

Countries, substances and places are named by their codes, which every node shares through its
reference data; agencies and units by their codes too, with their names, so that a node can show
a unit it has never heard of. A sharing group is local to a node and does not travel.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet

from kordon.core.models import Agency, Place, Unit
from kordon.seizures.models import Seizure
from kordon.seizures.services import EVENT_FIELDS, ItemData, SeizureData

SEIZURE = "seizure"

# SeizureData fields that hold database ids, and how they travel.
_CODED = {"place_id", "reporting_unit_id", "sharing_group_id"}


class BadRecord(Exception):
    """A record in a change set that this node cannot read."""


def version(moment: datetime.datetime) -> str:
    """A record's version: its last change in UTC, fixed width, so versions compare as text."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def seizures_for_sending(ids: list[int]) -> QuerySet[Seizure]:
    return (
        Seizure.objects.filter(pk__in=ids)
        .select_related("owner_unit", "owner_agency", "place", "reporting_unit")
        .prefetch_related("items__substance")
        .order_by("pk")
    )


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def encode_seizure(seizure: Seizure) -> dict[str, Any]:
    record = {
        name: _text(getattr(seizure, name)) for name in EVENT_FIELDS if name not in _CODED and name != "items"
    }
    record["place"] = seizure.place.code if seizure.place else ""
    record["reporting_unit"] = seizure.reporting_unit.code if seizure.reporting_unit else ""
    record["owner"] = {
        "agency": seizure.owner_agency.code,
        "agency_name": seizure.owner_agency.name,
        "agency_names": seizure.owner_agency.names,
        "agency_kind": seizure.owner_agency.kind,
        "agency_country": seizure.owner_agency.country_id,
        "unit": seizure.owner_unit.code,
        "unit_name": seizure.owner_unit.name,
        "unit_names": seizure.owner_unit.names,
        "unit_kind": seizure.owner_unit.kind,
    }
    record["items"] = [
        {
            "substance": item.substance.code,
            "quantity": str(item.quantity),
            "unit": item.unit,
            "purity_percent": _text(item.purity_percent),
            "value": _text(item.value),
            "currency": item.currency,
            "attributes": item.attributes,
        }
        for item in seizure.items.all()
    ]
    return record


def _decimal(value: Any, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise BadRecord(f"{name} is not a number: {value!r}") from error


def owner_unit_for(owner: dict[str, Any]) -> Unit:
    """The local row of the record's owner unit, made (with its agency) when this node has not
    heard of it yet: a record from another node is owned by a unit there."""
    try:
        agency = Agency.objects.filter(code=owner["agency"]).first()
        if agency is None:
            agency = Agency.objects.create(
                code=owner["agency"],
                name=owner["agency_name"],
                names=owner.get("agency_names") or {},
                kind=owner["agency_kind"],
                country_id=owner["agency_country"],
            )
        unit = Unit.objects.filter(code=owner["unit"]).first()
        if unit is None:
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


def decode_seizure(record: dict[str, Any], substances: dict[str, int]) -> SeizureData:
    """The seizure's values; BadRecord when a field is missing or a code unknown here.
    `substances`: substance code -> id on this node."""
    try:
        values = {name: record[name] for name in EVENT_FIELDS if name not in _CODED and name != "items"}
        values["occurred_on"] = datetime.date.fromisoformat(values["occurred_on"])
        if values["occurred_at"]:
            values["occurred_at"] = datetime.time.fromisoformat(values["occurred_at"])
        values["place_id"] = None
        if record["place"]:
            values["place_id"] = (
                Place.objects.filter(code=record["place"]).values_list("pk", flat=True).first()
            )
            if values["place_id"] is None:  # a place this node's gazetteer lacks: keep its code as text
                values["place_description"] = values["place_description"] or record["place"]
        values["reporting_unit_id"] = None
        if record["reporting_unit"]:
            values["reporting_unit_id"] = (
                Unit.objects.filter(code=record["reporting_unit"]).values_list("pk", flat=True).first()
            )
        values["sharing_group_id"] = None
        items = []
        for item in record["items"]:
            if item["substance"] not in substances:
                raise BadRecord(f"unknown substance code {item['substance']!r}; load the reference data")
            items.append(
                ItemData(
                    substance_id=substances[item["substance"]],
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
