"""`kordon demo`: the personas exist, running it again changes nothing, and the seizures follow the
UNODC yearly totals by country and drug."""

from decimal import Decimal
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db.models import Sum

from kordon.core.models import Membership
from kordon.prisons.models import Contraband
from kordon.seizures.demo import unodc_totals
from kordon.seizures.models import Seizure, SeizureItem

PERSONAS = {
    "kg.blo.dostuk": ("kg-dcs-blo-dostuk", "officer"),
    "uz.blo.dustlik": ("uz-customs-blo-dustlik", "officer"),
    "tj.blo.panj": ("tj-dca-blo-panj", "officer"),
    "kz.pcu.aktau": ("kz-customs-pcu-aktau", "officer"),
    "kg.analyst": ("kg-dcs-analysis", "analyst"),
    "tj.analyst": ("tj-dca-analysis", "analyst"),
    "kg.prison.auditor": ("kg-prison-hq", "officer"),
    "kg.prison.head": ("kg-prison-hq", "supervisor"),
    "kg.ik47": ("kg-prison-ik47", "officer"),
}


def test_the_demo_builds_personas_and_seizures_once(world: Any) -> None:
    out = StringIO()
    call_command("demo", "--password", "demo-password-1", stdout=out)
    for username, (unit, role) in PERSONAS.items():
        assert Membership.objects.filter(user__username=username, unit__code=unit, role=role).exists()
        assert username in out.getvalue()
    assert world.user("admin").is_superuser
    assert world.user("kg.blo.dostuk").check_password("demo-password-1")
    count = Seizure.objects.count()
    assert count >= 3000
    call_command("demo", stdout=StringIO())
    assert Seizure.objects.count() == count
    assert world.user("kg.blo.dostuk").check_password("demo-password-1")


def test_demo_totals_equal_the_unodc_figures(world: Any) -> None:
    call_command("demo", "--password", "demo-password-1", stdout=StringIO())
    totals = (
        SeizureItem.objects.filter(seizure__reference__regex=r"^[A-Z]{2}-[A-Z]+-201[234]-")
        .values_list("seizure__country_id", "substance__code", "seizure__occurred_on__year")
        .annotate(kilograms=Sum("quantity_kg"))
    )
    built = {(country, code, year): kilograms for country, code, year, kilograms in totals}
    expected = unodc_totals()
    assert expected[("TJ", "heroin", 2013)] > Decimal(100)
    assert built == expected
    series = Seizure.objects.filter(reference__regex=r"^[A-Z]{2}-[A-Z]+-201[234]-")
    assert set(series.values_list("occurred_on__year", flat=True)) == {2012, 2013, 2014}
    assert set(series.values_list("country_id", flat=True)) == {"KZ", "KG", "TJ", "TM", "UZ"}
    # Besides the series, only the seizure that followed the demo's shared alert, the drugs the
    # prison service recorded from its incident register, the demo case's seizure and the
    # contraband (not drugs) at Aktau.
    prison = set(Contraband.objects.exclude(seizure=None).values_list("seizure__reference", flat=True))
    assert prison and all(reference.startswith("ИНЦ-") for reference in prison)
    assert set(Seizure.objects.exclude(pk__in=series.values("pk")).values_list("reference", flat=True)) == {
        "UZ-DUSTLIK-ALERT-1",
        "KG-DOS/2013/17",
        "KZ-AKT/2013/55",
        "KZ-AKT/2013/61",
        "KZ-AKT/2014/7",
        *prison,
    }
