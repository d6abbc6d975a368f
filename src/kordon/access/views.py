from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kordon.access import policy, two_factor
from kordon.access.audit import audit_verify
from kordon.access.forms import AuditFilterForm
from kordon.access.selectors import agreement_list, audit_entries, sharing_group_list
from kordon.core.http import AuthenticatedRequest, wants_partial


def audit_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The audit trail, for node administrators (all of it) and supervisors (their units')."""
    if policy.audit_filter(request.user) is None:
        raise PermissionDenied(_("The audit trail is for supervisors and administrators."))
    form = AuditFilterForm(request.GET)
    entries = audit_entries(user=request.user, filters=form.to_filters())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "access/audit.html#entries" if wants_partial(request) else "access/audit.html"
    return render(
        request,
        template,
        {
            "section": "audit",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_verify": request.user.is_superuser,
        },
    )


@require_POST
def audit_verify_view(request: AuthenticatedRequest) -> HttpResponseBase:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only a node administrator can verify the whole trail."))
    report = audit_verify(actor=request.user)
    if report.ok:
        messages.success(
            request, _("The audit trail is intact: %(count)s lines verified.") % {"count": report.checked}
        )
    else:
        messages.error(
            request,
            _("The audit trail is broken at line %(line)s: %(reason)s.")
            % {"line": report.first_broken, "reason": report.reason},
        )
    return redirect("access:audit")


def agreements_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The agreements and sharing groups that cover the user's units (all of them for the node
    administrator, who manages them in the administration pages)."""
    today = timezone.localdate()
    agreements = [
        (agreement, agreement.in_force_on(today)) for agreement in agreement_list(user=request.user)
    ]
    context = {
        "section": "agreements",
        "agreements": agreements,
        "groups": sharing_group_list(user=request.user),
    }
    return render(request, "access/agreements.html", context)


def _next_url(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def login_code_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """The second step of the log-in: the six-digit code from the authenticator app."""
    if request.user.is_verified() or two_factor.device(request.user) is None:  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    wrong = throttled = False
    if request.method == "POST":
        # After a wrong code django-otp refuses any code for 1, 2, 4 … seconds; say so only when
        # this attempt was refused for that reason.
        throttled = two_factor.wait_seconds(request.user) > 0
        if two_factor.check_code(request, request.user, request.POST.get("code", "")):
            return redirect(_next_url(request))
        wrong = True
    return render(
        request,
        "access/login_code.html",
        {
            "wrong": wrong,
            "wait": two_factor.wait_seconds(request.user) if throttled else 0,
            "next": _next_url(request),
        },
    )


def two_factor_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Set up (or replace) one's authenticator: scan the QR code, confirm with a first code."""
    user = request.user
    wrong = throttled = False
    if request.method == "POST":
        throttled = two_factor.wait_seconds(user) > 0
        if two_factor.enrol(request, user, request.POST.get("code", "")):
            messages.success(request, _("Two-factor log-in is set up. From now on you log in with a code."))
            return redirect(_next_url(request) if request.POST.get("next") else reverse("two-factor"))
        wrong = True
    enrolled = two_factor.device(user)
    pending = (
        two_factor.pending_device(user) if enrolled is None or request.GET.get("replace") or wrong else None
    )
    return render(
        request,
        "access/two_factor.html",
        {
            "section": "account",
            "enrolled": enrolled,
            "required": two_factor.required(user),
            "pending": pending,
            "qr_code": two_factor.qr_code(pending) if pending else "",
            "secret": two_factor.secret_text(pending) if pending else "",
            "wrong": wrong,
            "wait": two_factor.wait_seconds(user) if throttled else 0,
            "next": request.GET.get("next", ""),
        },
    )
