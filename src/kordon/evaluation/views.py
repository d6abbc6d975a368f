"""Pages of programme evaluation: questionnaires, their answers and analysis, training events."""

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_read
from kordon.core.downloads import safe_filename
from kordon.core.http import AuthenticatedRequest, pdf_language
from kordon.evaluation import analysis, services
from kordon.evaluation.forms import AnswersUploadForm, EventForm, ParticipantForm, QuestionnaireUploadForm
from kordon.evaluation.models import Participant, Questionnaire, TrainingEvent


def questionnaires_view(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    form = QuestionnaireUploadForm(user=user)
    problems: list[Any] = []
    if request.method == "POST":
        form = QuestionnaireUploadForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.questionnaire_import(
                actor=user, unit=form.cleaned_data["unit"], content=upload.read(), file_name=upload.name
            )
            if result.questionnaire is not None:
                messages.success(
                    request, _("The questionnaire %(title)s is stored.") % {"title": result.questionnaire}
                )
                return redirect("evaluation:questionnaire", result.questionnaire.pk)
            problems = result.problems
    context = {
        "section": "evaluation",
        "tab": "questionnaires",
        "questionnaires": Questionnaire.objects.restrict(user).annotate(n_responses=Count("responses")),
        "form": form,
        "problems": problems,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "evaluation/questionnaires.html", context, status=400 if problems else 200)


def questionnaire_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Answers by wave, the import of more answers, and the before/after analysis."""
    user = request.user
    questionnaire = get_object_or_404(Questionnaire.objects.restrict(user), pk=pk)
    upload = AnswersUploadForm()
    outcome = None
    if request.method == "POST":
        upload = AnswersUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            outcome = _import(request, questionnaire, upload.cleaned_data["file"])
    else:
        audit_read(user, questionnaire)
    outcomes = analysis.analyse(questionnaire)
    context = {
        "section": "evaluation",
        "tab": "questionnaires",
        "questionnaire": questionnaire,
        "waves": dict(Counter(questionnaire.responses.values_list("wave", flat=True))),
        "outcomes": outcomes,
        "chart": analysis.chart_png(outcomes) if any(o.result for o in outcomes) else "",
        "upload": upload,
        "outcome": outcome,
        "may_change": Questionnaire.objects.restrict(user, policy.CHANGE).filter(pk=pk).exists(),
    }
    return render(request, "evaluation/questionnaire.html", context)


def _import(request: AuthenticatedRequest, questionnaire: Questionnaire, upload: Any) -> Any:
    suffix = Path(upload.name or "answers.csv").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            return services.responses_import(
                actor=request.user,
                questionnaire_id=questionnaire.pk,
                path=Path(handle.name),
                file_name=upload.name or "",
            )
        except (ObjectDoesNotExist, PermissionDenied) as missing:
            raise Http404 from missing


@require_GET
def report_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    questionnaire = get_object_or_404(Questionnaire.objects.restrict(request.user, policy.EXPORT), pk=pk)
    language = pdf_language(request)
    audit_read(request.user, questionnaire, EXPORT, format="pdf", language=language)
    pdf = analysis.report_pdf(questionnaire, analysis.analyse(questionnaire), language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{safe_filename("evaluation-" + questionnaire.form_id)}.pdf"'
    )
    return response


def training_view(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    form = EventForm(user=user)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.event_create(
                    actor=user,
                    unit=data["unit"],
                    data=services.EventData(
                        data["title"],
                        data["starts_on"],
                        data["ends_on"],
                        data["place"],
                        data["country"].code,
                        data["organiser"],
                        data["hours"],
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("evaluation:event", event.pk)
        status = 400
    events = (
        TrainingEvent.objects.restrict(user)
        .select_related("country")
        .annotate(n_participants=Count("participants"))
    )
    participants = Participant.objects.filter(event__in=TrainingEvent.objects.restrict(user))
    context = {
        "section": "evaluation",
        "tab": "training",
        "events": events,
        "by_country": participants.values("country__name").annotate(n=Count("id")).order_by("-n"),
        "by_sex": participants.values("sex").annotate(n=Count("id")).order_by("sex"),
        "by_agency": participants.values("agency").annotate(n=Count("id")).order_by("-n")[:20],
        "form": form,
        "may_add": bool(policy.units_for_action(user, policy.ADD)),
    }
    return render(request, "evaluation/training.html", context, status=status)


def event_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    event = get_object_or_404(TrainingEvent.objects.restrict(user).select_related("country"), pk=pk)
    form = ParticipantForm()
    if request.method == "POST":
        form = ParticipantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.participant_add(
                    actor=user,
                    event_id=pk,
                    data=services.ParticipantData(
                        data["name"], data["sex"], data["country"].code, data["agency"]
                    ),
                )
            except ObjectDoesNotExist as missing:
                raise Http404 from missing
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return redirect("evaluation:event", pk)
    else:
        audit_read(user, event)
    context = {
        "section": "evaluation",
        "tab": "training",
        "event": event,
        "participants": event.participants.select_related("country"),
        "form": form,
        "may_change": TrainingEvent.objects.restrict(user, policy.CHANGE).filter(pk=pk).exists(),
    }
    return render(request, "evaluation/event.html", context)


@require_GET
def certificate_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    participant = get_object_or_404(
        Participant.objects.filter(
            event__in=TrainingEvent.objects.restrict(request.user, policy.EXPORT)
        ).select_related("event", "country"),
        pk=pk,
    )
    language = pdf_language(request)
    audit_read(request.user, participant.event, EXPORT, certificate=participant.certificate)
    response = HttpResponse(analysis.certificate_pdf(participant, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{participant.certificate}.pdf"'
    return response
