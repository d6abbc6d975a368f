"""The evaluation of joint operations: two periods side by side (e.g. the first nine months of
2012 and of 2013), from the incident register and the operations, and its CSV and XLSX files."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from kordon.access.audit import EXPORT, audit_log
from kordon.core.downloads import table_download
from kordon.prisons.selectors import PeriodFigures, change_percent, period_figures


@dataclass
class Comparison:
    first: PeriodFigures
    second: PeriodFigures

    def rows(self) -> list[tuple[str, Any, Any, float | None]]:
        """(measure, first period, second period, change in percent)."""
        measures = [
            (_("Incidents registered"), "incidents"),
            (_("Escapes and attempts"), "escapes"),
            (_("Drug finds in prisons"), "drug_finds"),
            (_("Drugs found, kg"), "drugs_kg"),
            (_("of which through interagency intelligence, kg"), "drugs_kg_interagency"),
            (_("Drug finds through interagency intelligence"), "finds_interagency"),
            (_("Joint operations"), "operations"),
            (_("Officers deployed"), "officers"),
            (_("Dogs deployed"), "dogs"),
            (_("Vehicles deployed"), "vehicles"),
            (_("Crimes detected in operations"), "crimes_detected"),
            (_("Drug-related crimes detected in operations"), "drug_crimes_detected"),
            (_("Drugs seized in operations, kg"), "operations_kg"),
        ]
        rows = []
        for label, name in measures:
            before, after = getattr(self.first, name), getattr(self.second, name)
            rows.append((label, before, after, change_percent(before, after)))
        rows.append(
            (
                _("Share of drugs found through interagency intelligence, %"),
                self.first.interagency_percent,
                self.second.interagency_percent,
                None,
            )
        )
        return rows

    def counted_units(self) -> list[tuple[str, Decimal, Decimal]]:
        units = sorted(set(self.first.counted_units) | set(self.second.counted_units))
        return [
            (
                unit,
                self.first.counted_units.get(unit, Decimal(0)),
                self.second.counted_units.get(unit, Decimal(0)),
            )
            for unit in units
        ]


def default_periods(latest: datetime.date) -> dict[str, str]:
    """The first nine months of the year of `latest` (the newest incident the user sees) and of
    the year before: the comparison the service's reports make."""
    year = latest.year
    return {
        "first_from": f"{year - 1}-01-01",
        "first_to": f"{year - 1}-09-30",
        "second_from": f"{year}-01-01",
        "second_to": f"{year}-09-30",
    }


def compare(
    user: Any, first: tuple[datetime.date, datetime.date], second: tuple[datetime.date, datetime.date]
) -> Comparison:
    return Comparison(period_figures(user, *first), period_figures(user, *second))


def _label(figures: PeriodFigures) -> str:
    return f"{figures.start:%d.%m.%Y}–{figures.end:%d.%m.%Y}"


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def download(user: Any, comparison: Comparison, file_format: str) -> HttpResponse:
    """The comparison as a CSV or XLSX file; the export is audited."""
    header = [_("Measure"), _label(comparison.first), _label(comparison.second), _("change, %")]
    rows = [[label, _number(a), _number(b), c] for label, a, b, c in comparison.rows()]
    rows += [
        [_("Drugs counted in %(unit)s") % {"unit": unit}, _number(a), _number(b), None]
        for unit, a, b in comparison.counted_units()
    ]
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            object_type="prisons.evaluation",
            object_repr=f"{header[1]} / {header[2]}",
            after={"format": file_format},
        )
    return table_download(
        header, rows, file_format, f"evaluation-{comparison.first.start}-{comparison.second.start}"
    )
