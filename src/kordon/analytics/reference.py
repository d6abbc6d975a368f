"""The published reference series: UNODC annual seizures by country and drug, loaded once so that
national totals in Kordon can be set beside the published ones (with the source named)."""

import csv
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum

from kordon.access.audit import audit_log
from kordon.analytics.models import ReferenceFigure
from kordon.core.models import Country
from kordon.seizures.models import Substance, SubstanceGroup

UNODC_FILE = Path(__file__).resolve().parent / "data" / "unodc_seizures_1970_2020.csv"
UNODC_SOURCE = "UNODC (via Kaggle/ramjasmaurya, via GitHub daraa17/drug-seizures)"
GROUPS = {
    "Opioids": SubstanceGroup.OPIOIDS,
    "Cannabis-type": SubstanceGroup.CANNABIS,
    "Cocaine-type": SubstanceGroup.COCAINE,
    "ATS": SubstanceGroup.ATS,
    "Sedatives and Tranquillizers": SubstanceGroup.SEDATIVES,
    "Hallucinogens": SubstanceGroup.HALLUCINOGENS,
    "Precursors": SubstanceGroup.PRECURSORS,
}
# "Any drugs" repeats what the other groups report; totals leave it out, as they leave out precursors.
NOT_IN_TOTALS = ("any", SubstanceGroup.PRECURSORS)


def load_unodc(path: Path = UNODC_FILE) -> list[str]:
    """Load the series (replacing an earlier load of it). Returns what happened, for the operator."""
    countries = dict(Country.objects.values_list("code3", "code"))
    totals: dict[tuple[str, str, str, int], Decimal] = defaultdict(Decimal)
    skipped = {"no quantity": 0, "unknown country": 0}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            country = countries.get(row["ISO Code"])
            if country is None:
                skipped["unknown country"] += 1
                continue
            try:
                kilograms = Decimal(row["KG Equivalent"])
            except InvalidOperation:
                skipped["no quantity"] += 1
                continue
            group = "any" if row["Drug Group"] == "Any drugs" else str(GROUPS.get(row["Drug Group"], "other"))
            totals[(country, group, row["Drug"], int(row["Year"]))] += kilograms
    with transaction.atomic():
        ReferenceFigure.objects.filter(source=UNODC_SOURCE).delete()
        ReferenceFigure.objects.bulk_create(
            (
                ReferenceFigure(
                    source=UNODC_SOURCE,
                    country_id=country,
                    drug_group=group,
                    drug=drug,
                    year=year,
                    kilograms=kilograms.quantize(Decimal("0.000001")),
                )
                for (country, group, drug, year), kilograms in totals.items()
            ),
            batch_size=2000,
        )
        audit_log(actor=None, action="reference_load", object_type="analytics.referencefigure",
                  after={"figures": len(totals), **skipped})  # fmt: skip
    return [f"published figures (UNODC): {len(totals)} loaded; skipped {skipped['no quantity']} lines "
            f"without a quantity and {skipped['unknown country']} of countries not in the ISO list"]  # fmt: skip


def published_kilograms(
    *, country: str, year: int, substance: int | None = None, group: str | None = None
) -> Any:
    """The published kilograms for a country and year, for one substance, a drug group, or all drugs
    (precursors and the "any drugs" lines left out). None when nothing was published."""
    figures = ReferenceFigure.objects.filter(country_id=country, year=year)
    if substance:
        name = Substance.objects.filter(pk=substance).values_list("unodc_name", flat=True).first()
        figures = figures.filter(drug=name or "—")
    elif group:
        figures = figures.filter(drug_group=group)
    else:
        figures = figures.exclude(drug_group__in=NOT_IN_TOTALS)
    return figures.aggregate(total=Sum("kilograms"))["total"]
