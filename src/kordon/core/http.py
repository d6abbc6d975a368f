"""Request types for views: after LoginRequiredMiddleware every view has a real user, and
django-htmx adds `request.htmx`."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from kordon.core.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def wants_partial(request: AuthenticatedRequest) -> bool:
    """An htmx request that swaps a part of the page (not a boosted full navigation)."""
    return bool(request.htmx) and not request.htmx.boosted
