"""Pages of prison security: facilities side by side, a facility over time, frameworks, audits
with the offline checklist, the incident register and joint operations with their evaluation."""

import base64
import binascii
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_read
from kordon.core.downloads import safe_filename
from kordon.core.http import AuthenticatedRequest, pdf_language
from kordon.prisons import evaluation, reports, selectors, services
from kordon.prisons.forms import (
    ContrabandFormSet,
    FacilityForm,
    FrameworkUploadForm,
    IncidentForm,
    OperationForm,
    PeriodsForm,
    PersonFormSet,
    PlanAuditForm,
    RecommendationForm,
    ResponseForm,
    ReviewForm,
)
from kordon.prisons.models import (
    Audit,
    AuditStatus,
    Compliance,
    Component,
    EvidenceFile,
    Framework,
    Incident,
    IncidentType,
    ItemKind,
    Notified,
)

# Column headings of the side-by-side table, in the order of Component.
SHORT_SECTIONS = [
    (Component.PHYSICAL, gettext_lazy("Physical")),
    (Component.PROCEDURAL, gettext_lazy("Procedural")),
    (Component.DYNAMIC, gettext_lazy("Dynamic")),
    (Component.OVERSIGHT, gettext_lazy("Oversight")),
]


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---- facilities ------------------------------------------------------------------------------


@require_GET
def facilities_view(request: AuthenticatedRequest, **forms: Any) -> HttpResponseBase:
    today = timezone.localdate()
    user = request.user
    context = {
        "section": "prisons",
        "tab": "facilities",
        "rows": selectors.comparison(user, today),
        "short_sections": SHORT_SECTIONS,
        "overdue": selectors.overdue(user, today)[:50],
        "today": today,
        "plan_form": forms.get("plan_form") or PlanAuditForm(user=user),
        "facility_form": forms.get("facility_form") or FacilityForm(user=user),
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
        "open_audits": selectors.audits(user).filter(
            status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]
        ),
    }
    return render(request, "prisons/facilities.html", context)


@require_POST
def facility_create_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = FacilityForm(request.POST, user=request.user)
    if form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "unit"}
        try:
            facility = services.facility_save(
                actor=request.user, unit=form.cleaned_data["unit"], data=services.FacilityData(**data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Facility %(name)s added.") % {"name": facility})
            return redirect("prisons:facility", facility.pk)
    return facilities_view(request, facility_form=form)


@require_GET
def facility_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    facility = audit_read(request.user, get_object_or_404(selectors.facilities(request.user), pk=pk))
    incidents = selectors.incidents(request.user).filter(facility=facility)
    context = {
        "section": "prisons",
        "tab": "facilities",
        "facility": facility,
        "history": selectors.history(request.user, facility),
        "components": Component.choices,
        "audits": selectors.audits(request.user).filter(facility=facility),
        "by_type": [
            (IncidentType(kind).label, n)
            for kind, n in incidents.values_list("kind").annotate(n=Count("id")).order_by("-n")
        ],
        "recent": incidents[:10],
    }
    return render(request, "prisons/facility.html", context)


# ---- frameworks ------------------------------------------------------------------------------


def frameworks_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The framework versions, and the upload of a new one."""
    form = FrameworkUploadForm(user=request.user)
    problems: list[Any] = []
    if request.method == "POST":
        form = FrameworkUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.framework_import(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                content=upload.read(),
                file_name=upload.name,
            )
            if result.framework is not None:
                messages.success(
                    request,
                    _(
                        "Version %(version)s of %(title)s is stored with %(items)s questions. New audits use it; audits already started keep theirs."
                    )
                    % {
                        "version": result.framework.version,
                        "title": result.framework.title,
                        "items": result.framework.items.count(),
                    },
                )
                return redirect("prisons:frameworks")
            problems = result.problems
    versions = (
        Framework.objects.restrict(request.user)
        .select_related("uploaded_by")
        .annotate(n_items=Count("items"), n_audits=Count("audits", distinct=True))
    )
    newest = versions.order_by("-created_at", "-version").first()
    context = {
        "section": "prisons",
        "tab": "frameworks",
        "versions": versions,
        "newest": newest,
        "items": newest.items.all() if newest else [],
        "form": form,
        "problems": problems,
        "may_add": bool(policy.units_for_action(request.user, policy.ADD)),
    }
    return render(request, "prisons/frameworks.html", context, status=400 if problems else 200)


@require_GET
def framework_export_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    framework = get_object_or_404(Framework.objects.restrict(request.user, policy.EXPORT), pk=pk)
    audit_read(request.user, framework, EXPORT, format="xlsx")
    response = HttpResponse(
        reports.framework_xlsx(framework),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{safe_filename(f"{framework.form_id}-v{framework.version}")}.xlsx"'
    )
    return response


# ---- audits ----------------------------------------------------------------------------------


@require_POST
def audit_plan_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = PlanAuditForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            audit = services.audit_plan(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                facility=form.cleaned_data["facility"],
                planned_on=form.cleaned_data["planned_on"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            return redirect("prisons:checklist", audit.pk)
    return facilities_view(request, plan_form=form)


def _audit(request: AuthenticatedRequest, pk: int) -> Audit:
    return get_object_or_404(selectors.audits(request.user), pk=pk)


@require_GET
def audit_view(request: AuthenticatedRequest, pk: int, **forms: Any) -> HttpResponseBase:
    audit = audit_read(request.user, _audit(request, pk))
    return render(request, "prisons/audit.html", _audit_context(request, audit, **forms))


def _audit_context(request: AuthenticatedRequest, audit: Audit, **forms: Any) -> dict[str, Any]:
    language = translation.get_language() or "en"
    gaps = _gap_labels(services.audit_gaps(audit), language)
    today = timezone.localdate()
    recommendations = [
        (recommendation, recommendation.overdue_on(today), services.may_respond(request.user, recommendation))
        for recommendation in audit.recommendations.select_related("item", "audit__facility").order_by(
            "due_on", "id"
        )
    ]
    may_change = Audit.objects.restrict(request.user, policy.CHANGE).filter(pk=audit.pk).exists()
    return {
        "section": "prisons",
        "tab": "facilities",
        "audit": audit,
        "language": language,
        "components": Component.choices,
        "gaps": gaps,
        "recommendations": recommendations,
        "missing": services.missing_answers(audit) if audit.is_open else [],
        "evidence": audit.evidence.select_related("item").defer("content").order_by("added_at"),
        "may_change": may_change,
        "may_review": Audit.objects.restrict(request.user, policy.VALIDATE).filter(pk=audit.pk).exists(),
        "recommendation_form": forms.get("recommendation_form")
        or RecommendationForm(
            gaps=[(item.name, f"{item.code} — {label[:80]}") for _gap, item, label in gaps]
        ),
        "response_form": ResponseForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
    }


def _gap_labels(gaps: list[Any], language: str) -> list[tuple[Any, Any, str]]:
    return [(gap, item, item.labels.get(language) or item.labels.get("en", "")) for gap, item in gaps]


@require_GET
def checklist_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The checklist an auditor fills on a tablet. The page works offline once opened: a service
    worker keeps it, and the answers wait on the tablet until they can be sent."""
    audit = audit_read(request.user, _audit(request, pk), checklist=True)
    language = translation.get_language() or "en"
    answers = {answer.item_id: answer for answer in audit.answers.all()}
    sections: list[dict[str, Any]] = []
    for item in audit.framework.items.all():
        if not sections or sections[-1]["component"] != item.component:
            texts = audit.framework.sections.get(item.component, {})
            labels = texts.get("labels", {})
            sections.append(
                {
                    "component": item.component,
                    "label": labels.get(language) or labels.get("en") or Component(item.component).label,
                    "hint": texts.get("hints", {}).get(language) or texts.get("hints", {}).get("en", ""),
                    "items": [],
                }
            )
        answer = answers.get(item.pk)
        sections[-1]["items"].append(
            {
                "item": item,
                "label": item.labels.get(language) or item.labels.get("en", item.name),
                "hint": item.hints.get(language) or item.hints.get("en", ""),
                "value": answer.value if answer else "",
                "finding": answer.finding if answer else "",
            }
        )
    context = {
        "section": "prisons",
        "audit": audit,
        "sections": sections,
        "choices": Compliance.choices,
        "kinds": ItemKind,
        "editable": audit.is_open
        and Audit.objects.restrict(request.user, policy.CHANGE).filter(pk=pk).exists(),
        "evidence_count": audit.evidence.count(),
    }
    response = render(request, "prisons/checklist.html", context)
    # The service worker keeps this page for offline use; the browser's own cache must not serve
    # a stale copy when the tablet is online.
    response["Cache-Control"] = "no-cache, private"
    return response


@require_POST
def answers_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Answers and photos sent by the checklist, as JSON: what was kept, and what is wrong with
    the rest, question by question."""
    try:
        payload = json.loads(request.body)
        answers = [
            services.AnswerData(str(a["item"]), str(a.get("value", "")), str(a.get("finding", "")))
            for a in payload.get("answers", [])
        ]
        evidence = [
            services.EvidenceData(
                item=str(e.get("item", "")),
                key=str(e["key"]),
                name=str(e.get("name", "photo.jpg")),
                content_type=str(e.get("type", "image/jpeg")),
                content=base64.b64decode(str(e["data"]).split(",", 1)[-1], validate=True),
            )
            for e in payload.get("evidence", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return JsonResponse({"error": _("The checklist sent something Kordon cannot read.")}, status=400)
    try:
        result = services.answers_save(
            actor=request.user,
            audit_id=pk,
            answers=answers,
            evidence=evidence,
            language=translation.get_language() or "en",
        )
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        return JsonResponse({"error": _errors(error)}, status=409)
    # Only the files now on the server are acknowledged: the tablet keeps the others.
    return JsonResponse(
        {"saved": result.saved, "problems": result.problems, "evidence": result.evidence_kept}
    )


@require_POST
def audit_submit_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    try:
        services.audit_submit(actor=request.user, audit_id=pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The audit is submitted and scored."))
    return redirect("prisons:audit", pk)


@require_POST
def audit_review_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.audit_review(actor=request.user, audit_id=pk, summary=form.cleaned_data["summary"])
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            messages.error(request, _errors(error))
        return redirect("prisons:audit", pk)
    return audit_view(request, pk, review_form=form)


@require_POST
def recommendation_add_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    audit = _audit(request, pk)
    gaps = [(item.name, item.code) for _gap, item in services.audit_gaps(audit)]
    form = RecommendationForm(request.POST, gaps=gaps)
    if form.is_valid():
        try:
            services.recommendation_add(
                actor=request.user, audit_id=pk, data=services.RecommendationData(**form.cleaned_data)
            )
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect(reverse("prisons:audit", args=[pk]) + "#recommendations")
    return render(
        request, "prisons/audit.html", _audit_context(request, audit, recommendation_form=form), status=400
    )


@require_POST
def recommendation_respond_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    form = ResponseForm(request.POST)
    recommendation = get_object_or_404(selectors.recommendations(request.user), pk=pk)
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
    else:
        try:
            services.recommendation_respond(actor=request.user, recommendation_id=pk, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _errors(error) if isinstance(error, ValidationError) else str(error))
    return redirect(reverse("prisons:audit", args=[recommendation.audit_id]) + "#recommendations")


@require_GET
def audit_report_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The audit report as PDF, in the page's language or the one asked for (?language=ky)."""
    audit = get_object_or_404(
        Audit.objects.restrict(request.user, policy.EXPORT).select_related("facility", "framework"), pk=pk
    )
    language = pdf_language(request)
    audit_read(request.user, audit, EXPORT, format="pdf", language=language)
    response = HttpResponse(reports.audit_pdf(audit, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{safe_filename(f"audit-{audit.facility.code}-{audit.planned_on}")}.pdf"'
    )
    return response


@require_GET
def evidence_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    evidence = get_object_or_404(
        EvidenceFile.objects.filter(audit__in=Audit.objects.restrict(request.user)), pk=pk
    )
    audit_read(request.user, evidence.audit, evidence=evidence.name)
    # The type comes from the tablet: only pictures and PDFs are shown in the browser, anything
    # else is downloaded, so an uploaded page can never run as Kordon's own.
    shown = evidence.content_type in SHOWN_EVIDENCE
    response = HttpResponse(
        bytes(evidence.content), content_type=evidence.content_type if shown else "application/octet-stream"
    )
    disposition = "inline" if shown else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="evidence-{evidence.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


SERVICE_WORKER_CACHE = "kordon-checklists-v1"
SHOWN_EVIDENCE = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


@require_GET
def service_worker_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The service worker, served under /prisons/ so that it may keep the checklist pages."""
    script = render_to_string(
        "prisons/service-worker.js", {"cache": SERVICE_WORKER_CACHE, "static_url": settings.STATIC_URL}
    )
    response = HttpResponse(script, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


# ---- incidents -------------------------------------------------------------------------------


def incidents_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The register with statistics by facility and type, and the form of a new incident."""
    user = request.user
    form = IncidentForm(
        user=user, initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    contraband = ContrabandFormSet(prefix="contraband", form_kwargs={"user": user})
    persons = PersonFormSet(prefix="persons")
    status = 200
    if request.method == "POST":
        form = IncidentForm(request.POST, user=user)
        contraband = ContrabandFormSet(request.POST, prefix="contraband", form_kwargs={"user": user})
        persons = PersonFormSet(request.POST, prefix="persons")
        if form.is_valid() and contraband.is_valid() and persons.is_valid():
            incident = _create_incident(request, form, contraband, persons)
            if incident is not None:
                messages.success(request, _("Incident %(reference)s registered.") % {"reference": incident})
                return redirect("prisons:incident", incident.pk)
        status = 400
    year_text, facility_text = request.GET.get("year", ""), request.GET.get("facility", "")
    year = int(year_text) if year_text.isdecimal() and 1900 <= int(year_text) <= 2100 else None
    listed = selectors.incidents(user)
    if year:
        listed = listed.filter(occurred_at__year=year)
    if facility_text.isdecimal() and len(facility_text) < 10:
        listed = listed.filter(facility_id=int(facility_text))
    if request.GET.get("kind") in IncidentType.values:
        listed = listed.filter(kind=request.GET["kind"])
    years = sorted({d.year for d in selectors.incidents(user).dates("occurred_at", "year")}, reverse=True)
    context = {
        "section": "prisons",
        "tab": "incidents",
        "incidents": listed[:200],
        "count": listed.count(),
        "table": selectors.incident_table(user, listed),
        "type_labels": dict(IncidentType.choices),
        "years": years,
        "year": year,
        "kinds": IncidentType.choices,
        "facilities": selectors.facilities(user),
        "form": form,
        "contraband": contraband,
        "persons": persons,
        "may_add": bool(policy.units_for_action(user, policy.ADD)) and selectors.facilities(user).exists(),
    }
    return render(request, "prisons/incidents.html", context, status=status)


def _create_incident(
    request: AuthenticatedRequest, form: Any, contraband: Any, persons: Any
) -> Incident | None:
    data = form.cleaned_data
    try:
        return services.incident_create(
            actor=request.user,
            unit=data["unit"],
            data=services.IncidentData(
                facility_id=data["facility"].pk,
                reference=data["reference"],
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                location=data["location"],
                severity=data["severity"],
                detected_through=data["detected_through"],
                description=data["description"],
                injuries=data["injuries"],
                actions_taken=data["actions_taken"],
                notified=data["notified"],
                tlp=data["tlp"],
                distribution=data["distribution"],
                persons=[
                    services.PersonData(p["role"], p["name"], p.get("birth_date"), p.get("identifier", ""))
                    for p in persons.cleaned_data
                    if p
                ],
                contraband=[
                    services.ContrabandData(
                        kind=c["kind"],
                        quantity=c["quantity"],
                        unit=c["unit"],
                        substance_id=c["substance"].pk if c.get("substance") else None,
                        route=c["route"],
                        found_where=c.get("found_where", ""),
                        record_seizure=c.get("record_seizure", False) and not c.get("seizure_reference"),
                        seizure_id=c.get("seizure_reference"),
                    )
                    for c in contraband.cleaned_data
                    if c
                ],
            ),
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


@require_GET
def incident_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    incident = get_object_or_404(
        selectors.incidents(request.user).select_related("alert", "recorded_by"), pk=pk
    )
    audit_read(request.user, incident)
    context = {
        "section": "prisons",
        "tab": "incidents",
        "incident": incident,
        # A partner sees the incident, not the prison service's facility register.
        "facility_visible": selectors.facilities(request.user).filter(pk=incident.facility_id).exists(),
        "contraband": incident.contraband.select_related("substance", "seizure"),
        "persons": incident.persons.all(),
        "notified": [label for value, label in Notified.choices if value in incident.notified],
    }
    return render(request, "prisons/incident.html", context)


# ---- joint operations ------------------------------------------------------------------------


def operations_view(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    form = OperationForm(user=user)
    status = 200
    if request.method == "POST":
        form = OperationForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.operation_create(
                    actor=user,
                    unit=data["unit"],
                    data=services.OperationData(
                        name=data["name"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        agency_ids=[agency.pk for agency in data["agencies"]],
                        unit_ids=[unit.pk for unit in data["units"]],
                        facility_ids=[facility.pk for facility in data["facilities"]],
                        officers=data["officers"],
                        dogs=data["dogs"],
                        vehicles=data["vehicles"],
                        crimes_detected=data["crimes_detected"],
                        drug_crimes_detected=data["drug_crimes_detected"],
                        drugs_seized_kg=data["drugs_seized_kg"],
                        description=data["description"],
                        seizure_ids=data["seizures"],
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Operation %(name)s recorded.") % {"name": data["name"]})
                return redirect("prisons:operations")
        status = 400
    context = {
        "section": "prisons",
        "tab": "operations",
        "operations": selectors.operations(user).annotate(n_seizures=Count("seizures", distinct=True)),
        "form": form,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "prisons/operations.html", context, status=status)


@require_GET
def evaluation_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Two periods side by side: drugs found in prisons, how much through interagency
    intelligence, and the joint operations' resources and results; as CSV or XLSX too."""
    newest = selectors.incidents(request.user).aggregate(newest=Max("occurred_at"))["newest"]
    latest = timezone.localtime(newest).date() if newest else timezone.localdate()
    form = PeriodsForm(request.GET or evaluation.default_periods(latest))
    comparison = None
    if form.is_valid():
        data = form.cleaned_data
        comparison = evaluation.compare(
            request.user, (data["first_from"], data["first_to"]), (data["second_from"], data["second_to"])
        )
        file_format = request.GET.get("format")
        if file_format in ("csv", "xlsx"):
            return evaluation.download(request.user, comparison, file_format)
    context = {"section": "prisons", "tab": "evaluation", "form": form, "comparison": comparison}
    return render(request, "prisons/evaluation.html", context, status=200 if form.is_valid() else 400)
