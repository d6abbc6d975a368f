"""The periodic bulletin: the headline figures against the year before, the sentence, charts, the
map and tables, as PDF (WeasyPrint, from the same HTML and charts as the pages) and as XLSX.

Everything is counted over what the requesting user may count, like the dashboard; the bulletin
names that user and the time it was made, so a printed copy says whose view it shows.
"""

import io
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kordon.access.audit import EXPORT, audit_log
from kordon.analytics import charts
from kordon.analytics.compare import Comparison, compare
from kordon.analytics.cube import DIMENSIONS, MEASURES, Question, summary
from kordon.analytics.figures import (
    after_alerts,
    by_month,
    cases_and_kilograms,
    headline_kilograms,
    kilograms_beside_drugs,
)
from kordon.analytics.geography import region_figures
from kordon.analytics.labels import Labeller
from kordon.analytics.periods import Period
from kordon.core.downloads import neutralise
from kordon.core.pdf import html_to_pdf
from kordon.seizures.selectors import SeizureFilters

TABLES = ["substance_group", "substance", "country", "place", "transport_mode", "concealment"]
TOP = 10


@dataclass
class BulletinTable:
    dimension: str
    title: str
    rows: list[tuple[str, Any, Any]]  # label, cases, kilograms


@dataclass
class Bulletin:
    period: Period
    before: Period
    made_for: str
    made_at: Any
    scope: str
    comparisons: dict[str, Comparison]
    counted: list[tuple[str, Any]]
    beside_drugs: list[tuple[str, Any]]  # commodity family, kilograms: not in the headline's
    tables: list[BulletinTable]
    months: list[tuple[str, Any, Any]]
    routes: list[tuple[str, Any]]
    alert_share: Any
    charts: dict[str, str]  # name -> data URI


def _table(user: Any, base: Question, dimension: str, names: Labeller) -> BulletinTable:
    rows = cases_and_kilograms(user=user, question=base, dimension=dimension)[:TOP]
    return BulletinTable(
        dimension,
        str(DIMENSIONS[dimension].label),
        [(names.label(dimension, row.key), row.cases, row.kilograms) for row in rows],
    )


def build(*, user: Any, period: Period, unit_id: int | None = None, scope: str = "") -> Bulletin:
    """The bulletin's figures for `period`, in the active language."""
    filters = SeizureFilters(unit=unit_id)
    base = Question(measure="cases", filters=filters, period=period)
    before = period.year_before()
    names = Labeller()
    comparisons = {
        measure: compare(user=user, question=headline_kilograms(replace(base, measure=measure))
                         if measure == "kilograms" else replace(base, measure=measure), before=before, after=period)
        for measure in ("cases", "kilograms", "persons_arrested")
    }  # fmt: skip
    beside = kilograms_beside_drugs(user=user, question=replace(base, measure="kilograms"))
    counted = summary(user=user, question=replace(base, measure="counted_units")).total
    months = [
        (month.label, cases, kilograms) for month, cases, kilograms in by_month(user=user, question=base)
    ]
    alerts = after_alerts(user=user, question=base)
    tables = [_table(user, base, dimension, names) for dimension in TABLES]
    geography = region_figures(user=user, question=replace(base, measure="kilograms"))
    images = {
        "map": charts.data_uri(
            charts.region_map(geography.points, geography.by_country, geography.flows, _("kilograms"), "svg")
        ),
        "months": charts.data_uri(
            charts.columns([label for label, _c, _k in months], {_("kilograms"): [float(kg) for _l, _c, kg in months]},
                           _("kg"))
        ),
    }  # fmt: skip
    return Bulletin(
        period=period,
        before=before,
        made_for=user.display_name,
        made_at=timezone.localtime(),
        scope=scope,
        comparisons=comparisons,
        counted=[(names.label("unit_of_measure", unit), value) for unit, value in counted.items()],
        beside_drugs=[(names.label("commodity_family", family), value) for family, value in beside],
        tables=tables,
        months=months,
        routes=[(route["label"], route["cases"]) for route in geography.routes[:TOP]],
        alert_share=alerts.percent,
        charts=images,
    )


def pdf(bulletin: Bulletin, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string("analytics/bulletin.html", {"bulletin": bulletin, "language": language})
    return html_to_pdf(html)


def xlsx(bulletin: Bulletin, language: str) -> bytes:
    with translation.override(language):
        workbook = Workbook(write_only=True)
        summary_sheet = workbook.create_sheet(_("Summary"))
        summary_sheet.append([_("Bulletin"), bulletin.period.label])
        summary_sheet.append([_("Made for"), bulletin.made_for, bulletin.made_at.strftime("%Y-%m-%d %H:%M")])
        summary_sheet.append([])
        summary_sheet.append(["", bulletin.before.label, bulletin.period.label, _("change, %")])
        for measure, comparison in bulletin.comparisons.items():
            percent = comparison.change_percent
            label = _("Kilograms of drugs seized") if measure == "kilograms" else MEASURES[measure].label
            summary_sheet.append([str(label), float(comparison.value_before),
                                  float(comparison.value_after), float(percent) if percent is not None else None])  # fmt: skip
        summary_sheet.append([])
        summary_sheet.append([neutralise(bulletin.comparisons["kilograms"].sentence)])
        for table in bulletin.tables:
            sheet = workbook.create_sheet(table.title[:31])
            sheet.append([table.title, _("Cases"), _("Kilograms")])
            for label, cases, kilograms in table.rows:
                sheet.append([neutralise(label), cases, float(kilograms)])
        months = workbook.create_sheet(_("By month"))
        months.append([_("Month"), _("Cases"), _("Kilograms")])
        for label, cases, kilograms in bulletin.months:
            months.append([label, cases, float(kilograms)])
        routes = workbook.create_sheet(_("Routes"))
        routes.append([_("Route"), _("Cases")])
        for label, cases in bulletin.routes:
            routes.append([neutralise(label), cases])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_bulletin(*, user: Any, period: Period, unit: Any, language: str, file_format: str) -> bytes:
    """The bulletin as a file; making it is audited as an export of what it counts."""
    with translation.override(language):
        scope = _("Unit: %(unit)s") % {"unit": unit.label} if unit else ""
        bulletin = build(user=user, period=period, unit_id=unit.pk if unit else None, scope=scope)
    content = pdf(bulletin, language) if file_format == "pdf" else xlsx(bulletin, language)
    with transaction.atomic():
        audit_log(actor=user, action=EXPORT, object_type="analytics.bulletin",
                  object_repr=f"{period.code} {file_format} {unit.code if unit else ''}".strip())  # fmt: skip
    return content
