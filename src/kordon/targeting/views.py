"""Pages of risk targeting: the day's worklist, the profiles and the models with hit rates."""

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kordon.access import policy
from kordon.core.http import AuthenticatedRequest
from kordon.core.models import Unit
from kordon.core.selectors import units_where
from kordon.targeting import features, services
from kordon.targeting.forms import (
    DeclarationFileForm,
    InspectionForm,
    ProfileForm,
    RetrainForm,
    SelectionForm,
)
from kordon.targeting.models import Consignment, Lane, RiskModel, RiskProfile, Source, TrainingRequest

LANE_ORDER = {Lane.RED: 0, Lane.YELLOW: 1, Lane.GREEN: 2, "": 3}


def _units(user: Any) -> list[Unit]:
    """The units in which `user` may run the selection."""
    return list(units_where(user, policy.CHANGE))


@require_GET
def worklist_view(request: AuthenticatedRequest) -> HttpResponseBase:
    try:
        day = datetime.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    return _worklist(request, day)


def _worklist(request: AuthenticatedRequest, day: datetime.date | None, **extra: Any) -> HttpResponseBase:
    """The worklist of `day` (the newest day with consignments when None)."""
    visible = Consignment.objects.restrict(request.user)
    day = day or visible.aggregate(day=Max("declared_on"))["day"]
    rows = list(visible.filter(declared_on=day).select_related("inspection", "owner_unit")) if day else []
    rows.sort(key=lambda c: (LANE_ORDER.get(c.lane, 3), -(c.risk or 0), c.pk))
    for row in rows:
        row.shown_reasons = [
            reason | {"label": features.LABELS.get(reason.get("feature", ""), "")} for reason in row.reasons
        ]
    units = _units(request.user)
    context = {
        "section": "targeting",
        "day": day,
        "rows": rows,
        "lanes": {lane: sum(1 for r in rows if r.lane == lane) for lane in Lane.values},
        "form": SelectionForm(units, initial={"day": day, "capacity": "10", "random_share": 10}),
        "inspection_form": InspectionForm(initial={"inspected_on": day}),
        "models": RiskModel.objects.restrict(request.user).defer("artefact").order_by("-id")[:20],
        "upload_form": DeclarationFileForm(units),
        **extra,
    }
    return render(request, "targeting/worklist.html", context)


@require_POST
def upload_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Import a file of declarations and show what was imported and every rejected row."""
    form = DeclarationFileForm(_units(request.user), request.POST, request.FILES)
    if not form.is_valid():
        return _worklist(request, None, upload_form=form)
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory(prefix="kordon-declarations-") as folder:
        path = Path(folder) / "upload"  # the name the user gave stays out of the file system
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            result = services.import_consignments(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                path=path,
                file_name=Path(upload.name).name,
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("targeting:worklist")
    return _worklist(request, None, import_result=result.as_dict())


@require_POST
def select_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = SelectionForm(_units(request.user), request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect("targeting:worklist")
    data = form.cleaned_data
    try:
        worklist = services.select_day(
            actor=request.user,
            unit=data["unit"],
            day=data["day"],
            capacity=data["capacity"],
            random_share=data["random_share"] / 100,
            model=services.newest_model(request.user, unit=data["unit"]),
        )
    except (PermissionDenied, ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("%(n)s consignments assessed: %(red)s red, %(yellow)s yellow, %(green)s green.")
            % {
                "n": worklist.consignments,
                "red": worklist.lanes.get(Lane.RED, 0),
                "yellow": worklist.lanes.get(Lane.YELLOW, 0),
                "green": worklist.lanes.get(Lane.GREEN, 0),
            },
        )
    return redirect(f"{reverse('targeting:worklist')}?day={data['day'].isoformat()}")


@require_POST
def inspection_view(request: AuthenticatedRequest, consignment_id: int) -> HttpResponseBase:
    consignment = Consignment.objects.restrict(request.user).filter(pk=consignment_id).first()
    if consignment is None:
        raise Http404
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            services.record_inspection(actor=request.user, consignment=consignment, **form.cleaned_data)
            messages.success(
                request, _("Inspection of %(id)s recorded.") % {"id": consignment.declaration_id}
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.error(request, _("Choose what the inspection found and its date."))
    return redirect(
        f"{reverse('targeting:worklist')}?day={consignment.declared_on.isoformat()}#c{consignment.pk}"
    )


def _profiles_page(request: AuthenticatedRequest, form: ProfileForm) -> HttpResponseBase:
    profiles = RiskProfile.objects.restrict(request.user).select_related("owner_unit").order_by("name")
    editable = set(RiskProfile.objects.restrict(request.user, policy.CHANGE).values_list("pk", flat=True))
    return render(
        request,
        "targeting/profiles.html",
        {"section": "targeting", "profiles": profiles, "editable": editable, "form": form},
    )


def profiles_view(request: AuthenticatedRequest) -> HttpResponseBase:
    units = _units(request.user)
    if request.method != "POST":
        return _profiles_page(
            request, ProfileForm(units, initial={"weight": 50, "valid_from": datetime.date.today()})
        )
    form = ProfileForm(units, request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        unit = values.pop("unit")
        try:
            profile = services.save_profile(actor=request.user, unit=unit, values=values)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                _("Profile %(name)s saved. Test it against history, then switch it on.")
                % {"name": profile.name},
            )
            return redirect("targeting:profiles")
    return _profiles_page(request, form)


@require_POST
def profile_action_view(request: AuthenticatedRequest, profile_id: int, action: str) -> HttpResponseBase:
    profile = RiskProfile.objects.restrict(request.user, policy.CHANGE).filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    try:
        if action == "test":
            result = services.test_profile(actor=request.user, profile=profile)
            messages.success(
                request,
                _(
                    "%(name)s would have selected %(selected)s consignments; %(inspected)s were inspected, %(hits)s with a finding."
                )
                % {"name": profile.name, **result},
            )
        else:
            services.switch_profile(actor=request.user, profile=profile, active=action == "on")
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("targeting:profiles")


@require_POST
def retrain_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = RetrainForm(_units(request.user), request.POST)
    if form.is_valid():
        try:
            services.request_training(
                actor=request.user, unit=form.cleaned_data["unit"], name=form.cleaned_data["name"]
            )
        except (PermissionDenied, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _(
                    "Training of %(name)s is queued. The background worker trains it; this page shows when it is done."
                )
                % {"name": form.cleaned_data["name"]},
            )
    else:
        messages.error(request, _("Choose the unit and name the model."))
    return redirect("targeting:models")


@require_GET
def models_view(request: AuthenticatedRequest) -> HttpResponseBase:
    today = datetime.date.today()
    try:
        since = datetime.date.fromisoformat(request.GET.get("since", ""))
        until = datetime.date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        since, until = datetime.date(today.year - 20, 1, 1), today
    units = _units(request.user)
    rates = services.hit_rates(request.user, since, until)
    months = services.monthly_hit_rates(request.user, since, until)
    shown = [source for source in (*Source.values, "") if any(source in month.by_source for month in months)]
    models = list(
        RiskModel.objects.restrict(request.user).defer("artefact").select_related("trained_by", "owner_unit")
    )
    for model in models:  # "precision@5" is no name a template can read
        model.precision_5 = model.metrics.get("precision@5")
        model.precision_10 = model.metrics.get("precision@10")
    return render(
        request,
        "targeting/models.html",
        {
            "section": "targeting",
            "models": models,
            "retrain_form": RetrainForm(units, initial={"name": models[0].name if models else ""}),
            "training_requests": TrainingRequest.objects.filter(owner_unit__in=units)
            .select_related("requested_by", "risk_model")
            .order_by("-requested_at")[:10],
            "sources": rates.by_source,
            "by_profile": rates.by_profile,
            "by_lane": rates.by_lane,
            "months": [(month.month, [month.by_source.get(source) for source in shown]) for month in months],
            "month_sources": [dict(Source.choices).get(source, _("before Kordon")) for source in shown],
            "since": since,
            "until": until,
        },
    )
