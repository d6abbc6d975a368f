"""Exchange pages: the inbox, alerts, requests for information, the supervisors' list of overdue
and refused requests, and what followed shared alerts. Thin: services and selectors decide; a
record the user may not see is a 404, like one that does not exist."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kordon.access import policy
from kordon.core.http import AuthenticatedRequest
from kordon.exchange import selectors, services
from kordon.exchange.forms import (
    AlertForm,
    AnswerForm,
    AttachmentForm,
    LinkSeizureForm,
    OutcomeForm,
    PeriodForm,
    RefuseForm,
    RequestForm,
)
from kordon.exchange.models import Alert, InformationRequest
from kordon.seizures.models import Seizure


def inbox_view(request: AuthenticatedRequest) -> HttpResponseBase:
    box = request.GET.get("box", selectors.INBOX)
    if box not in selectors.BOXES:
        box = selectors.INBOX
    context = {
        "section": "exchange",
        "box": box,
        "alerts": selectors.alert_list(user=request.user, box=box)[:100],
        "requests": selectors.request_list(user=request.user, box=box)[:100],
        "may_send": bool(policy.units_for_action(request.user, policy.ADD)),
    }
    return render(request, "exchange/inbox.html", context)


def _form_page(
    request: AuthenticatedRequest,
    form_class: Any,
    send: Callable[[Any], Any],
    template: str,
    detail: str,
    sent_message: str,
) -> HttpResponseBase:
    if not policy.units_for_action(request.user, policy.ADD):
        raise PermissionDenied(_("Your role does not let you send alerts or requests."))
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            record = send(form)
        except ValidationError as error:
            form.show_errors(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, sent_message % {"reference": record.reference})
            return redirect(detail, record.pk)
    return render(request, template, {"section": "exchange", "form": form})


@require_http_methods(["GET", "POST"])
def alert_create_view(request: AuthenticatedRequest) -> HttpResponseBase:
    return _form_page(
        request,
        AlertForm,
        lambda form: services.alert_send(
            actor=request.user,
            sender_unit_id=form.cleaned_data["sender_unit"].pk,
            recipient_unit_ids=[unit.pk for unit in form.cleaned_data["recipients"]],
            data=form.to_data(),
        ),
        "exchange/alert_form.html",
        "exchange:alert",
        _("Alert %(reference)s sent."),
    )


@require_http_methods(["GET", "POST"])
def request_create_view(request: AuthenticatedRequest) -> HttpResponseBase:
    return _form_page(
        request,
        RequestForm,
        lambda form: services.request_send(
            actor=request.user,
            sender_unit_id=form.cleaned_data["sender_unit"].pk,
            to_unit_id=form.cleaned_data["to_unit"].pk,
            data=form.to_data(),
        ),
        "exchange/request_form.html",
        "exchange:request",
        _("Request %(reference)s sent."),
    )


def _in_units(request: AuthenticatedRequest, unit_ids: list[int]) -> bool:
    return any(policy.may_act_in_unit(request.user, unit, policy.ADD) for unit in unit_ids)


def alert_detail_view(request: AuthenticatedRequest, alert_id: int) -> HttpResponseBase:
    try:
        alert = selectors.alert_detail(user=request.user, alert_id=alert_id)
    except Alert.DoesNotExist:
        raise Http404(_("No such alert, or it is not shared with you.")) from None
    recipients = list(selectors.alert_recipients(alert))
    is_recipient = _in_units(request, [recipient.unit_id for recipient in recipients])
    context = {
        "section": "exchange",
        "alert": alert,
        "recipients": recipients,
        "seizures": selectors.alert_seizures(user=request.user, alert=alert),
        "attachments": alert.attachments.all(),
        "is_recipient": is_recipient,
        "may_attach": is_recipient or _in_units(request, [alert.owner_unit_id]),
        "outcome_form": OutcomeForm(),
        "link_form": LinkSeizureForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "exchange/alert_detail.html", context)


def _act(
    request: AuthenticatedRequest, detail: str, record_id: int, action: Callable[[], Any], done: str
) -> HttpResponseBase:
    """Run a state change and come back to the record with what happened."""
    try:
        action()
    except (Alert.DoesNotExist, InformationRequest.DoesNotExist):
        raise Http404(_("No such record, or it is not shared with you.")) from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(detail, record_id)


def _attach(request: AuthenticatedRequest, detail: str, record_id: int, **parent: int) -> HttpResponseBase:
    """Attach the uploaded file to the alert or request named in `parent`."""
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(detail, record_id)
    upload = form.cleaned_data["file"]
    return _act(
        request,
        detail,
        record_id,
        lambda: services.attachment_add(actor=request.user, upload=upload, **parent),
        _("File attached."),
    )


@require_POST
def alert_action_view(request: AuthenticatedRequest, alert_id: int, action: str) -> HttpResponseBase:
    user = request.user
    if action == "acknowledge":
        return _act(
            request, "exchange:alert", alert_id,
            lambda: services.alert_acknowledge(actor=user, alert_id=alert_id), _("Alert acknowledged."),
        )  # fmt: skip
    if action == "close":
        form = OutcomeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the outcome."))
            return redirect("exchange:alert", alert_id)
        return _act(
            request, "exchange:alert", alert_id,
            lambda: services.alert_close(
                actor=user, alert_id=alert_id, state=form.cleaned_data["state"], note=form.cleaned_data["note"]
            ),
            _("Outcome recorded."),
        )  # fmt: skip
    if action == "link":
        reference = request.POST.get("seizure", "").strip()
        seizure = Seizure.objects.restrict(user, policy.CHANGE).filter(reference=reference).first()
        if seizure is None:
            messages.error(
                request,
                _("Your unit has no seizure with the reference %(reference)s.") % {"reference": reference},
            )
            return redirect("exchange:alert", alert_id)
        return _act(
            request, "exchange:alert", alert_id,
            lambda: services.alert_link_seizure(actor=user, alert_id=alert_id, seizure_id=seizure.pk),
            _("Seizure %(reference)s linked to the alert.") % {"reference": seizure.reference},
        )  # fmt: skip
    if action == "attach":
        return _attach(request, "exchange:alert", alert_id, alert_id=alert_id)
    raise Http404


def request_detail_view(request: AuthenticatedRequest, request_id: int) -> HttpResponseBase:
    try:
        rfi = selectors.request_detail(user=request.user, request_id=request_id)
    except InformationRequest.DoesNotExist:
        raise Http404(_("No such request, or it is not shared with you.")) from None
    is_recipient = _in_units(request, [rfi.to_unit_id])
    # A request received from another node is closed or reminded on that node only.
    is_sender = not rfi.origin_node and _in_units(request, [rfi.owner_unit_id])
    context = {
        "section": "exchange",
        "rfi": rfi,
        "answers": rfi.answers.select_related("author", "unit"),
        "attachments": rfi.attachments.all(),
        "is_recipient": is_recipient,
        "is_sender": is_sender,
        "overdue": rfi.is_overdue(),
        "answer_form": AnswerForm(),
        "refuse_form": RefuseForm(),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "exchange/request_detail.html", context)


@require_POST
def request_action_view(request: AuthenticatedRequest, request_id: int, action: str) -> HttpResponseBase:
    user = request.user
    simple = {
        "acknowledge": (services.request_acknowledge, _("Request acknowledged.")),
        "close": (services.request_close, _("Request closed.")),
        "remind": (services.request_remind, _("Reminder sent.")),
    }
    if action in simple:
        service, done = simple[action]
        return _act(
            request, "exchange:request", request_id, lambda: service(actor=user, request_id=request_id), done
        )
    if action == "answer":
        text = request.POST.get("text", "")
        return _act(
            request, "exchange:request", request_id,
            lambda: services.request_answer(actor=user, request_id=request_id, text=text), _("Answer sent."),
        )  # fmt: skip
    if action == "refuse":
        reason = request.POST.get("reason", "")
        return _act(
            request, "exchange:request", request_id,
            lambda: services.request_refuse(actor=user, request_id=request_id, reason=reason), _("Request refused."),
        )  # fmt: skip
    if action == "attach":
        return _attach(request, "exchange:request", request_id, request_id=request_id)
    raise Http404


def attachment_view(request: AuthenticatedRequest, token: str) -> HttpResponseBase:
    try:
        attachment = selectors.attachment_get(user=request.user, token=token)
    except ObjectDoesNotExist:
        raise Http404(_("No such file, or it is not shared with you.")) from None
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def attention_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Overdue and refused requests of the units the user supervises, by agreement."""
    if not policy.units_for_action(request.user, policy.AUDIT):
        raise PermissionDenied(_("This list is for supervisors."))
    return render(
        request,
        "exchange/attention.html",
        {"section": "exchange", "requests": selectors.attention_requests(user=request.user)},
    )


def outcomes_view(request: AuthenticatedRequest) -> HttpResponseBase:
    form = PeriodForm(request.GET)
    date_from, date_to = form.period()
    outcomes = selectors.alert_outcomes(user=request.user, date_from=date_from, date_to=date_to)
    return render(
        request, "exchange/outcomes.html", {"section": "exchange", "form": form, "outcomes": outcomes}
    )


def seizure_alerts_view(request: AuthenticatedRequest, seizure_id: int) -> HttpResponseBase:
    """The alerts that led to a seizure, as a panel of the seizure's page."""
    seizure = Seizure.objects.restrict(request.user, policy.VIEW).filter(pk=seizure_id).first()
    if seizure is None:
        raise Http404(_("No such seizure, or it is not shared with you."))
    alerts = selectors.alerts_for_seizure(user=request.user, seizure=seizure)
    return render(request, "exchange/_seizure_alerts.html", {"alerts": alerts, "seizure": seizure})
