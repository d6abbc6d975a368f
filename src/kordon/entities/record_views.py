"""The pages of persons, vehicles, companies, phones and documents: the list, a record with its
links, the same person in other records, its timeline and link chart; the review queue of
linking runs; the FtM export."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kordon.access import policy
from kordon.core.http import AuthenticatedRequest, wants_partial
from kordon.core.paging import capped_page
from kordon.entities import selectors, services
from kordon.entities.exports import entities_ftm
from kordon.entities.forms import DETAIL_LABELS, DecisionForm, EntityForm, EntityLinkForm, RecordLinkForm
from kordon.entities.models import (
    DocumentType,
    Entity,
    EntityKind,
    EntityLink,
    LinkingRun,
    MatchDecision,
    Verdict,
)
from kordon.entities.records import LINKABLE

PAGE = 50


@require_GET
def entities_view(request: AuthenticatedRequest) -> HttpResponseBase:
    query, kind = request.GET.get("q", "")[:100], request.GET.get("kind", "")
    found = selectors.entities(user=request.user, query=query, kind=kind)
    context = {
        "section": "entities",
        "page": capped_page(found, request.GET.get("page"), PAGE),
        "query": query,
        "kind": kind,
        "kinds": EntityKind.choices,
        "may_add": bool(policy.units_for_action(request.user, policy.ADD)),
    }
    return render(request, "entities/entities.html", context)


@require_http_methods(["GET", "POST"])
def entity_new_view(request: AuthenticatedRequest, kind: str) -> HttpResponseBase:
    if kind not in EntityKind.values:
        raise Http404
    form = EntityForm(request.POST or None, user=request.user, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.entity_create(
                actor=request.user, unit_id=form.cleaned_data["unit"].pk, data=form.entity_data()
            )
        except ValidationError as error:
            form.show_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect("entities:detail", entity.pk)
    context = {"section": "entities", "form": form, "kind_label": EntityKind(kind).label, "entity": None}
    return render(
        request, "entities/entity_form.html", context, status=400 if request.method == "POST" else 200
    )


@require_http_methods(["GET", "POST"])
def entity_edit_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    entity = selectors.entity_detail(user=request.user, entity_id=pk)
    data = services.entity_data_from(entity)
    form = EntityForm(
        request.POST or None,
        user=request.user,
        kind=entity.kind,
        creating=False,
        initial=EntityForm.initial_from(data),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entity_update(actor=request.user, entity_id=pk, data=form.entity_data())
        except ValidationError as error:
            form.show_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect("entities:detail", pk)
    context = {"section": "entities", "form": form, "kind_label": entity.get_kind_display(), "entity": entity}
    return render(
        request, "entities/entity_form.html", context, status=400 if request.method == "POST" else 200
    )


def _entity_page(request: AuthenticatedRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponseBase:
    user = request.user
    entity = selectors.entity_detail(user=user, entity_id=pk)
    members = selectors.same_person(user=user, entity=entity)
    links = selectors.links_of(user=user, entity_ids=[member.pk for member in members])
    suggestions = [
        (decision, other, selectors.pair_match(entity, other))
        for decision, other in selectors.suggestions(user=user, entity=entity)
    ]
    context = {
        "section": "entities",
        "entity": entity,
        "details": [(DETAIL_LABELS.get(key, key), value) for key, value in entity.details.items()],
        "document_types": dict(DocumentType.choices),
        "members": members,
        "merged": selectors.merged(members) if len(members) > 1 else [],
        "links": links,
        "timeline": [link for link in links if link.on is not None],
        "suggestions": suggestions,
        "may_change": Entity.objects.restrict(user, policy.CHANGE).filter(pk=pk).exists(),
        "may_link": bool(policy.units_for_action(user, policy.ADD)),
        "entity_link_form": forms.get("entity_link_form") or EntityLinkForm(prefix="entity_link"),
        "record_link_form": forms.get("record_link_form") or RecordLinkForm(prefix="record_link"),
        "decision_form": DecisionForm(),
    }
    return render(request, "entities/entity.html", context, status=status)


@require_GET
def entity_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _entity_page(request, pk)


@require_POST
def entity_link_view(request: AuthenticatedRequest, pk: int, target: str) -> HttpResponseBase:
    """Link the entity to another entity (`target` "entity") or to a record ("record")."""
    if target == "entity":
        form: Any = EntityLinkForm(request.POST, prefix="entity_link")
        name = "entity_link_form"
    elif target == "record":
        form = RecordLinkForm(request.POST, prefix="record_link")
        name = "record_link_form"
    else:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if target == "entity":
                services.entity_link_entity(
                    actor=request.user,
                    entity_id=pk,
                    other_id=data["other"],
                    role=data["role"],
                    note=data["note"],
                )
            else:
                services.entity_link_record(
                    actor=request.user,
                    entity_id=pk,
                    record_type=data["record_type"],
                    reference=data["reference"],
                    role=data["role"],
                    note=data["note"],
                )
        except Entity.DoesNotExist as missing:
            raise Http404 from missing
        except ValidationError as error:
            form.show_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Linked."))
            return redirect("entities:detail", pk)
    return _entity_page(request, pk, status=400, **{name: form})


@require_POST
def link_remove_view(request: AuthenticatedRequest, link_id: int) -> HttpResponseBase:
    back = request.POST.get("entity", "")
    try:
        services.entity_link_remove(actor=request.user, link_id=link_id)
    except EntityLink.DoesNotExist as missing:
        raise Http404 from missing
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The link is removed."))
    return redirect("entities:detail", int(back)) if back.isdigit() else redirect("entities:list")


@require_GET
def entity_chart_view(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    entity = selectors.entity_detail(user=request.user, entity_id=pk)
    graph = selectors.neighbourhood(user=request.user, entity=entity)
    kinds: dict[str, Any] = dict(EntityKind.choices)
    kinds |= {kind: linkable.label for kind, linkable in LINKABLE.items()}
    kinds |= {"phone_number": _("phone number"), "document_number": _("document number")}
    legend = [
        (kind, label) for kind, label in kinds.items() if any(node["kind"] == kind for node in graph["nodes"])
    ]
    context = {"section": "entities", "entity": entity, "graph": graph, "legend": legend}
    return render(request, "entities/chart.html", context)


def _review_context(request: AuthenticatedRequest) -> dict[str, Any]:
    verdict = request.GET.get("verdict", Verdict.PENDING)
    if verdict not in Verdict.values:
        verdict = Verdict.PENDING
    runs = list(LinkingRun.objects.filter(requested_by=request.user)[:5])
    page = capped_page(
        selectors.review_queue(user=request.user, verdict=verdict), request.GET.get("page"), 20
    )
    return {
        "section": "entities",
        "verdict": verdict,
        "verdicts": Verdict.choices,
        "page": page,
        "pairs": [(decision, selectors.pair_match(decision.first, decision.second)) for decision in page],
        "runs": runs,
        "working": any(run.status in (LinkingRun.Status.QUEUED, LinkingRun.Status.RUNNING) for run in runs),
        "threshold": round(services.linking_threshold() * 100),
        "may_decide": bool(policy.units_for_action(request.user, policy.ADD)),
    }


@require_GET
def review_view(request: AuthenticatedRequest) -> HttpResponseBase:
    context = _review_context(request)
    template = "entities/review.html#runs" if wants_partial(request) else "entities/review.html"
    return render(request, template, context)


@require_POST
def linking_run_view(request: AuthenticatedRequest) -> HttpResponseBase:
    try:
        services.linking_request(actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The records are being compared in the background. This page shows the progress.")
        )
    return redirect("entities:review")


@require_POST
def decide_view(request: AuthenticatedRequest, decision_id: int) -> HttpResponseBase:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say the same, not the same, or unsure."))
    else:
        try:
            services.match_decide(
                actor=request.user,
                decision_id=decision_id,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )
        except MatchDecision.DoesNotExist as missing:
            raise Http404 from missing
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Decision recorded."))
    back = request.POST.get("next", "")
    return redirect(back) if back.startswith("/entities/") else redirect("entities:review")


@require_GET
def entities_ftm_view(request: AuthenticatedRequest) -> HttpResponseBase:
    response = StreamingHttpResponse(entities_ftm(user=request.user), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="kordon-entities.ftm.json"'
    return response
