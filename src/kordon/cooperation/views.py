"""Pages of international cooperation requests and of victim referrals."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_log, audit_read
from kordon.cooperation import selectors, services
from kordon.cooperation.forms import (
    AssetForm,
    CaseForm,
    CloseForm,
    ConsentForm,
    DocumentForm,
    ReferralForm,
    ReminderForm,
    RequestForm,
    TransitionForm,
)
from kordon.cooperation.models import (
    TRANSITIONS,
    AssetStage,
    CaseType,
    CooperationRequest,
    DataCategory,
    Direction,
    Exploitation,
    Measure,
    Referral,
    ReferralStatus,
    RequestDocument,
    RequestStatus,
    ServiceType,
    Sex,
)
from kordon.core.downloads import neutralise, table_download
from kordon.core.http import AuthenticatedRequest


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---- cooperation requests ----------------------------------------------------------------------


def _filtered(request: AuthenticatedRequest) -> Any:
    rows = selectors.requests(request.user)
    if request.GET.get("direction") in Direction.values:
        rows = rows.filter(direction=request.GET["direction"])
    if request.GET.get("status") in RequestStatus.values:
        rows = rows.filter(status=request.GET["status"])
    country = request.GET.get("country", "").upper()
    if len(country) == 2:
        rows = rows.filter(requesting_country_id=country) | rows.filter(requested_country_id=country)
    return rows


def requests_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Open, overdue and unsatisfied requests by state; the list; a new request."""
    user = request.user
    form = RequestForm(user=user, initial={"direction": Direction.OUTGOING})
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.request_create(
                    actor=user,
                    unit=data["unit"],
                    data=services.RequestData(
                        reference=data["reference"],
                        direction=data["direction"],
                        requesting_country_id=data["requesting_country"].code,
                        requested_country_id=data["requested_country"].code,
                        requesting_authority=data["requesting_authority"],
                        requested_authority=data["requested_authority"],
                        counterpart_reference=data["counterpart_reference"],
                        legal_basis=data["legal_basis"],
                        treaty=data["treaty"],
                        offences=data["offences"],
                        measures=data["measures"],
                        urgent=data["urgent"],
                        deadline=data["deadline"],
                        received_on=data["received_on"],
                        persons=data["persons"],
                        summary=data["summary"],
                    ),
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return redirect("cooperation:request", created.pk)
        status = 400
    today = timezone.localdate()
    rows = list(_filtered(request)[:300])
    context = {
        "section": "cooperation",
        "tab": "requests",
        "dashboard": selectors.dashboard(user, today, request.GET.get("direction", "")),
        "rows": [(row, row.overdue_on(today)) for row in rows],
        "statuses": RequestStatus.choices,
        "stage_labels": dict(AssetStage.choices),
        "form": form,
        "today": today,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "cooperation/requests.html", context, status=status)


COLUMNS = (
    "reference",
    "direction",
    "counterpart",
    "offences",
    "measures",
    "status",
    "opened_on",
    "deadline",
    "answered_on",
    "overdue",
)


def _export_rows(request: AuthenticatedRequest) -> list[list[Any]]:
    today = timezone.localdate()
    labels = dict(Measure.choices)
    return [
        [
            neutralise(row.reference),
            row.get_direction_display(),
            neutralise(row.counterpart.name),
            neutralise(row.offences),
            "; ".join(str(labels.get(m, m)) for m in row.measures),
            row.get_status_display(),
            row.opened_on,
            row.due_on(),
            row.answered_on,
            _("yes") if row.overdue_on(today) else "",
        ]
        for row in _filtered(request)
    ]


@require_GET
def requests_export_view(request: AuthenticatedRequest, file_format: str) -> HttpResponseBase:
    """The list as CSV or XLSX, with the page's filters; audited as an export."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    header = [
        _("Reference"), _("Direction"), _("Counterpart state"), _("Offences"), _("Assistance requested"),
        _("Status"), _("Sent or received"), _("Due"), _("Answered"), _("Overdue"),
    ]  # fmt: skip
    rows = _export_rows(request)
    with transaction.atomic():
        audit_log(
            actor=request.user,
            action=EXPORT,
            object_type="cooperation.cooperationrequest",
            after={"format": file_format, "rows": len(rows)},
        )
    return table_download(header, rows, file_format, "cooperation-requests")


@require_GET
def requests_print_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The unresolved cases and unsatisfied requests, laid out for printing for a regional meeting."""
    today = timezone.localdate()
    rows = [
        row
        for row in _filtered(request)
        if row.overdue_on(today) or row.status in ("refused", "partially_executed")
    ]
    with transaction.atomic():
        audit_log(
            actor=request.user,
            action=EXPORT,
            object_type="cooperation.cooperationrequest",
            after={"format": "print", "rows": len(rows)},
        )
    return render(
        request,
        "cooperation/print.html",
        {"rows": rows, "today": today, "dashboard": selectors.dashboard(request.user, today)},
    )


@require_GET
def request_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _request_page(request, pk)


def _request_page(request: AuthenticatedRequest, pk: int, **forms: Any) -> HttpResponseBase:
    """The request's page; with `forms`, those forms as posted, with their errors."""
    record = audit_read(request.user, get_object_or_404(selectors.requests(request.user), pk=pk))
    may_change = CooperationRequest.objects.restrict(request.user, policy.CHANGE).filter(pk=pk).exists()
    transition: TransitionForm = forms.get("transition_form") or TransitionForm()
    status_field: Any = transition.fields["status"]
    status_field.choices = [(s, RequestStatus(s).label) for s in TRANSITIONS[record.status]]
    context = {
        "section": "cooperation",
        "tab": "requests",
        "record": record,
        "overdue": record.overdue_on(timezone.localdate()),
        "measures": [label for value, label in Measure.choices if value in record.measures],
        "events": record.events.select_related("by"),
        "assets": record.assets.all(),
        "documents": record.documents.defer("content"),
        "may_change": may_change,
        "transition_form": transition,
        "reminder_form": ReminderForm(),
        "asset_form": forms.get("asset_form") or AssetForm(),
        "document_form": DocumentForm(),
    }
    return render(request, "cooperation/request.html", context, status=400 if forms else 200)


@require_POST
def request_action_view(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    user = request.user
    try:
        if action == "transition":
            form = TransitionForm(request.POST)
            status_choices: Any = form.fields["status"]
            status_choices.choices = RequestStatus.choices
            if not form.is_valid():
                return _request_page(request, pk, transition_form=form)
            services.request_transition(actor=user, request_id=pk, **form.cleaned_data)
        elif action == "remind":
            reminder = ReminderForm(request.POST)
            if reminder.is_valid():
                services.request_remind(actor=user, request_id=pk, **reminder.cleaned_data)
        elif action == "asset":
            asset_form = AssetForm(request.POST)
            if not asset_form.is_valid():
                return _request_page(request, pk, asset_form=asset_form)
            services.asset_record(actor=user, request_id=pk, **asset_form.cleaned_data)
        elif action == "document":
            upload = request.FILES.get("file")
            if upload is not None:
                services.request_add_document(
                    actor=user,
                    request_id=pk,
                    name=upload.name or "",
                    content_type=upload.content_type or "",
                    content=upload.read(),
                )
        else:
            raise Http404
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("cooperation:request", pk)


@require_GET
def document_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    document = get_object_or_404(
        RequestDocument.objects.filter(request__in=selectors.requests(request.user)), pk=pk
    )
    audit_read(request.user, document.request, document=document.name)
    response = HttpResponse(bytes(document.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- referrals ---------------------------------------------------------------------------------


def referrals_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The cases the user's unit handles, the referrals it has received, and a new case."""
    user = request.user
    form = CaseForm(user=user)
    status = 200
    if request.method == "POST":
        form = CaseForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=user,
                    unit=data["unit"],
                    data=services.CaseData(
                        case_type=data["case_type"],
                        exploitation=data["exploitation"],
                        age_band=data["age_band"],
                        sex=data["sex"],
                        nationality_id=data["nationality"].code if data["nationality"] else None,
                        needs=data["needs"],
                    ),
                    identity=services.IdentityData(
                        full_name=data["full_name"],
                        birth_date=data["birth_date"],
                        documents=data["documents"],
                        contact=data["contact"],
                    ),
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, _errors(error) if isinstance(error, ValidationError) else str(error))
            else:
                return redirect("cooperation:case", case.pk)
        status = 400
    scope = policy.scope_for(user)
    own_units = list(scope.roles) if scope else []
    context = {
        "section": "cooperation",
        "tab": "referrals",
        "cases": selectors.cases(user).filter(owner_unit_id__in=own_units),
        "incoming": selectors.incoming_referrals(user),
        "form": form,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "cooperation/referrals.html", context, status=status)


@require_GET
def case_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _case_page(request, pk)


def _case_page(request: AuthenticatedRequest, pk: int, **forms: Any) -> HttpResponseBase:
    """The case's page; with `forms`, those forms as posted, with their errors."""
    try:
        view = selectors.case_for(request.user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    today = timezone.localdate()
    consents = [
        (c.pk, f"№{c.pk}: {c.purpose} ({c.given_on:%d.%m.%Y}–{c.valid_until:%d.%m.%Y})")
        for c in view.consents
        if c.in_force_on(today)
    ]
    context = {
        "section": "cooperation",
        "tab": "referrals",
        "view": view,
        "case": view.case,
        "today": today,
        "category_labels": dict(DataCategory.choices),
        "consent_form": forms.get("consent_form")
        or ConsentForm(organisations=selectors.referral_partners(view.case.owner_agency_id)),
        "referral_form": forms.get("referral_form") or ReferralForm(consents=consents),
        "close_form": CloseForm(),
    }
    return render(request, "cooperation/case.html", context, status=400 if forms else 200)


@require_POST
def case_action_view(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    user = request.user
    try:
        if action == "consent":
            form = ConsentForm(request.POST)
            if not form.is_valid():
                return _case_page(request, pk, consent_form=form)
            data = form.cleaned_data
            services.consent_record(
                actor=user,
                case_id=pk,
                data=services.ConsentData(
                    given_by=data["given_by"],
                    method=data["method"],
                    organisation_ids=[o.pk for o in data["organisations"]],
                    categories=data["categories"],
                    purpose=data["purpose"],
                    given_on=data["given_on"],
                    valid_until=data["valid_until"],
                ),
            )
        elif action == "refer":
            referral_form = ReferralForm(request.POST, consents=[(request.POST.get("consent", ""), "")])
            if not referral_form.is_valid():
                return _case_page(request, pk, referral_form=referral_form)
            data = referral_form.cleaned_data
            services.referral_send(
                actor=user,
                case_id=pk,
                data=services.ReferralData(
                    consent_id=int(data["consent"]),
                    to_unit_id=data["to_unit"].pk,
                    service=data["service"],
                    reason=data["reason"],
                    urgent=data["urgent"],
                ),
            )
        elif action == "revoke-consent":
            services.consent_revoke(actor=user, consent_id=int(request.POST.get("consent", "0")))
        elif action == "revoke-referral":
            services.referral_revoke(actor=user, referral_id=int(request.POST.get("referral", "0")))
        elif action == "close":
            close = CloseForm(request.POST)
            if not close.is_valid():
                messages.error(request, _("Give the reason for closing, in at most 300 characters."))
                return redirect("cooperation:case", pk)
            services.case_close(actor=user, case_id=pk, reason=close.cleaned_data["reason"])
        else:
            raise Http404
    except (ObjectDoesNotExist, ValueError) as missing:
        raise Http404 from missing
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("cooperation:case", pk)


@require_POST
def referral_action_view(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    """What the receiving organisation does with a referral: accept or decline it, record a
    service, complete it."""
    user = request.user
    try:
        if action in ("accept", "decline"):
            services.referral_respond(
                actor=user, referral_id=pk, accept=action == "accept", reason=request.POST.get("reason", "")
            )
        elif action == "service":
            try:
                on = datetime.date.fromisoformat(request.POST.get("on", ""))
            except ValueError:
                messages.error(request, _("Give the date of the service."))
                return redirect("cooperation:referrals")
            services.service_record(
                actor=user, referral_id=pk, on=on, description=request.POST.get("description", "")
            )
        elif action == "complete":
            services.referral_complete(
                actor=user,
                referral_id=pk,
                successful=request.POST.get("outcome") == "successful",
                note=request.POST.get("note", ""),
            )
        else:
            raise Http404
    except (ObjectDoesNotExist, ValueError) as missing:
        raise Http404 from missing
    except ValidationError as error:
        messages.error(request, _errors(error))
    # Back to the case while the user may still see it (declined or completed: it is gone).
    case_id = (
        Referral.objects.filter(pk=pk, case__in=selectors.cases(user))
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        return redirect("cooperation:referrals")
    return redirect(reverse("cooperation:case", args=[case_id]))


TABLES = {
    "exploitation_by_sex": (
        gettext_lazy("Form of exploitation by sex"),
        "exploitation",
        "sex",
        dict(Exploitation.choices),
        dict(Sex.choices),
    ),
    "nationality_by_case_type": (
        gettext_lazy("Nationality by case"),
        "nationality__name",
        "case_type",
        {},
        dict(CaseType.choices),
    ),
    "service_by_status": (
        gettext_lazy("Referrals by service and status"),
        "referrals__service",
        "referrals__status",
        dict(ServiceType.choices),
        dict(ReferralStatus.choices),
    ),
}


@require_GET
def statistics_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Counts for reports to ministries: aggregated, counts below five hidden."""
    year = selectors.statistics_year(request.GET.get("year", ""))
    tables = []
    for title, rows, columns, row_labels, column_labels in TABLES.values():
        table = selectors.case_statistics(request.user, rows, columns, year)
        tables.append((title, table, row_labels, column_labels))
    return render(
        request,
        "cooperation/statistics.html",
        {"section": "cooperation", "tab": "statistics", "tables": tables, "year": year},
    )
