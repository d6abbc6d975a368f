"""Reads of watchlists, through the policy."""

from typing import Any

from django.db.models import Prefetch

from kordon.access import policy
from kordon.entities.models import Watchlist, WatchlistVersion


def watchlist_history(*, user: Any) -> list[Watchlist]:
    """The watchlists `user` may see, each with its versions newest first (`history`)."""
    versions = WatchlistVersion.objects.select_related("imported_by").order_by("-number")
    lists = Watchlist.objects.restrict(user, policy.VIEW).select_related("owner_unit", "current_version")
    return list(
        lists.order_by("name", "pk").prefetch_related(Prefetch("versions", versions, to_attr="history"))
    )
