from typing import Any

from django.http import HttpRequest

from kordon.access import policy
from kordon.exchange.selectors import inbox_counts


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Unread alerts and requests of the user's units, for the header."""
    user = getattr(request, "user", None)
    if policy.scope_for(user) is None:
        return {}
    return {"inbox": inbox_counts(user)}
