"""The analytics dashboard: a page of panels, each loaded on its own (htmx) so that the first
figures show while the others are computed. Every figure links to the seizures behind it."""

from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kordon.access.audit import EXPORT, audit_log
from kordon.analytics import charts
from kordon.analytics.bulletin import write_bulletin
from kordon.analytics.compare import compare
from kordon.analytics.cube import DIMENSIONS, Question, summary
from kordon.analytics.figures import (
    after_alerts,
    by_month,
    cases_and_kilograms,
    headline_kilograms,
    kilograms_beside_drugs,
)
from kordon.analytics.forms import AnalyticsFilterForm
from kordon.analytics.geography import region_figures
from kordon.analytics.labels import Labeller
from kordon.analytics.periods import Period, PeriodError
from kordon.analytics.reference import UNODC_SOURCE, published_kilograms
from kordon.core.http import AuthenticatedRequest
from kordon.core.models import Country

BREAKDOWNS = [
    "commodity_family",
    "substance",
    "country",
    "agency",
    "place",
    "detection_method",
    "transport_mode",
    "concealment",
]
PANELS = ["headline", "alerts", "trend", "map", *BREAKDOWNS, "published"]
TOP = 10
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def years_with_seizures(user: Any) -> list[int]:
    """The years with seizures the user may count, oldest first."""
    rows = summary(user=user, question=Question(measure="cases", group_by=("year",))).rows
    return [int(row["year"]) for row in rows if row["value"]]


def default_period(request: AuthenticatedRequest, years: Callable[[], list[int]]) -> Period:
    """The period of an analytics form that names none: the period asked for when it is a valid
    one (then `years`, the years with seizures, a figure of its own, need not be worked out; the
    panels are always asked with one), else the last year with seizures the user may count, else
    the current year."""
    try:
        return Period.parse(request.GET.get("period", ""))
    except PeriodError:
        known = years()
        return Period.parse(str(known[-1] if known else timezone.localdate().year))


class Dashboard:
    """What one request asks: the filters, the period, and links to the seizure list."""

    def __init__(self, request: AuthenticatedRequest) -> None:
        self.request = request
        self.form = AnalyticsFilterForm(
            request.GET, default_period=default_period(request, lambda: self.years)
        )
        self.period = self.form.chosen_period()
        self.filters = self.form.to_filters()
        self.names = Labeller()

    @cached_property
    def years(self) -> list[int]:
        return years_with_seizures(self.request.user)

    def question(self, measure: str, *group_by: str, period: Period | None = None) -> Question:
        return Question(
            measure=measure, group_by=group_by, filters=self.filters, period=period or self.period
        )

    def list_link(self, period: Period | None = None, narrower: dict[str, Any] | None = None) -> str:
        """The seizure list with the dashboard's filters, the period's dates and `narrower`."""
        narrower = narrower or {}
        query = QueryDict(mutable=True)
        for name, value in self.request.GET.lists():
            if name not in ("period", "date_from", "date_to", *narrower) and any(value):
                query.setlist(name, value)
        chosen = period or self.period
        query["date_from"], query["date_to"] = chosen.start.isoformat(), chosen.end.isoformat()
        for name, value in narrower.items():
            query[name] = value
        return f"{reverse('seizures:list')}?{query.urlencode()}"

    @property
    def query(self) -> str:
        return self.request.GET.urlencode()


def _year_link(request: AuthenticatedRequest, year: int) -> str:
    query = request.GET.copy()
    query["period"] = str(year)
    return f"{reverse('analytics:dashboard')}?{query.urlencode()}"


def dashboard_view(request: AuthenticatedRequest) -> HttpResponseBase:
    board = Dashboard(request)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "section": "analytics",
            "form": board.form,
            "period": board.period,
            "before": board.period.year_before(),
            "panels": PANELS,
            "query": board.query,
            "years": [(year, _year_link(request, year)) for year in board.years][-12:],
        },
    )


def _headline(board: Dashboard) -> dict[str, Any]:
    before = board.period.year_before()
    figures = []
    for measure in ("cases", "kilograms", "persons_arrested"):
        question = board.question(measure)
        narrower = {}
        if measure == "kilograms" and headline_kilograms(question) is not question:
            question = headline_kilograms(question)
            narrower = {"family": question.filters.family}
        comparison = compare(user=board.request.user, question=question, before=before, after=board.period)
        figures.append({
            "measure": measure, "comparison": comparison, "drugs_only": bool(narrower),
            "link": board.list_link(narrower=narrower), "link_before": board.list_link(period=before, narrower=narrower),
        })  # fmt: skip
    counted = summary(user=board.request.user, question=board.question("counted_units")).total
    beside = kilograms_beside_drugs(user=board.request.user, question=board.question("kilograms"))
    return {
        "figures": figures,
        "counted": [(board.names.label("unit_of_measure", unit), value) for unit, value in counted.items()],
        "beside": [(board.names.label("commodity_family", family), value) for family, value in beside],
    }


def _alerts(board: Dashboard) -> dict[str, Any]:
    shares = {
        measure: after_alerts(user=board.request.user, question=board.question(measure))
        for measure in ("cases", "kilograms")
    }
    return {"shares": shares, "link": board.list_link(narrower={"followed_alert": "true"})}


def _trend(board: Dashboard) -> dict[str, Any]:
    counted = by_month(user=board.request.user, question=board.question("cases"))
    months = [
        {"label": month.label, "cases": cases, "kilograms": kilograms, "link": board.list_link(period=month)}
        for month, cases, kilograms in counted
    ]
    largest = max((kilograms for _month, _cases, kilograms in counted), default=Decimal(0))
    # A column for every month of the period, empty ones too, as high as its kilograms beside the
    # largest month's; none beyond ten years (the table stays). The browser draws them: drawn by
    # matplotlib, the chart took longer (80-150 ms) than counting the figures behind it.
    kilograms = {month.start: value for month, _cases, value in counted}
    calendar = board.period.months()
    columns = [
        {"label": month.label, "kilograms": kilograms.get(month.start, Decimal(0)), "link": board.list_link(period=month),
         "height": round(kilograms.get(month.start, 0) * 100 / largest) if largest else 0}
        for month in (calendar if len(calendar) <= 120 else [])
    ]  # fmt: skip
    return {"months": months, "largest": largest, "columns": columns}


def _map_image(board: Dashboard, image_format: str, dpi: int = 150) -> tuple[bytes, list[dict[str, Any]]]:
    figures = region_figures(user=board.request.user, question=board.question("kilograms"))
    image = charts.region_map(
        figures.points, figures.by_country, figures.flows, str(_("kilograms")), image_format, dpi
    )
    return image, figures.routes


def _map(board: Dashboard) -> dict[str, Any]:
    # PNG on the page, at screen resolution: half the size of the SVG (the borders alone weigh
    # about 180 kB). The downloads keep the print resolution.
    image, routes = _map_image(board, "png", dpi=110)
    for route in routes:
        route["link"] = board.list_link(narrower=route.pop("filters"))
    return {"image": charts.data_uri(image, "image/png"), "routes": routes[:8], "query": board.query}


def map_download_view(request: AuthenticatedRequest, image_format: str) -> HttpResponseBase:
    """The dashboard's map as a file for a report."""
    if image_format not in ("png", "svg"):
        raise Http404
    board = Dashboard(request)
    image, _routes = _map_image(board, image_format)
    with transaction.atomic():  # a map taken away is an export, audited like the others
        audit_log(
            actor=request.user, action=EXPORT, object_type="analytics.map", object_repr=board.query[:300]
        )
    response = HttpResponse(image, content_type="image/png" if image_format == "png" else "image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="kordon-map-{board.period.code}.{image_format}"'
    return response


def _breakdown(board: Dashboard, dimension: str) -> dict[str, Any]:
    figures = cases_and_kilograms(
        user=board.request.user, question=board.question("cases"), dimension=dimension
    )
    list_filter = DIMENSIONS[dimension].list_filter
    rows = [
        {
            "label": board.names.label(dimension, row.key),
            "cases": row.cases,
            "kilograms": row.kilograms,
            "link": board.list_link(narrower={list_filter: board.names.code(dimension, row.key)})
            if list_filter and row.key not in (None, "")
            else None,
        }
        for row in figures[:TOP]
    ]
    return {
        "dimension": dimension,
        "title": DIMENSIONS[dimension].label,
        "rows": rows,
        "more": max(0, len(figures) - TOP),
        "largest": max((row.kilograms for row in figures), default=0),
    }


def _published(board: Dashboard) -> dict[str, Any]:
    """Kordon's kilograms per country for the period's (last) calendar year beside the published
    UNODC figure for that country and year, with the same substance or drug group."""
    year = board.period.end.year
    whole_year = Period.parse(str(year))
    ours = {row["country"]: row["value"] for row in
            summary(user=board.request.user, question=board.question("kilograms", "country", period=whole_year)).rows}  # fmt: skip
    countries = Country.objects.filter(Q(central_asia=True) | Q(code__in=ours)).order_by("name")
    rows = []
    for country in countries:
        published = published_kilograms(country=country.code, year=year, substance=board.filters.substance,
                                        group=board.filters.substance_group)  # fmt: skip
        if published is None and country.code not in ours:
            continue
        rows.append({"country": country.label, "ours": ours.get(country.code, Decimal(0)), "published": published,
                     "link": board.list_link(period=whole_year, narrower={"country": country.code})})  # fmt: skip
    return {"year": year, "rows": rows, "source": UNODC_SOURCE}


def panel_view(request: AuthenticatedRequest, panel: str) -> HttpResponseBase:
    if panel not in PANELS:
        raise Http404
    board = Dashboard(request)
    if panel in BREAKDOWNS:
        context, template = _breakdown(board, panel), "analytics/_breakdown.html"
    else:
        views = {
            "headline": _headline,
            "alerts": _alerts,
            "trend": _trend,
            "map": _map,
            "published": _published,
        }
        context = views[panel](board)
        template = f"analytics/_{panel}.html"
    return render(
        request, template, {**context, "period": board.period, "before": board.period.year_before()}
    )


def bulletin_view(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    """The bulletin for the dashboard's period (and unit, if one is chosen), in the page's language."""
    if file_format not in ("pdf", "xlsx"):
        raise Http404
    board = Dashboard(request)
    unit = board.form.cleaned_data.get("unit") if board.form.is_valid() else None
    content = write_bulletin(user=request.user, period=board.period, unit=unit,
                             language=translation.get_language() or "en", file_format=file_format)  # fmt: skip
    media_type = "application/pdf" if file_format == "pdf" else XLSX_MEDIA_TYPE
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = (
        f'attachment; filename="kordon-bulletin-{board.period.code}.{file_format}"'
    )
    return response
