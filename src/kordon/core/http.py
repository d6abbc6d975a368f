"""Request types for views: after LoginRequiredMiddleware every view has a real user, and
django-htmx adds `request.htmx`."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from kordon.core.models import User


class AuthenticatedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def wants_partial(request: AuthenticatedRequest) -> bool:
    """An htmx request that swaps a part of the page (not a boosted full navigation)."""
    return bool(request.htmx) and not request.htmx.boosted


def pdf_language(request: HttpRequest) -> str:
    """The language a PDF is asked for (?language=), else the page's, else English: one of the
    node's languages in any case."""
    asked = request.GET.get("language") or translation.get_language() or "en"
    return asked if asked in dict(settings.LANGUAGES) else "en"
