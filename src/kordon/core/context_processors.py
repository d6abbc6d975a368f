from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kordon.access import policy
from kordon.core.models import Unit


def node(request: HttpRequest) -> dict[str, Any]:
    """The node's name, its languages (each named in itself, untranslated, for the language menu),
    the user's acting unit and whether the audit page is theirs to see."""
    context: dict[str, Any] = {"node_name": settings.KORDON_NODE_NAME, "node_languages": settings.LANGUAGES}
    user = getattr(request, "user", None)
    scope = policy.scope_for(user)
    if scope is None:
        return context
    context["may_audit"] = policy.audit_filter(user) is not None
    if scope.roles:
        context["acting_unit"] = Unit.objects.filter(pk=next(iter(scope.roles))).first()
    return context
