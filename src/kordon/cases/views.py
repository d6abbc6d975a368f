"""The case pages: the list and a new case; a case with its items, team, tasks, notes, exhibits,
timeline and link chart; an exhibit with its chain of custody and its printable report."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kordon.access import policy
from kordon.access.audit import audit_read
from kordon.cases import reports, selectors, services
from kordon.cases.forms import (
    CaseForm,
    CustodyForm,
    DocumentForm,
    ExhibitForm,
    ItemForm,
    LabForm,
    MemberForm,
    NoteForm,
    StatusForm,
    TaskForm,
)
from kordon.cases.models import Case, CaseItem, CaseStatus, CaseTask, Exhibit, ExhibitDocument
from kordon.core.downloads import safe_filename
from kordon.core.http import AuthenticatedRequest
from kordon.core.paging import capped_page


@require_http_methods(["GET", "POST"])
def cases_view(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    form = CaseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=user,
                unit_id=data["unit"].pk,
                data=services.CaseData(
                    reference=data["reference"],
                    title=data["title"],
                    case_type=data["case_type"],
                    summary=data["summary"],
                    opened_on=data["opened_on"],
                    **form.marking_values(),
                ),
            )
        except ValidationError as error:
            form.show_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect("cases:case", case.pk)
    found = selectors.cases(user=user)
    if request.GET.get("status") in CaseStatus.values:
        found = found.filter(status=request.GET["status"])
    context = {
        "section": "cases",
        "page": capped_page(found, request.GET.get("page"), 50),
        "form": form,
        "statuses": CaseStatus.choices,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "cases/cases.html", context, status=400 if request.method == "POST" else 200)


def _seizure_items(view: selectors.CaseView) -> list[tuple[int, str]]:
    return [
        (
            item.pk,
            f"{view_item.label}: {item.substance} {item.quantity.normalize()} {item.get_unit_display()}",
        )
        for view_item in view.items
        if view_item.item.record_type == "seizure"
        for item in view_item.record.items.select_related("substance")
    ]


def _case_page(request: AuthenticatedRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponseBase:
    view = selectors.case_view(user=request.user, case_id=pk)
    graph = selectors.case_graph(user=request.user, view=view)
    context = {
        "section": "cases",
        "view": view,
        "case": view.case,
        "graph": graph,
        "status_form": forms.get("status_form")
        or StatusForm(initial={"status": view.case.status}, prefix="status"),
        "item_form": forms.get("item_form") or ItemForm(prefix="item"),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "task_form": forms.get("task_form") or TaskForm(team=view.team, prefix="task"),
        "member_form": forms.get("member_form") or MemberForm(prefix="member"),
        "exhibit_form": forms.get("exhibit_form")
        or ExhibitForm(seizure_items=_seizure_items(view), prefix="exhibit"),
        "today": timezone.localdate(),
    }
    return render(request, "cases/case.html", context, status=status)


@require_GET
def case_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _case_page(request, pk)


def _carried_out(form: Any, call: Callable[[Any], Any]) -> Any:
    """`call(cleaned_data)` (a service) if the form is valid, its refusals put on the form; what
    the service returned, or None."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        form.show_errors(error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _exhibit_data(data: dict[str, Any]) -> services.ExhibitData:
    return services.ExhibitData(
        description=data["description"],
        seizure_item_id=data["seizure_item"],
        commodity_id=data["commodity"].pk if data["commodity"] else None,
        **{name: data[name] for name in ("quantity", "unit", "seal_number", "location", "shared")},
    )


@require_POST
def case_action_view(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    """One change to a case: its status, an item, a note, a task, a member, an exhibit."""
    user, post = request.user, request.POST
    try:
        if action in ("task", "exhibit"):
            view = selectors.case_view(user=user, case_id=pk)
        forms: dict[str, tuple[Callable[[], Any], Callable[[dict[str, Any]], Any]]] = {
            "status": (
                lambda: StatusForm(post, prefix="status"),
                lambda data: services.case_set_status(actor=user, case_id=pk, **data),
            ),
            "item": (
                lambda: ItemForm(post, prefix="item"),
                lambda data: services.item_add(actor=user, case_id=pk, **data),
            ),
            "note": (
                lambda: NoteForm(post, prefix="note"),
                lambda data: services.note_add(actor=user, case_id=pk, **data),
            ),
            "task": (
                lambda: TaskForm(post, team=view.team, prefix="task"),
                lambda data: services.task_add(actor=user, case_id=pk, **data),
            ),
            "member": (
                lambda: MemberForm(post, prefix="member"),
                lambda data: services.member_add(actor=user, case_id=pk, **data),
            ),
            "exhibit": (
                lambda: ExhibitForm(post, seizure_items=_seizure_items(view), prefix="exhibit"),
                lambda data: services.exhibit_add(actor=user, case_id=pk, data=_exhibit_data(data)),
            ),
        }
        if action not in forms:
            raise Http404
        make_form, call = forms[action]
        form = make_form()
        done = _carried_out(form, call)
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    if done is None:
        return _case_page(request, pk, status=400, **{f"{action}_form": form})
    messages.success(request, _("Saved."))
    if action == "exhibit":
        return redirect("cases:exhibit", done.pk)
    return redirect("cases:case", pk)


@require_POST
def item_share_view(request: AuthenticatedRequest, item_id: int) -> HttpResponseBase:
    item = CaseItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    try:
        services.item_share(actor=request.user, item_id=item_id, shared=request.POST.get("shared") == "1")
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("cases:case", item.case_id)


@require_POST
def task_done_view(request: AuthenticatedRequest, task_id: int) -> HttpResponseBase:
    task = CaseTask.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404
    try:
        services.task_close(actor=request.user, task_id=task_id)
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("cases:case", task.case_id)


def _exhibit_page(
    request: AuthenticatedRequest, pk: int, status: int = 200, **forms: Any
) -> HttpResponseBase:
    try:
        view = selectors.exhibit_view(user=request.user, exhibit_id=pk)
    except Exhibit.DoesNotExist as missing:
        raise Http404 from missing
    case_view = selectors.case_view(user=request.user, case_id=view.exhibit.case_id)
    context = {
        "section": "cases",
        "view": view,
        "exhibit": view.exhibit,
        "may_work": case_view.may_work,
        "custody_form": forms.get("custody_form") or CustodyForm(prefix="custody"),
        "lab_form": forms.get("lab_form") or LabForm(prefix="lab"),
        "document_form": forms.get("document_form") or DocumentForm(prefix="document"),
    }
    return render(request, "cases/exhibit.html", context, status=status)


@require_GET
def exhibit_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _exhibit_page(request, pk)


def _custody_data(data: dict[str, Any]) -> services.CustodyData:
    names = ("kind", "at", "holder", "holder_name", "from_user", "location", "condition", "seal_number",
             "weight", "weight_reason", "note")  # fmt: skip
    return services.CustodyData(
        **{name: data[name] for name in names}, witnesses=data["witnesses"].splitlines()
    )


def _document(request: AuthenticatedRequest, pk: int, data: dict[str, Any]) -> Any:
    upload = data["file"]
    return services.exhibit_document_add(
        actor=request.user,
        exhibit_id=pk,
        kind=data["kind"],
        name=upload.name,
        content_type=upload.content_type or "",
        content=upload.read(services.DOCUMENT_LIMIT + 1),
    )


@require_POST
def exhibit_action_view(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    """Add a custody event, a laboratory result or a document to an exhibit."""
    user, post = request.user, request.POST
    lab_fields = ("laboratory", "lab_reference", "analysed_on", "net_weight", "purity_percent", "method")
    forms: dict[str, tuple[Callable[[], Any], Callable[[dict[str, Any]], Any]]] = {
        "custody": (
            lambda: CustodyForm(post, prefix="custody"),
            lambda data: services.custody_record(actor=user, exhibit_id=pk, data=_custody_data(data)),
        ),
        "lab": (
            lambda: LabForm(post, prefix="lab"),
            lambda data: services.lab_result_record(
                actor=user,
                exhibit_id=pk,
                confirmed_id=data["confirmed"].pk,
                **{name: data[name] for name in lab_fields},
            ),
        ),
        "document": (
            lambda: DocumentForm(post, request.FILES, prefix="document"),
            lambda data: _document(request, pk, data),
        ),
    }
    if action not in forms:
        raise Http404
    make_form, call = forms[action]
    form = make_form()
    try:
        done = _carried_out(form, call)
    except (Exhibit.DoesNotExist, Case.DoesNotExist) as missing:
        raise Http404 from missing
    if done is None:
        return _exhibit_page(request, pk, status=400, **{f"{action}_form": form})
    messages.success(request, _("Recorded."))
    return redirect("cases:exhibit", pk)


@require_GET
def exhibit_report_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The exhibit's chain of custody as a PDF, in the page's language (or ?language=ky, …)."""
    try:
        view = selectors.exhibit_view(user=request.user, exhibit_id=pk, audit=False)
    except Exhibit.DoesNotExist as missing:
        raise Http404 from missing
    pdf = reports.custody_report(actor=request.user, view=view, language=request.GET.get("language", ""))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{safe_filename(view.exhibit.label)}-custody.pdf"'
    )
    return response


@require_GET
def document_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """An exhibit's document, always as a download (never shown inline)."""
    document = ExhibitDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    try:
        selectors.exhibit_view(user=request.user, exhibit_id=document.exhibit_id, audit=False)
    except Exhibit.DoesNotExist as missing:
        raise Http404 from missing
    audit_read(request.user, document)
    response = HttpResponse(bytes(document.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(document.name)}"'
    return response
