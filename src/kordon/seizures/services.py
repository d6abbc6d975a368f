"""Writes to the seizure registry. Each service checks access, validates, writes and audits
in one transaction; forms, the API, the CLI and imports all come through here."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import CREATE, DELETE, UPDATE, audit_log, snapshot
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.access.services import marking_problems, node_grading_scheme
from kordon.core import bulk
from kordon.core.models import Country, Place, Unit
from kordon.seizures import commodities, rules
from kordon.seizures.models import (
    Seizure,
    SeizureItem,
    SeizureStatus,
    Substance,
    quantity_in_kg,
)


@dataclass
class ItemData:
    substance_id: int
    quantity: Decimal
    unit: str
    purity_percent: Decimal | None = None
    value: Decimal | None = None
    currency: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class SeizureData:
    """Everything a person enters for a seizure, already parsed into Python values."""

    reference: str
    occurred_on: datetime.date
    country_id: str
    items: list[ItemData]
    occurred_at: datetime.time | None = None
    place_id: int | None = None
    place_description: str = ""
    latitude: float | None = None
    longitude: float | None = None
    reporting_unit_id: int | None = None
    reporting_body: str = ""
    detection_method: str = ""
    transport_mode: str = ""
    vehicle_plate: str = ""
    container_number: str = ""
    flight: str = ""
    train: str = ""
    concealment: str = ""
    concealment_details: str = ""
    origin_country_id: str | None = None
    transit_countries: list[str] = field(default_factory=list)
    destination_country_id: str | None = None
    persons_arrested: int = 0
    arrested_nationalities: list[str] = field(default_factory=list)
    narrative: str = ""
    status: str = SeizureStatus.SUBMITTED
    tlp: int = Tlp.AMBER
    handling_code: str = HandlingCode.H0
    handling_note: str = ""
    distribution: int = Distribution.AGENCY
    sharing_group_id: int | None = None
    grading_scheme: str = field(default_factory=node_grading_scheme)
    source_reliability: str = ""
    information_credibility: str = ""


EVENT_FIELDS = [name for name in SeizureData.__dataclass_fields__ if name != "items"]


@dataclass
class Lookups:
    """The reference data a batch of seizures is checked against, read once for the batch instead
    of once per seizure (seizures received from another node arrive by the thousand)."""

    countries: set[str]
    places: dict[int, Place]
    substances: dict[int, Substance]
    # (agency id, reference) -> seizure id of the references already taken in the agencies concerned
    taken: dict[tuple[int, str], int]
    today: datetime.date

    @classmethod
    def load(cls, agency_references: list[tuple[int, str]]) -> "Lookups":
        agencies = {agency for agency, _reference in agency_references}
        references = {reference for _agency, reference in agency_references}
        taken = Seizure.objects.filter(owner_agency_id__in=agencies, reference__in=references)
        return cls(
            countries=set(Country.objects.values_list("code", flat=True)),
            places=Place.objects.select_related("country").in_bulk(),
            substances=Substance.objects.in_bulk(),
            taken={
                (agency, reference): pk
                for agency, reference, pk in taken.values_list("owner_agency_id", "reference", "pk")
            },
            today=timezone.localdate(),
        )


# The seizure's own text fields that the list's search box looks into (with place and substance names).
SEARCHED_FIELDS = (
    "reference",
    "place_description",
    "reporting_body",
    "vehicle_plate",
    "container_number",
    "flight",
    "train",
    "concealment_details",
    "narrative",
)


def search_text(*parts: str) -> str:
    """The lower-case text that the list's search box matches."""
    return " ".join(filter(None, parts)).lower()


def _validate(
    data: SeizureData, *, agency_id: int, seizure_id: int | None, lookups: Lookups | None = None
) -> None:
    """Raise ValidationError with every problem found, keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str | None) -> None:
        if message:
            errors.setdefault(field_name, []).append(message)

    data.reference = data.reference.strip()
    if not data.reference:
        add("reference", _("Give the seizure a reference (the case or report number)."))
    elif (
        lookups.taken.get((agency_id, data.reference), seizure_id) != seizure_id
        if lookups is not None
        else Seizure.objects.filter(owner_agency_id=agency_id, reference=data.reference)
        .exclude(pk=seizure_id)
        .exists()
    ):
        add(
            "reference",
            _("Your agency already has a seizure with reference %(reference)s.")
            % {"reference": data.reference},
        )
    add("occurred_on", rules.check_date(data.occurred_on, lookups.today if lookups else None))
    country_codes = {data.country_id, data.origin_country_id, data.destination_country_id}
    country_codes.update(data.transit_countries)
    country_codes.update(data.arrested_nationalities)
    country_codes.discard(None)
    if lookups is not None:
        known = lookups.countries & country_codes
    else:
        known = set(Country.objects.filter(code__in=country_codes).values_list("code", flat=True))
    for name, code in (
        ("country", data.country_id),
        ("origin_country", data.origin_country_id),
        ("destination_country", data.destination_country_id),
    ):
        if code and code not in known:
            add(name, _("%(code)s is not a known country code.") % {"code": code})
    for code in data.transit_countries:
        if code not in known:
            add("transit_countries", _("%(code)s is not a known country code.") % {"code": code})
    for code in data.arrested_nationalities:
        if code not in known:
            add("arrested_nationalities", _("%(code)s is not a known country code.") % {"code": code})
    if data.place_id is not None:
        place = (
            lookups.places.get(data.place_id) if lookups else Place.objects.filter(pk=data.place_id).first()
        )
        if place is None:
            add("place", _("This place is not in the gazetteer."))
        elif place.country_id != data.country_id:
            add(
                "place",
                _("%(place)s is in %(country)s, not in the country of the seizure.")
                % {"place": place.label, "country": place.country.label},
            )
    add("latitude", rules.check_coordinates(data.latitude, data.longitude))
    if data.container_number:
        data.container_number = rules.normalise_container(data.container_number)
        add("container_number", rules.check_container(data.container_number))
    data.vehicle_plate = rules.normalise_plate(data.vehicle_plate)
    if data.persons_arrested < 0:
        add("persons_arrested", _("The number of persons arrested cannot be negative."))
    for name, message in marking_problems(
        tlp=data.tlp,
        handling_code=data.handling_code,
        handling_note=data.handling_note,
        distribution=data.distribution,
        sharing_group_id=data.sharing_group_id,
        grading_scheme=data.grading_scheme,
        source_reliability=data.source_reliability,
        information_credibility=data.information_credibility,
    ).items():
        add(name, message)
    if not data.items:
        add("items", _("Add at least one substance with its quantity."))
    substance_ids = {item.substance_id for item in data.items}
    known_substances = lookups.substances if lookups else Substance.objects.in_bulk(substance_ids)
    for number, item in enumerate(data.items, start=1):
        prefix = _("Item %(number)s: ") % {"number": number}
        item.currency = item.currency.strip().upper()
        if item.substance_id not in known_substances:
            add("items", prefix + _("unknown substance."))
        else:
            for problem in commodities.item_problems(
                known_substances[item.substance_id],
                item.unit,
                value=item.value,
                currency=item.currency,
                attributes=item.attributes,
            ):
                add("items", prefix + problem)
        quantity_problem = rules.check_quantity(item.quantity)
        if quantity_problem:
            add("items", prefix + quantity_problem)
        if item.purity_percent is not None:
            purity_problem = rules.check_purity(item.purity_percent)
            if purity_problem:
                add("items", prefix + purity_problem)
    if errors:
        raise ValidationError(errors)


def _item_values(item: ItemData, substances: dict[int, Substance]) -> dict[str, Any]:
    """An item's columns, with its quantity in kilograms where its substance has a conversion."""
    return {
        "substance_id": item.substance_id,
        "quantity": item.quantity,
        "unit": item.unit,
        "quantity_kg": quantity_in_kg(item.quantity, item.unit, substances[item.substance_id]),
        "purity_percent": item.purity_percent,
        "value": item.value,
        "currency": item.currency,
        "attributes": item.attributes,
    }


def _write_items(seizure: Seizure, items: list[ItemData]) -> None:
    substances = Substance.objects.in_bulk([item.substance_id for item in items])
    SeizureItem.objects.bulk_create(
        SeizureItem(seizure=seizure, **_item_values(item, substances)) for item in items
    )


def seizure_snapshot(seizure: Seizure) -> dict[str, Any]:
    """The seizure and its items as one JSON object, for the audit trail."""
    data = snapshot(seizure)
    data.pop("search_text", None)
    data["items"] = [snapshot(item) for item in seizure.items.order_by("id")]
    return data


def substance_search_names(substance: Substance) -> list[str]:
    return [substance.name, *substance.names.values()]


def _apply(seizure: Seizure | SimpleNamespace, data: SeizureData, lookups: Lookups | None = None) -> None:
    for name in EVENT_FIELDS:
        setattr(seizure, name, getattr(data, name))
    if lookups is not None:
        place = lookups.places.get(seizure.place_id) if seizure.place_id else None
        substances = [lookups.substances[item.substance_id] for item in data.items]
    else:
        place = Place.objects.filter(pk=seizure.place_id).first() if seizure.place_id else None
        substances = list(Substance.objects.filter(pk__in=[item.substance_id for item in data.items]))
    place_names = [place.name, *place.names.values()] if place else []
    names = [name for substance in substances for name in substance_search_names(substance)]
    seizure.search_text = search_text(
        *(getattr(seizure, name) for name in SEARCHED_FIELDS), *place_names, *names
    )


@transaction.atomic
def seizure_create(*, actor: Any, owner_unit_id: int, data: SeizureData) -> Seizure:
    """Record a new seizure owned by `owner_unit_id`, on behalf of `actor`."""
    if not policy.may_act_in_unit(actor, owner_unit_id, policy.ADD):
        raise PermissionDenied(_("You cannot record seizures for this unit."))
    unit = Unit.objects.select_related("agency").get(pk=owner_unit_id)
    if data.status == SeizureStatus.VALIDATED and not policy.may_act_in_unit(actor, unit.pk, policy.VALIDATE):
        raise PermissionDenied(_("Only a supervisor can validate a seizure."))
    _validate(data, agency_id=unit.agency_id, seizure_id=None)
    seizure = Seizure(owner_unit=unit, owner_agency_id=unit.agency_id, created_by=actor)
    _apply(seizure, data)
    seizure.save()
    _write_items(seizure, data.items)
    audit_log(actor=actor, action=CREATE, instance=seizure, after=seizure_snapshot(seizure))
    return seizure


def _locked_for(actor: Any, seizure_id: int, action: str) -> Seizure:
    """The seizure, locked for writing, if `actor` may `action` it. A record the actor cannot even
    see is reported as missing; one they see but may not change is refused."""
    seizure = Seizure.objects.restrict(actor, action).select_for_update().filter(pk=seizure_id).first()
    if seizure is not None and seizure.origin_node:
        raise PermissionDenied(
            _("This seizure was received from the node %(node)s: only that node can change it.")
            % {"node": seizure.origin_node}
        )
    if seizure is not None:
        return seizure
    if Seizure.objects.restrict(actor, policy.VIEW).filter(pk=seizure_id).exists():
        raise PermissionDenied(_("You can see this seizure but not change it."))
    raise Seizure.DoesNotExist


@transaction.atomic
def seizure_update(*, actor: Any, seizure_id: int, data: SeizureData) -> Seizure:
    """Change a seizure the actor may change. Markings may be raised by any editor, but only the
    owner unit may release a record more widely (lower TLP, wider distribution)."""
    seizure = _locked_for(actor, seizure_id, policy.CHANGE)
    lowered = policy.marking_lowered(
        seizure,
        tlp=data.tlp,
        handling_code=data.handling_code,
        distribution=data.distribution,
        sharing_group_id=data.sharing_group_id,
    )
    if lowered and not policy.may_lower_marking(actor, seizure):
        raise PermissionDenied(_("Only the owner unit can release this record more widely."))
    may_validate = policy.may_act_in_unit(actor, seizure.owner_unit_id, policy.VALIDATE)
    if SeizureStatus.VALIDATED in (seizure.status, data.status) and not may_validate:
        raise PermissionDenied(_("A validated seizure can only be changed by a supervisor."))
    _validate(data, agency_id=seizure.owner_agency_id, seizure_id=seizure.pk)
    before = seizure_snapshot(seizure)
    _apply(seizure, data)
    seizure.save()
    seizure.items.all().delete()
    _write_items(seizure, data.items)
    audit_log(actor=actor, action=UPDATE, instance=seizure, before=before, after=seizure_snapshot(seizure))
    return seizure


@transaction.atomic
def seizure_delete(*, actor: Any, seizure_id: int) -> None:
    seizure = _locked_for(actor, seizure_id, policy.DELETE)
    before = seizure_snapshot(seizure)
    audit_log(actor=actor, action=DELETE, instance=seizure, before=before)
    seizure.delete()


@transaction.atomic
def seizure_store_received(
    *, seizure_id: int | None, owner_unit: Unit, origin_node: str, data: SeizureData
) -> Seizure:
    """Write a seizure received from the node `origin_node`, which owns it (kordon.federation
    checked that the peer may send it). Its values are checked as any other seizure's; the
    audit line is the federation's, one per change set."""
    _validate(data, agency_id=owner_unit.agency_id, seizure_id=seizure_id)
    if seizure_id is None:
        seizure = Seizure(
            owner_unit=owner_unit, owner_agency_id=owner_unit.agency_id, origin_node=origin_node
        )
    else:
        seizure = Seizure.objects.select_for_update().get(pk=seizure_id)
        seizure.items.all().delete()
    _apply(seizure, data)
    seizure.save()
    _write_items(seizure, data.items)
    return seizure


@dataclass
class Received:
    """A seizure received from the node `origin_node`, new on this node."""

    owner_unit: Unit
    origin_node: str
    data: SeizureData


def seizures_store_received(received: list[Received]) -> list[int]:
    """Write seizures received from other nodes and new here, in bulk, with the same checks as
    one typed in (kordon.federation checked that the peer may send them), and return their ids.
    ValidationError names the seizure at fault; nothing is written then. Runs inside the
    caller's transaction.

    Rows are made as plain objects with the model's attributes, not as model instances: a change
    set carries a thousand seizures, and instances for them and their items took a fifth of the
    receiving node's time."""
    lookups = Lookups.load([(entry.owner_unit.agency_id, entry.data.reference.strip()) for entry in received])
    now = timezone.now()
    seizure_defaults = _defaults(Seizure)
    item_defaults = _defaults(SeizureItem)
    seizure_ids = bulk.reserve_ids(Seizure, len(received))
    item_ids = iter(bulk.reserve_ids(SeizureItem, sum(len(entry.data.items) for entry in received)))
    seizures, items = [], []
    for entry, seizure_id in zip(received, seizure_ids, strict=True):
        agency_id = entry.owner_unit.agency_id
        try:
            _validate(entry.data, agency_id=agency_id, seizure_id=None, lookups=lookups)
        except ValidationError as error:
            raise ValidationError(
                {
                    f"{entry.data.reference}": [
                        message for messages in error.message_dict.values() for message in messages
                    ]
                }
            ) from error
        lookups.taken[(agency_id, entry.data.reference)] = 0  # unique within the batch too
        seizure = SimpleNamespace(
            **seizure_defaults
            | {
                "id": seizure_id,
                "owner_unit_id": entry.owner_unit.pk,
                "owner_agency_id": agency_id,
                "origin_node": entry.origin_node,
                "created_at": now,
                "updated_at": now,
            }
        )
        _apply(seizure, entry.data, lookups)
        seizures.append(seizure)
        items += [
            SimpleNamespace(
                **item_defaults
                | _item_values(item, lookups.substances)
                | {"id": next(item_ids), "seizure_id": seizure_id}
            )
            for item in entry.data.items
        ]
    bulk.insert_instances(Seizure, seizures)
    bulk.insert_instances(SeizureItem, items)
    return seizure_ids


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """The model's column defaults, by attribute name, read once for a batch. A mutable default
    (a list) is shared by the batch's rows: they are written, never changed."""
    return {field.attname: field.get_default() for field in model._meta.concrete_fields}


def seizure_data_from(seizure: Seizure) -> SeizureData:
    """The editable values of an existing seizure, to start an edit from."""
    values = {name: getattr(seizure, name) for name in EVENT_FIELDS}
    items = [
        ItemData(
            item.substance_id,
            item.quantity,
            item.unit,
            item.purity_percent,
            item.value,
            item.currency,
            item.attributes,
        )
        for item in seizure.items.order_by("id")
    ]
    return SeizureData(items=items, **values)
