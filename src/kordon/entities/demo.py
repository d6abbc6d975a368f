"""The demo's watchlist and persons.

The watchlist: invented couriers, owned by the Kyrgyz BLO at Dostuk and shared with the partners
under the Kyrgyz–Uzbek agreement, so that the Uzbek officer at Dustlik can screen too.

The persons: the issue's courier as three units wrote him (the Kyrgyz BLO in Cyrillic, the Uzbek
BLO in Uzbek Latin with day and month swapped and a passport number with two characters
swapped, the Kyrgyz analysts as "Султанов А.К." from a phone), his truck, its container, the
consignee company and the phone, linked to the demo's alert and seizure; a namesake who is
somebody else; and a Kazakh record the Kyrgyz side may not see. A linking run by the Kyrgyz
analyst fills the review queue; one pair is already decided.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.core.models import Unit
from kordon.entities import services
from kordon.entities.importing import watchlist_import
from kordon.entities.models import Entity, EntityKind, MatchDecision, Verdict, Watchlist
from kordon.entities.records import LINKABLE

DEMO_LIST = Path(__file__).resolve().parent / "data" / "demo_watchlist.csv"
NAME = "Couriers (demo)"


def build_watchlists() -> str:
    if Watchlist.objects.filter(name=NAME).exists():
        return f"watchlist {NAME!r} already there"
    officer = get_user_model().objects.get(username="kg.blo.dostuk")
    result = watchlist_import(
        actor=officer,
        unit=Unit.objects.select_related("agency").get(code="kg-dcs-blo-dostuk"),
        path=DEMO_LIST,
        name=NAME,
        tlp=Tlp.AMBER,
        distribution=Distribution.PARTNERS,
    )
    return f"watchlist {NAME!r}: {result.version.entry_count if result.version else 0} people"


def _record(username: str, unit: str, kind: str, name: str, *, shared: bool = True, **values: Any) -> Entity:
    user = get_user_model().objects.get(username=username)
    data = services.EntityData(
        kind=kind,
        name=name,
        tlp=Tlp.AMBER,
        handling_code=HandlingCode.H1,
        distribution=Distribution.PARTNERS if shared else Distribution.AGENCY,
        **values,
    )
    return services.entity_create(actor=user, unit_id=Unit.objects.get(code=unit).pk, data=data)


def build_persons() -> str:
    if Entity.objects.exists():
        return f"persons and objects: {Entity.objects.count()} already there"
    dostuk, dustlik = "kg-dcs-blo-dostuk", "uz-customs-blo-dustlik"
    kg_officer = get_user_model().objects.get(username="kg.blo.dostuk")
    uz_officer = get_user_model().objects.get(username="uz.blo.dustlik")
    courier_kg = _record(
        "kg.blo.dostuk", dostuk, EntityKind.PERSON, "Султанов Алимбай Каримович",
        birth_date="1975-03-12", country="KG", gender="male",
        documents=[{"type": "passport", "number": "AC1234567", "country": "KG"}],
        phones=["+996 555 12-34-56"], addresses=["Ош, ул. Ленина 12"],
        notes="Driver of the truck named in the alert to BLO Dustlik.",
    )  # fmt: skip
    courier_uz = _record(
        "uz.blo.dustlik", dustlik, EntityKind.PERSON, "Sultonov Alimboy Karimovich",
        alt_names=["SULTANOV<<ALIMBAI"], birth_date="1975-12-03", country="KG", gender="male",
        documents=[{"type": "passport", "number": "AC1234576", "country": "KG"}],
        notes="Arrested at Dustlik with the truck; heroin in the container floor.",
    )  # fmt: skip
    courier_osh = _record(
        "kg.analyst", "kg-dcs-analysis", EntityKind.PERSON, "Султанов А.К.",
        birth_date="1975", country="KG", phones=["996555123456"],
        notes="Subscriber of the phone in the Dustlik request, from the Osh department's report.",
    )  # fmt: skip
    namesake = _record(
        "kg.blo.dostuk", dostuk, EntityKind.PERSON, "Султанов Алмаз Бакытович",
        birth_date="1991-07-01", country="KG", gender="male",
        documents=[{"type": "passport", "number": "AN7654321", "country": "KG"}],
    )  # fmt: skip
    _record(
        "kz.analyst", "kz-mvd-analysis", EntityKind.PERSON, "Soultanov A.",
        birth_date="1975", country="KG", shared=False, notes="Transit through Kazakhstan, 2012.",
    )  # fmt: skip
    truck = _record(
        "kg.blo.dostuk", dostuk, EntityKind.VEHICLE, "01KG123ABC", country="KG",
        details={"make": "Volvo", "model": "FH12", "colour": "white", "vin": "YV2A4CAA1XB234567"},
    )  # fmt: skip
    container = _record(
        "uz.blo.dustlik", dustlik, EntityKind.VESSEL, "MSKU1234565", details={"container_type": "40' HC"}
    )
    company = _record(
        "uz.blo.dustlik", dustlik, EntityKind.COMPANY, "OOO Fergana Trans", alt_names=["ООО «Фергана Транс»"],
        country="UZ", details={"registration_number": "302 456 789", "legal_form": "OOO"},
        addresses=["Fergana, Mustaqillik 45"],
    )  # fmt: skip
    phone = _record("kg.blo.dostuk", dostuk, EntityKind.PHONE, "+996555123456", country="KG")
    links = (
        (kg_officer, courier_kg, truck, "driver"),
        (kg_officer, courier_kg, phone, "user"),
        (uz_officer, courier_uz, truck, "driver"),
        (uz_officer, company, container, "consignee"),
        (uz_officer, truck, container, "carrier"),
    )
    for actor, entity, other, role in links:
        services.entity_link_entity(actor=actor, entity_id=entity.pk, other_id=other.pk, role=role)
    alert = str(LINKABLE["alert"].model.objects.get(title__startswith="Truck 01KG123ABC").pk)
    records = (
        (kg_officer, courier_kg, "alert", alert, "suspect"),
        (kg_officer, truck, "alert", alert, "mentioned"),
        (uz_officer, courier_uz, "seizure", "UZ-DUSTLIK-ALERT-1", "courier"),
        (uz_officer, truck, "seizure", "UZ-DUSTLIK-ALERT-1", "mentioned"),
        (uz_officer, container, "seizure", "UZ-DUSTLIK-ALERT-1", "mentioned"),
        (uz_officer, company, "seizure", "UZ-DUSTLIK-ALERT-1", "consignee"),
    )
    for actor, entity, kind, reference, role in records:
        services.entity_link_record(
            actor=actor, entity_id=entity.pk, record_type=kind, reference=reference, role=role
        )
    analyst = get_user_model().objects.get(username="kg.analyst")
    services.linking_request(actor=analyst)
    services.run_linking_runs()
    # The analysts already know the Osh record is the Dostuk one; the Uzbek record waits for them.
    first, second = sorted((courier_kg.pk, courier_osh.pk))
    decision = MatchDecision.objects.filter(first_id=first, second_id=second).first()
    if decision is not None:
        services.match_decide(
            actor=analyst, decision_id=decision.pk, verdict=Verdict.SAME, note="Same phone."
        )
    waiting = MatchDecision.objects.filter(verdict=Verdict.PENDING).count()
    return f"persons and objects: {Entity.objects.count()}, {waiting} pairs to review ({namesake.name} is another man)"
