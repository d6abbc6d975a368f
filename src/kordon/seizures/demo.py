"""Demo seizures for 2012–2014 whose yearly kilograms per country and drug equal the UNODC figures
in data/unodc_annual_seizures.csv: each yearly total is split into several seizure events at real
places, with routes, concealment and detection methods typical of the drug and the place."""

import csv
import datetime
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from kordon.access.audit import audit_log
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.core.models import Place, PlaceKind, Unit, User
from kordon.seizures.models import (
    Concealment,
    DetectionMethod,
    Seizure,
    SeizureItem,
    SeizureStatus,
    Substance,
    TransportMode,
    UnitOfMeasure,
    quantity_in_kg,
)
from kordon.seizures.services import (
    SEARCHED_FIELDS,
    ItemData,
    SeizureData,
    search_text,
    seizure_create,
    substance_search_names,
)

UNODC_FILE = Path(__file__).resolve().parent / "data" / "unodc_annual_seizures.csv"
YEARS = (2012, 2013, 2014)
COUNTRIES = {"KAZ": "KZ", "KGZ": "KG", "TJK": "TJ", "TKM": "TM", "UZB": "UZ"}
# UNODC drug name -> our substance code (drugs without a fitting substance are left out).
DRUGS = {
    "Heroin": "heroin",
    "Opium": "opium",
    "Illicit morphine": "morphine",
    "Poppy plants": "poppy-straw",
    "Hashish (resin)": "cannabis-resin",
    "Marijuana (herb)": "cannabis-herb",
    "Cannabis plants": "cannabis-plants",
    "Cannabis oil": "cannabis-oil",
    "Cocaine salts": "cocaine",
    "Methamphetamine": "methamphetamine",
    "Amphetamine": "amphetamine",
    "Ecstasy-type substances": "ecstasy",
    "Benzodiazepines": "benzodiazepines",
    "Barbiturates": "barbiturates",
    "Pharmaceutical opioids": "tramadol",
    "Non-specified precursors": "precursors-other",
}
# Which agency owns a country's demo seizures (its units share them out).
OWNER_AGENCIES = {
    "KG": ("KG-DCS", "KG-CUSTOMS", "KG-BORDER"),
    "UZ": ("UZ-CUSTOMS", "UZ-NIAC"),
    "TJ": ("TJ-DCA", "TJ-CUSTOMS"),
    "KZ": ("KZ-CUSTOMS", "KZ-MVD"),
    "TM": ("TM-DRUG", "TM-CUSTOMS"),
}
TOWNS = {
    "KG": ("Bishkek", "Osh", "Jalal-Abad", "Batken", "Naryn", "Karakol", "Chuy valley, Issyk-Ata district"),
    "UZ": (
        "Tashkent",
        "Samarkand",
        "Andijan",
        "Bukhara",
        "Surkhandarya region, Sherabad district",
        "Namangan",
    ),
    "TJ": ("Dushanbe", "Khujand", "Kulob", "Bokhtar", "Khorog", "Panj district", "Shahritus district"),
    "KZ": ("Almaty", "Shymkent", "Astana", "Taraz", "Kostanay", "Zhambyl region, Shu valley", "Aktobe"),
    "TM": ("Ashgabat", "Turkmenabat", "Mary", "Dashoguz", "Balkanabat"),
}
OPIATE_ROUTES = {
    "TJ": [("AF", [], "TJ"), ("AF", [], "RU"), ("AF", ["KG"], "KZ"), ("AF", ["UZ", "KZ"], "RU")],
    "KG": [("AF", ["TJ"], "RU"), ("AF", ["TJ"], "KZ"), ("AF", ["TJ"], "KG")],
    "UZ": [("AF", [], "UZ"), ("AF", ["TJ"], "RU"), ("AF", ["TM"], "KZ")],
    "KZ": [("AF", ["TJ", "KG"], "RU"), ("AF", ["UZ"], "RU"), ("AF", ["TJ", "UZ"], "KZ")],
    "TM": [("AF", [], "TR"), ("AF", [], "IR"), ("AF", ["IR"], "TR")],
}
CONCEALMENT_TEXT: dict[str, tuple[str, ...]] = {
    Concealment.VEHICLE_COMPARTMENT: (
        "тайник под днищем грузовика",
        "тайник в кабине",
        "специально оборудованный тайник",
    ),
    Concealment.VEHICLE_PARTS: ("в запасном колесе", "в топливном баке", "в дверях автомобиля"),
    Concealment.CARGO: ("среди сухофруктов", "в мешках с луком", "среди хлопка", "в партии цемента"),
    Concealment.CONTAINER: ("в двойной стенке контейнера", "в полу контейнера"),
    Concealment.LUGGAGE: ("в двойном дне чемодана", "в сумке", "в багаже"),
    Concealment.ON_BODY: ("на теле под одеждой", "в обуви", "в нижнем белье"),
    Concealment.INTERNAL: ("проглоченные капсулы", "внутриполостное сокрытие"),
    Concealment.POSTAL: ("в почтовой посылке", "в бандероли"),
    Concealment.NOT_CONCEALED: ("без сокрытия",),
}


@dataclass
class DemoSeizure:
    reference: str
    country: str
    owner: Unit
    day: datetime.date
    place: Place | None
    place_description: str
    transport: str
    detection: str
    concealment: str
    concealment_text: str
    route: tuple[str | None, list[str], str | None]
    persons: int
    nationalities: list[str]
    items: list[tuple[Substance, Decimal, str]] = field(default_factory=list)


def unodc_totals(path: Path = UNODC_FILE) -> dict[tuple[str, str, int], Decimal]:
    """Kilograms by (country, our substance code, year); several reported lines are summed."""
    totals: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            country = COUNTRIES.get(row["ISO Code"])
            substance = DRUGS.get(row["Drug"])
            year = int(row["Year"])
            if country is None or substance is None or year not in YEARS or row["KG Equivalent"] == "NULL":
                continue
            kilograms = Decimal(row["KG Equivalent"]).quantize(Decimal("0.001"), rounding=ROUND_DOWN)
            if kilograms > 0:
                totals[(country, substance, year)] += kilograms
    return dict(totals)


def split_total(total: Decimal, rng: random.Random) -> list[Decimal]:
    """Split kilograms into seizure quantities (whole grams) that add up exactly to the total."""
    grams = int(total * 1000)
    count = max(1, min(200, math.ceil(math.sqrt(float(total)) / 0.6), grams))
    weights = [rng.lognormvariate(0, 1.2) for _ in range(count)]
    scale = sum(weights)
    parts = [max(1, int(grams * weight / scale)) for weight in weights]
    parts[parts.index(max(parts))] += grams - sum(parts)
    return [Decimal(part) / 1000 for part in parts if part > 0]


def _transport_for(place: Place | None, rng: random.Random) -> str:
    if place is None:
        return rng.choice(
            [TransportMode.ROAD] * 6 + [TransportMode.RAIL, TransportMode.POSTAL, TransportMode.PEDESTRIAN]
        )
    by_kind: dict[str, str] = {
        PlaceKind.AIRPORT: TransportMode.AIR,
        PlaceKind.SEAPORT: TransportMode.SEA,
        PlaceKind.DRY_PORT: TransportMode.RAIL,
    }
    return by_kind.get(place.kind) or rng.choice(
        [TransportMode.ROAD] * 5 + [TransportMode.RAIL, TransportMode.PEDESTRIAN]
    )


def _concealment_for(transport: str, rng: random.Random) -> str:
    by_transport: dict[str, list[str]] = {
        TransportMode.AIR: [Concealment.LUGGAGE, Concealment.INTERNAL, Concealment.ON_BODY],
        TransportMode.SEA: [Concealment.CONTAINER, Concealment.CARGO],
        TransportMode.RAIL: [Concealment.CARGO, Concealment.LUGGAGE, Concealment.CONTAINER],
        TransportMode.POSTAL: [Concealment.POSTAL],
        TransportMode.PEDESTRIAN: [Concealment.ON_BODY, Concealment.LUGGAGE, Concealment.NOT_CONCEALED],
    }
    options = by_transport.get(
        transport,
        [
            Concealment.VEHICLE_COMPARTMENT,
            Concealment.VEHICLE_PARTS,
            Concealment.CARGO,
            Concealment.LUGGAGE,
            Concealment.NOT_CONCEALED,
        ],
    )
    return rng.choice(options)


def _route(
    country: str, substance: Substance, rng: random.Random
) -> tuple[str | None, list[str], str | None]:
    if substance.code in ("heroin", "opium", "morphine", "cannabis-resin") and rng.random() < 0.8:
        origin, transit, destination = rng.choice(OPIATE_ROUTES[country])
        return origin, list(transit), destination
    if substance.group == "precursors":
        return rng.choice(["CN", "RU", "KZ"]), [], "AF"
    if substance.group == "ats":
        return rng.choice(["IR", "RU", "CN"]), [], country
    return country, [], country


def plan(rng: random.Random) -> Iterator[DemoSeizure]:
    """The demo seizures, deterministic for a given random generator."""
    substances = {substance.code: substance for substance in Substance.objects.all()}
    places: dict[str, list[Place]] = defaultdict(list)
    for known in Place.objects.all():
        places[known.country_id].append(known)
    units = defaultdict(list)
    for unit in Unit.objects.select_related("agency", "place"):
        units[unit.agency.code].append(unit)
    sequence: dict[tuple[str, int], int] = defaultdict(int)
    for (country, code, year), total in sorted(unodc_totals().items()):
        substance = substances[code]
        owners = [unit for agency in OWNER_AGENCIES[country] for unit in units[agency]]
        for quantity in split_total(total, rng):
            owner = rng.choice(owners)
            place: Place | None = owner.place if owner.place and rng.random() < 0.5 else None
            if place is None and places[country] and rng.random() < 0.5:
                place = rng.choice(places[country])
            transport = _transport_for(place, rng)
            concealment = _concealment_for(transport, rng)
            persons = rng.choice([0, 1, 1, 1, 2, 2, 3])
            origin, transit, destination = _route(country, substance, rng)
            nationalities = sorted(
                {country if rng.random() < 0.8 else (origin or country) for _ in range(persons)}
            )
            sequence[(owner.agency.code, year)] += 1
            yield DemoSeizure(
                reference=f"{owner.agency.code}-{year}-{sequence[(owner.agency.code, year)]:05d}",
                country=country,
                owner=owner,
                day=datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365)),
                place=place,
                place_description="" if place else rng.choice(TOWNS[country]),
                transport=transport,
                detection=rng.choice(
                    [DetectionMethod.INTELLIGENCE] * 4
                    + [DetectionMethod.RISK_PROFILING] * 2
                    + [DetectionMethod.RANDOM_CHECK] * 2
                    + [
                        DetectionMethod.SNIFFER_DOG,
                        DetectionMethod.SCANNER,
                        DetectionMethod.CONTROLLED_DELIVERY,
                    ]
                ),
                concealment=concealment,
                concealment_text=rng.choice(CONCEALMENT_TEXT.get(concealment, ("",))),
                route=(origin, transit, destination),
                persons=persons,
                nationalities=nationalities,
                items=[(substance, quantity, UnitOfMeasure.KG if quantity >= 1 else UnitOfMeasure.G)],
            )


def _merge_some(seizures: list[DemoSeizure], rng: random.Random) -> list[DemoSeizure]:
    """Some seizures hold two drugs: fold one in ten into another of the same owner and year."""
    kept: list[DemoSeizure] = []
    last_by_owner_year: dict[tuple[int, int], DemoSeizure] = {}
    for seizure in seizures:
        key = (seizure.owner.pk, seizure.day.year)
        target = last_by_owner_year.get(key)
        if target is not None and rng.random() < 0.1 and target.items[0][0] != seizure.items[0][0]:
            target.items.extend(seizure.items)
            continue
        kept.append(seizure)
        last_by_owner_year[key] = seizure
    return kept


def _status(rng: random.Random) -> str:
    return rng.choice([SeizureStatus.VALIDATED] * 7 + [SeizureStatus.SUBMITTED] * 2 + [SeizureStatus.DRAFT])


def _markings(rng: random.Random) -> tuple[int, str, int]:
    draw = rng.random()
    if draw < 0.6:
        return Tlp.AMBER, HandlingCode.H0, Distribution.AGENCY
    if draw < 0.8:
        return Tlp.GREEN, HandlingCode.H0, Distribution.PARTNERS
    if draw < 0.95:
        return Tlp.AMBER, HandlingCode.H2, Distribution.PARTNERS
    return Tlp.RED, HandlingCode.H2, Distribution.UNIT


@transaction.atomic
def build_seizures(seed: int = 2013) -> int:
    """Create the demo seizures once; returns how many exist afterwards."""
    if Seizure.objects.filter(reference__startswith="KG-DCS-2012-").exists():
        return Seizure.objects.count()
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret
    creators = {
        membership_unit: user
        for user in User.objects.prefetch_related("memberships")
        for membership_unit in user.memberships.values_list("unit_id", flat=True)
    }
    planned = _merge_some(list(plan(rng)), rng)
    rows = []
    for demo in planned:
        tlp, handling, distribution = _markings(rng)
        origin, transit, destination = demo.route
        seizure = Seizure(
            owner_unit=demo.owner,
            owner_agency_id=demo.owner.agency_id,
            tlp=tlp,
            handling_code=handling,
            distribution=distribution,
            reference=demo.reference,
            occurred_on=demo.day,
            country_id=demo.country,
            place=demo.place,
            place_description=demo.place_description,
            reporting_unit=demo.owner,
            detection_method=demo.detection,
            transport_mode=demo.transport,
            concealment=demo.concealment,
            concealment_details=demo.concealment_text,
            origin_country_id=origin,
            transit_countries=transit,
            destination_country_id=destination,
            persons_arrested=demo.persons,
            arrested_nationalities=demo.nationalities,
            status=_status(rng),
            created_by=creators.get(demo.owner.pk),
        )
        names = [
            name for substance, _quantity, _unit in demo.items for name in substance_search_names(substance)
        ]
        place_names = [demo.place.name, *demo.place.names.values()] if demo.place else []
        seizure.search_text = search_text(
            *(getattr(seizure, name) for name in SEARCHED_FIELDS), *place_names, *names
        )
        rows.append(seizure)
    Seizure.objects.bulk_create(rows, batch_size=1000)
    items = []
    for demo, seizure in zip(planned, rows, strict=True):
        for substance, kilograms, unit in demo.items:
            quantity = kilograms if unit == UnitOfMeasure.KG else kilograms * 1000
            items.append(
                SeizureItem(
                    seizure=seizure,
                    substance=substance,
                    quantity=quantity,
                    unit=unit,
                    quantity_kg=quantity_in_kg(quantity, unit, substance),
                )
            )
    SeizureItem.objects.bulk_create(items, batch_size=2000)
    audit_log(
        actor=None,
        action="demo_build",
        object_type="seizures.seizure",
        after={"seizures": len(rows), "items": len(items)},
    )
    return len(rows)


# Contraband that is not drugs, in the same registry: what a port control unit finds in containers.
# (reference, day, concealment, container, [(commodity, quantity, unit, details, value, currency)])
CONTRABAND: tuple[tuple[Any, ...], ...] = (
    ("KZ-AKT/2013/55", datetime.date(2013, 10, 2), "container", "MSCU4872219",
     [("pistol", "12", "pieces", {"firearm_type": "pistol", "calibre": "9 mm", "serial_numbers": "TR-1021…TR-1032"}, None, ""),
      ("ammunition", "1200", "rounds", {"calibre": "9×19 mm"}, None, ""),
      ("counterfeit-watches", "3000", "pieces", {"brand": "Rolex (counterfeit)", "hs_code": "910211"}, "45000", "USD")]),
    ("KZ-AKT/2013/61", datetime.date(2013, 11, 19), "container", "TGHU5036317",
     [("saiga-horn", "86", "head", {"cites_species": "Saiga tatarica", "cites_appendix": "II"}, None, ""),
      ("cigarettes", "250000", "pieces", {"brand": "Marlboro", "hs_code": "240220"}, "18000", "USD")]),
    ("KZ-AKT/2014/7", datetime.date(2014, 2, 4), "vehicle", "",
     [("cash", "184000", "amount", {}, None, "USD")]),
)  # fmt: skip


def build_contraband() -> str:
    """Firearms, counterfeit watches, saiga horn, cigarettes and cash seized by the port control
    unit at Aktau, once."""
    officer = User.objects.get(username="kz.pcu.aktau")
    unit = Unit.objects.get(code="kz-customs-pcu-aktau")
    made = 0
    for reference, day, concealment, container, items in CONTRABAND:
        if Seizure.objects.filter(owner_agency_id=unit.agency_id, reference=reference).exists():
            continue
        seizure_create(
            actor=officer,
            owner_unit_id=unit.pk,
            data=SeizureData(
                reference=reference,
                occurred_on=day,
                country_id="KZ",
                place_id=unit.place_id,
                detection_method="risk_profiling",
                transport_mode="sea" if container else "road",
                concealment=concealment,
                container_number=container,
                items=[
                    ItemData(
                        Substance.objects.get(code=code).pk,
                        Decimal(quantity),
                        measure,
                        None,
                        Decimal(value) if value else None,
                        currency,
                        details,
                    )
                    for code, quantity, measure, details, value, currency in items
                ],
            ),
        )
        made += 1
    return f"contraband at Aktau: {made} seizures"
