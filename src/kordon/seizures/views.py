"""Seizure pages: list, detail, record and edit, import wizard, exports. Thin: the services and
selectors decide; a seizure the user may not see is a 404, like one that does not exist."""

import csv
import io
from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook

from kordon.access import policy
from kordon.access.selectors import partner_views, record_history
from kordon.core.http import AuthenticatedRequest, wants_partial
from kordon.core.models import Country
from kordon.core.tabular import file_sha256
from kordon.seizures import commodities
from kordon.seizures.exports import FORMATS, export_rejected_rows, export_seizures
from kordon.seizures.forms import ImportForm, ItemFormSet, SeizureFilterForm, SeizureForm
from kordon.seizures.importing import Markings, import_seizures
from kordon.seizures.models import Seizure, SeizureImport
from kordon.seizures.selectors import (
    import_get,
    import_list,
    seizure_detail,
    seizure_may,
    seizure_page,
    seizure_page_rows,
    seizure_references,
)
from kordon.seizures.services import seizure_create, seizure_data_from, seizure_delete, seizure_update
from kordon.seizures.vocabulary import TEMPLATE_COLUMNS

PAGE_SIZE = 50


def seizure_list_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = SeizureFilterForm(request.GET)
    filters = form.to_filters()
    page = seizure_page(
        user=request.user, filters=filters, number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    page.object_list = seizure_page_rows(cast(QuerySet[Seizure], page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "section": "seizures",
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "formats": FORMATS,
        "may_add": bool(policy.units_for_action(request.user, policy.ADD)),
    }
    template = "seizures/list.html#results" if wants_partial(request) else "seizures/list.html"
    return render(request, template, context)


def _seizure_or_404(request: AuthenticatedRequest, seizure_id: int) -> Seizure:
    try:
        return seizure_detail(user=request.user, seizure_id=seizure_id)
    except Seizure.DoesNotExist:
        raise Http404(_("There is no seizure with this number, or it is not shared with you.")) from None


def seizure_detail_view(request: AuthenticatedRequest, seizure_id: int) -> HttpResponseBase:
    seizure = _seizure_or_404(request, seizure_id)
    return render(
        request,
        "seizures/detail.html",
        {
            "section": "seizures",
            "seizure": seizure,
            "items": seizure.items.all(),
            "attribute_labels": commodities.ATTRIBUTES,
            "history": record_history(object_type="seizures.seizure", object_id=str(seizure.pk))[:20],
            "route": route_of(seizure),
            "may_change": seizure_may(request.user, seizure, policy.CHANGE),
            "may_delete": seizure_may(request.user, seizure, policy.DELETE),
            "partner_views": partner_views(user=request.user, record=seizure)[:50],
        },
    )


def seizure_autocomplete_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Options for a reference box: seizures the user may see (or, `for=link`, change) whose
    reference starts with what was typed."""
    action = policy.CHANGE if request.GET.get("for") == "link" else policy.VIEW
    matches = seizure_references(
        user=request.user, prefix=request.GET.get("seizure") or request.GET.get("q", ""), action=action
    )
    return render(request, "seizures/_autocomplete.html", {"matches": matches})


def route_of(seizure: Seizure) -> list[str]:
    """Origin, transit countries and destination by name, in travel order ("?" where unknown)."""
    names = {
        country.code: country.label for country in Country.objects.filter(code__in=seizure.transit_countries)
    }
    return [
        seizure.origin_country.label if seizure.origin_country else "?",
        *(names.get(code, code) for code in seizure.transit_countries),
        seizure.destination_country.label if seizure.destination_country else "?",
    ]


def _items(formset: Any) -> list[Any]:
    return [
        form.to_item() for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


@require_http_methods(["GET", "POST"])
def seizure_create_view(request: AuthenticatedRequest) -> HttpResponseBase:
    if not policy.units_for_action(request.user, policy.ADD):
        raise PermissionDenied(_("Your role does not allow recording seizures."))
    form = SeizureForm(request.POST or None, user=request.user)
    formset = ItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            seizure = seizure_create(
                actor=request.user,
                owner_unit_id=form.cleaned_data["owner_unit"].pk,
                data=form.to_data(_items(formset)),
            )
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(
                request, _("Seizure %(reference)s is recorded.") % {"reference": seizure.reference}
            )
            return redirect("seizures:detail", seizure_id=seizure.pk)
    return render(request, "seizures/form.html", {"section": "seizures", "form": form, "formset": formset})


@require_http_methods(["GET", "POST"])
def seizure_edit_view(request: AuthenticatedRequest, seizure_id: int) -> HttpResponseBase:
    seizure = _seizure_or_404(request, seizure_id)
    if not seizure_may(request.user, seizure, policy.CHANGE):
        raise PermissionDenied(_("You can see this seizure but not change it."))
    if request.method == "POST":
        form = SeizureForm(request.POST, user=request.user, editing=True)
        formset = ItemFormSet(request.POST, prefix="items")
    else:
        data = seizure_data_from(seizure)
        initial = {
            **data.__dict__,
            "country": data.country_id,
            "place": data.place_id,
            "origin_country": data.origin_country_id,
            "destination_country": data.destination_country_id,
            "sharing_group": data.sharing_group_id,
        }
        form = SeizureForm(initial=initial, user=request.user, editing=True)
        formset = ItemFormSet(
            prefix="items",
            initial=[
                {
                    "substance": item.substance_id,
                    "quantity": item.quantity.normalize(),
                    "unit": item.unit,
                    "purity_percent": item.purity_percent,
                    "value": item.value,
                    "currency": item.currency,
                    "details": "; ".join(
                        f"{commodities.ATTRIBUTES[key]}: {value}" for key, value in item.attributes.items()
                    ),
                }
                for item in data.items
            ],
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            seizure_update(actor=request.user, seizure_id=seizure.pk, data=form.to_data(_items(formset)))
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("seizures:detail", seizure_id=seizure.pk)
    return render(
        request,
        "seizures/form.html",
        {
            "section": "seizures",
            "form": form,
            "formset": formset,
            "seizure": seizure,
        },
    )


@require_POST
def seizure_delete_view(request: AuthenticatedRequest, seizure_id: int) -> HttpResponseBase:
    try:
        seizure_delete(actor=request.user, seizure_id=seizure_id)
    except Seizure.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The seizure is deleted. The audit trail keeps a copy of it."))
    return redirect("seizures:list")


def seizure_export_view(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    if file_format not in FORMATS:
        raise Http404
    export = export_seizures(
        user=request.user, filters=SeizureFilterForm(request.GET).to_filters(), file_format=file_format
    )
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


@require_http_methods(["GET", "POST"])
def import_start_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unit = form.cleaned_data["unit"]
        markings = Markings(
            form.cleaned_data["tlp"], form.cleaned_data["handling_code"], form.cleaned_data["distribution"]
        )
        batch = SeizureImport(
            owner_unit=unit, created_by=request.user, file_name=Path(upload.name).name[:255]
        )
        batch.stored_file.save(Path(upload.name).name, upload, save=False)
        path = Path(batch.stored_file.path)
        batch.file_sha256 = file_sha256(path)
        try:
            import_seizures(
                actor=request.user,
                unit=unit,
                path=path,
                file_name=batch.file_name,
                commit=False,
                batch=batch,
                markings=markings,
            )
        except PermissionDenied:
            batch.stored_file.delete(save=False)
            raise
        return redirect("seizures:import", import_id=batch.pk)
    return render(
        request,
        "seizures/imports.html",
        {
            "section": "imports",
            "form": form,
            "imports": import_list(user=request.user)[:30],
        },
    )


def _import_or_404(request: AuthenticatedRequest, import_id: int) -> SeizureImport:
    try:
        return import_get(user=request.user, import_id=import_id)
    except SeizureImport.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
def import_detail_view(request: AuthenticatedRequest, import_id: int) -> HttpResponseBase:
    batch = _import_or_404(request, import_id)
    if request.method == "POST":
        if batch.status != SeizureImport.Status.CHECKED or not batch.stored_file:
            messages.error(
                request, _("This file was already imported or could not be read; upload it again.")
            )
            return redirect("seizures:import", import_id=batch.pk)
        result = import_seizures(
            actor=request.user,
            unit=batch.owner_unit,
            path=Path(batch.stored_file.path),
            file_name=batch.file_name,
            commit=True,
            batch=batch,
            markings=Markings(**batch.markings),
        )
        messages.success(
            request,
            _("%(count)s rows imported: %(new)s new seizures.")
            % {"count": result.batch.accepted_rows, "new": result.batch.new_seizures},
        )
        return redirect("seizures:import", import_id=batch.pk)
    problems = batch.problems.all()
    return render(
        request,
        "seizures/import_detail.html",
        {
            "section": "imports",
            "batch": batch,
            "problems": problems[:500],
            "problem_count": problems.count(),
        },
    )


def import_rejected_view(request: AuthenticatedRequest, import_id: int) -> HttpResponseBase:
    batch = _import_or_404(request, import_id)
    content = export_rejected_rows(user=request.user, batch=batch)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{Path(batch.file_name).stem}.csv"'
    return response


def import_template_view(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    """The canonical template, with one example row, as CSV or XLSX."""
    example = [
        "KG-DCS-2013-00001",
        "12.03.2013",
        "KG",
        "KG-DOSTUK",
        "kg-dcs-blo-dostuk",
        "героин",
        "1,5",
        "кг",
        "road",
        "sniffer_dog",
        "тайник под днищем грузовика",
        "AF",
        "TJ",
        "RU",
        "2",
        "example row",
    ]
    if file_format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(TEMPLATE_COLUMNS)
        writer.writerow(example)
        response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kordon-seizures-template.csv"'
        return response
    if file_format == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "seizures"
        sheet.append(list(TEMPLATE_COLUMNS))
        sheet.append(example)
        data = io.BytesIO()
        workbook.save(data)
        data.seek(0)
        return FileResponse(data, as_attachment=True, filename="kordon-seizures-template.xlsx")
    raise Http404
