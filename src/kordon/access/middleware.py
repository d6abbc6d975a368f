from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
