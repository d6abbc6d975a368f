"""The published UNODC series: loaded from the file copied into the project, duplicates added up,
and set beside Kordon's own totals on the dashboard."""

from decimal import Decimal
from typing import Any

from kordon.analytics.models import ReferenceFigure
from kordon.analytics.reference import load_unodc, published_kilograms
from kordon.seizures.models import Seizure, Substance


def test_the_series_loads_and_matches_a_published_figure(world: Any) -> None:
    lines = load_unodc()
    assert "loaded" in lines[0]
    heroin = Substance.objects.get(code="heroin").pk
    # Tajikistan, heroin, 2008: 1,636.4 kg (the figure UNODC published).
    assert published_kilograms(country="TJ", year=2008, substance=heroin).quantize(Decimal("0.1")) == Decimal(
        "1636.4"
    )
    count = ReferenceFigure.objects.count()
    load_unodc()  # loading again replaces, never doubles
    assert ReferenceFigure.objects.count() == count


def test_the_dashboard_sets_kordon_beside_the_published_figure(
    world: Any, seized: dict[str, Seizure]
) -> None:
    load_unodc()
    html = world.client("kg.analyst").get("/analytics/panels/published/?period=2013&substance=" + str(
        Substance.objects.get(code="heroin").pk)).content.decode()  # fmt: skip
    published = published_kilograms(
        country="KG", year=2013, substance=Substance.objects.get(code="heroin").pk
    )
    assert published is not None and published > 0
    assert "UNODC" in html and ">3<" in html  # Kordon's 3 kg of heroin in Kyrgyzstan in 2013
