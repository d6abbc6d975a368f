from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from kordon.access import two_factor
from kordon.access.context import action_context


class RequestContextMiddleware:
    """Gives every request an id and a client address for the audit trail, and applies the
    user's own interface language when they chose one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a proxy
        # we run sets it, and a node behind a proxy is configured to pass the address itself.
        address = request.META.get("REMOTE_ADDR") or "unknown"
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language != translation.get_language() and "django_language" not in request.COOKIES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        with action_context(client_address=address) as context:
            response = self.get_response(request)
        response["X-Request-Id"] = context.request_id
        return response


# The pages a halfway-logged-in user may reach: the two steps themselves and what they need.
TWO_FACTOR_OPEN_PREFIXES = ("/logout/", "/i18n/", "/static/", "/health/", "/api/", "/federation/")
NO_CODE_NEEDED = "kordon_two_factor_not_needed"


class TwoFactorMiddleware:
    """After the password, a user with an authenticator (or who must have one) reaches nothing
    but the code page (or the enrolment page) until the code is right. The API is not covered
    here: a token is issued only after the same code (kordon.access.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect_to = self._step_needed(request)
        if redirect_to and request.path != redirect_to:
            return HttpResponseRedirect(f"{redirect_to}?{urlencode({'next': request.get_full_path()})}")
        # On the step's own page: base.html then shows no menu, only the way out.
        request.two_factor_step = redirect_to  # type: ignore[attr-defined]
        return self.get_response(request)

    def _step_needed(self, request: HttpRequest) -> str:
        if request.path.startswith(TWO_FACTOR_OPEN_PREFIXES):  # before touching the session
            return ""
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return ""
        # Most officers need no code; remember that for the session instead of asking the database
        # on every request.
        if request.session.get(NO_CODE_NEEDED) == user.pk:
            return ""
        if two_factor.device(user) is not None:
            return reverse("login-code")
        if two_factor.required(user):
            return reverse("two-factor")
        request.session[NO_CODE_NEEDED] = user.pk
        return ""
