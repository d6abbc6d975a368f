from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kordon.access import policy
from kordon.exchange.selectors import inbox_counts


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Unread alerts and requests of the user's units, for the header; counted only when a page
    shows them (not for the fragments htmx loads into a page)."""
    user = getattr(request, "user", None)
    if policy.scope_for(user) is None:
        return {}
    return {"inbox": SimpleLazyObject(lambda: inbox_counts(user))}
