"""Fixtures of the analytics tests: a small world of seizures with known figures."""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kordon.access.markings import Distribution, Tlp
from kordon.seizures.models import Seizure, Substance

D = datetime.date


@pytest.fixture
def seized(world: Any, make_seizure: Any) -> dict[str, Seizure]:
    """Kyrgyz drug control: two heroin seizures in 2012 (2 kg, 1.5 kg), one in 2013 with heroin
    (3 kg) and hashish (1 kg), tramadol tablets (no kg); a Kazakh seizure released to partners
    up to GREEN; a hidden Uzbek seizure (agency only)."""
    made = {
        "H2012A": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2012, 3, 5), quantity="2", persons_arrested=1,
                               transport_mode="road"),
        "H2012B": make_seizure("kg-dcs-analysis", occurred_on=D(2012, 8, 20), quantity="1.5", transport_mode="rail"),
        "MIX2013": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 2, 11), quantity="3", persons_arrested=2,
                                transport_mode="road"),
        "TRAMADOL": make_seizure("kg-dcs-blo-dostuk", occurred_on=D(2013, 4, 1), substance="tramadol",
                                 quantity="120", unit="tablets"),
        "KZ": make_seizure("kz-mvd-analysis", occurred_on=D(2013, 5, 1), quantity="10", tlp=Tlp.GREEN,
                           distribution=Distribution.PARTNERS),
        "UZ": make_seizure("uz-customs-blo-dustlik", occurred_on=D(2013, 6, 1), quantity="50"),
    }  # fmt: skip
    mix = made["MIX2013"]
    mix.items.create(substance=Substance.objects.get(code="cannabis-resin"), quantity=Decimal(1), unit="kg",
                     quantity_kg=Decimal(1))  # fmt: skip
    return made


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return json.loads(Client().get("/api/v1/openapi.json").content)
