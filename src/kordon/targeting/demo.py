"""The demo's port control unit at Aktau: ten months of invented declarations with the outcomes of
the past inspections (the officers' own picks, then six weeks of Kordon's), a trained model, a
tested profile and today's worklist.

The declarations come from a small generator with planted risk (acetic anhydride from Iran via
Turkmenbashi, new consignees, low value per kg) so that the model and the profile have something
true to find; the tests use the same generator.
"""

import datetime
import math
import random
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import transaction

from kordon.core.models import Unit
from kordon.targeting import services
from kordon.targeting.declarations import Declaration
from kordon.targeting.models import Consignment, Lane, Outcome, RiskProfile

UNIT = "kz-customs-pcu-aktau"
OFFICER = "kz.pcu.aktau"
MODEL = "Aktau sea containers"
PROFILE = "Acetic anhydride via Turkmenbashi, new consignee"
START = datetime.date(2013, 1, 2)
DAYS = 300
PER_DAY = 20
# The weeks Kordon has picked the inspections in the demo (before: officers' own choice).
KORDON_DAYS = 42
# HS code, description, typical value per kg (USD)
GOODS = (
    ("291524", "acetic anhydride", 1.2), ("090411", "black pepper", 3.5), ("870899", "vehicle parts", 9.0),
    ("611020", "cotton knitwear", 14.0), ("080510", "oranges", 0.8), ("210690", "food preparations", 4.0),
    ("392690", "plastic articles", 5.0), ("690890", "ceramic tiles", 0.6), ("252329", "portland cement", 0.1),
    ("080610", "fresh grapes", 1.1),
)  # fmt: skip
ROUTES = {
    "IR": "IRBND TMKRW KZAKT", "AE": "AEJEA IRBND TMKRW KZAKT", "TR": "TRMER AZBAK KZAKT",
    "CN": "CNSHA RUAST KZAKT", "IN": "INNSA IRBND TMKRW KZAKT", "AZ": "AZBAK KZAKT", "RU": "RUAST KZAKT",
}  # fmt: skip


def generated(
    seed: int = 7, days: int = DAYS, per_day: int = PER_DAY, start: datetime.date = START
) -> Iterator[Declaration]:
    """Declarations with outcomes as if every one had been inspected (the caller drops some)."""
    rng = random.Random(seed)  # noqa: S311 - invented demo data, reproducible on purpose
    importers = [f"KZ-IMP-{number:04}" for number in range(1, 400)]
    first_seen: dict[str, datetime.date] = {}
    number = 0
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        for _ in range(per_day):
            number += 1
            hs_code, description, per_kg = rng.choice(GOODS)
            origin = rng.choice(tuple(ROUTES))
            importer = rng.choice(importers[: 60 + offset])  # new importers keep arriving
            new = importer not in first_seen
            first_seen.setdefault(importer, day)
            mass = round(rng.lognormvariate(8, 1), 1)
            cheap = rng.random() < 0.2
            value = round(mass * per_kg * (0.3 if cheap else rng.uniform(0.8, 1.3)), 2)
            odds = (
                -2.6
                + 1.5 * cheap
                + 1.0 * new
                + 2.2 * (hs_code == "291524" and origin == "IR")
                + 0.6 * (origin == "AE")
            )
            chance = 1 / (1 + math.exp(-odds))
            roll = rng.random()
            if roll < chance * 0.1:
                outcome = Outcome.SEIZURE
            elif roll < chance:
                outcome = Outcome.IRREGULARITY
            else:
                outcome = Outcome.NOTHING
            fields = {
                "declaration_id": f"KZ-AKT-{day:%y%m%d}-{number:05}",
                "declared_on": day,
                "office": "AKTAU-PORT",
                "container_number": "",
                "bill_of_lading": f"BL{number:07}",
                "declarant": f"BROKER-{rng.randint(1, 25):02}",
                "importer": importer,
                "shipper": f"SHIP-{origin}-{rng.randint(1, 40):02}",
                "courier": "",
                "hs_code": hs_code,
                "description": description,
                "origin_country": origin,
                "departure_country": origin,
                "route_ports": ROUTES[origin],
                "transport_mode": "sea",
                "process_type": "",
                "import_type": "",
                "import_use": "",
                "payment_type": "",
                "tax_type": "",
                "origin_indicator": "",
                "tax_rate": 5.0,
                "net_mass": mass,
                "declared_value": value,
            }
            yield Declaration(fields, outcome)


@transaction.atomic  # all of the demo's port or none of it
def build_targeting() -> str:
    unit = Unit.objects.select_related("agency").get(code=UNIT)
    if Consignment.objects.filter(owner_unit=unit).exists():
        return "Aktau consignments already there"
    officer = get_user_model().objects.get(username=OFFICER)
    rng = random.Random(11)  # noqa: S311 - the demo is the same on every machine
    declarations = list(generated())
    last_day = declarations[-1].declared_on
    kordon_from = last_day - datetime.timedelta(days=KORDON_DAYS)
    # Before Kordon, officers inspected 30 % by their own choice; since, Kordon has picked.
    truth = {d.fields["declaration_id"]: d.outcome for d in declarations}
    for declaration in declarations:
        if declaration.declared_on >= kordon_from or rng.random() > 0.3:
            declaration.outcome = ""
    services.store_declarations(actor=officer, unit=unit, declarations=declarations, source="demo")
    model = services.train_from_records(actor=officer, unit=unit, name=MODEL, seed=0)
    profile = services.save_profile(
        actor=officer,
        unit=unit,
        values={
            "name": PROFILE,
            "description": "Precursor for heroin: acetic anhydride shipped from Bandar Abbas through Turkmenbashi to a consignee first seen less than 90 days ago.",
            "conditions": [
                {"field": "hs_code", "op": "starts_with", "value": ["2915"]},
                {"field": "route_ports", "op": "contains", "value": ["TMKRW"]},
                {"field": "importer_days_known", "op": "below", "value": 90},
            ],
            "weight": 60,
            "lane": "",
            "valid_from": START,
        },
    )
    services.test_profile(actor=officer, profile=profile)
    services.switch_profile(actor=officer, profile=RiskProfile.objects.get(pk=profile.pk), active=True)
    day = kordon_from
    while day < last_day:
        services.select_day(
            actor=officer, unit=unit, day=day, capacity="5", random_share=0.2, model=model, rng=rng
        )
        for consignment in Consignment.objects.filter(owner_unit=unit, declared_on=day, lane=Lane.RED):
            outcome = truth[consignment.declaration_id]
            services.record_inspection(
                actor=officer, consignment=consignment, outcome=outcome, inspected_on=day
            )
        day += datetime.timedelta(days=1)
    worklist = services.select_day(actor=officer, unit=unit, day=last_day, capacity="5", model=model, rng=rng)
    return f"Aktau: {len(declarations)} consignments, model {model}, worklist of {worklist.consignments}"
