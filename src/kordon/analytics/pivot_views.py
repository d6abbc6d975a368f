"""The pivot explorer: pick rows, columns and a measure; see the table and its chart; save it;
take it away as CSV or XLSX."""

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from kordon.access.audit import EXPORT, audit_log
from kordon.analytics import charts
from kordon.analytics.cube import DIMENSIONS, MEASURES, AnalyticsError, Question
from kordon.analytics.forms import AnalyticsFilterForm
from kordon.analytics.models import SavedPivot
from kordon.analytics.pivot import PivotTable, pivot
from kordon.analytics.services import pivot_delete, pivot_save
from kordon.analytics.views import default_period, years_with_seizures
from kordon.core.downloads import neutralise
from kordon.core.http import AuthenticatedRequest

DIMENSION_CHOICES = [(name, dimension.label) for name, dimension in DIMENSIONS.items()]
MEASURE_CHOICES = [(name, measure.label) for name, measure in MEASURES.items() if not measure.unit_of_measure]


class PivotForm(AnalyticsFilterForm):
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=MEASURE_CHOICES, initial="kilograms")
    rows = forms.ChoiceField(label=gettext_lazy("Rows"), choices=DIMENSION_CHOICES, initial="month")
    columns = forms.ChoiceField(
        label=gettext_lazy("Columns"), choices=[("", "—"), *DIMENSION_CHOICES], required=False
    )
    field_order = ["measure", "rows", "columns", "period"]

    def __init__(self, data: Any, **kwargs: Any) -> None:
        data = data.copy()
        for name in ("measure", "rows"):
            data.setdefault(name, self.base_fields[name].initial)
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("rows") and cleaned.get("rows") == cleaned.get("columns"):
            raise ValidationError(_("Choose different dimensions for rows and columns."))
        return cleaned

    def question(self) -> Question | None:
        if not self.is_valid():
            return None
        group_by = tuple(name for name in (self.cleaned_data["rows"], self.cleaned_data["columns"]) if name)
        return Question(
            measure=self.cleaned_data["measure"],
            group_by=group_by,
            filters=self.to_filters(),
            period=self.chosen_period(),
        )


def _table(request: AuthenticatedRequest) -> tuple[PivotForm, PivotTable | None, str | None]:
    form = PivotForm(
        request.GET, default_period=default_period(request, lambda: years_with_seizures(request.user))
    )
    question = form.question()
    if question is None:
        return form, None, None
    try:
        return form, pivot(user=request.user, question=question), None
    except (AnalyticsError, ValueError) as error:
        return form, None, str(error)


def _chart(table: PivotTable) -> str | None:
    if not table.rows:
        return None
    unit = str(MEASURES[table.question.measure].label)
    series = {
        table.column_labels.get(column, unit): [float(table.value(row, column)) for row in table.rows]
        for column in table.columns[:8]
    }
    return charts.data_uri(charts.columns([table.row_labels[row] for row in table.rows], series, unit))


def _shown(table: PivotTable) -> dict[str, Any]:
    """The table as the page prints it: column headers, and each row's label with its values."""
    unit = str(MEASURES[table.question.measure].label)
    return {
        "headers": [table.column_labels.get(column, unit) for column in table.columns],
        "rows": [
            (table.row_labels[row], [table.value(row, column) for column in table.columns])
            for row in table.rows
        ],
    }


def pivot_view(request: AuthenticatedRequest) -> HttpResponseBase:
    if request.method == "POST":
        try:
            pivot_save(
                actor=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", "")
            )
            messages.success(request, _("The table is saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{request.path}?{request.POST.get('query', '')}")
    form, table, problem = _table(request)
    return render(request, "analytics/pivot.html", {
        "section": "analytics", "form": form, "table": table, "problem": problem,
        "chart": _chart(table) if table else None, "query": request.GET.urlencode(),
        "shown": _shown(table) if table else None,
        "saved": SavedPivot.objects.filter(owner=request.user),
    })  # fmt: skip


@require_POST
def pivot_delete_view(request: AuthenticatedRequest, pivot_id: int) -> HttpResponseBase:
    try:
        pivot_delete(actor=request.user, pivot_id=pivot_id)
    except PermissionDenied as error:
        raise Http404(str(error)) from None
    messages.success(request, _("The table is deleted."))
    return redirect("analytics:pivot")


def pivot_export_view(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    """The table as CSV or XLSX; exporting is audited like every export."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    _form, table, problem = _table(request)
    if table is None:
        return HttpResponse(
            problem or _("Choose rows and a measure first."), status=400, content_type="text/plain"
        )
    grid = [[neutralise(value) for value in row] for row in table.grid()]
    about = [
        [
            str(MEASURES[table.question.measure].label),
            table.question.period.label if table.question.period else "",
        ],
        [_("Counted over the seizures you may see, plus those your agreements release as statistics only.")],
        [],
    ]
    audit_log(
        actor=request.user,
        action=EXPORT,
        object_type="analytics.pivot",
        object_repr=request.GET.urlencode()[:300],
    )
    name = f"kordon-pivot-{table.question.period.code if table.question.period else 'all'}.{file_format}"
    if file_format == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([*about, *grid])
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Table"))
        for row in [*about, *grid]:
            sheet.append([float(value) if hasattr(value, "as_tuple") else value for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
