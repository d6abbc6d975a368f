"""A watchlist as FollowTheMoney JSON lines: one Person entity per line, as OpenSanctions' tools
(yente, nomenklatura) and partners' systems read them. Written by hand from the FtM schema rather
than through the `followthemoney` package, whose dependencies (PyICU, built from source) are not
worth it for seven properties; a test checks the lines against the schema's property names
(restated there from FtM's `Person`, `LegalEntity` and `Thing`)."""

import json
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from kordon.access import policy
from kordon.access.audit import EXPORT, audit_log
from kordon.entities.models import Watchlist, WatchlistEntry

# The FtM Person properties an entry fills, in the order of the watchlist file's columns.
PERSON_PROPERTIES = ("name", "alias", "birthDate", "nationality", "idNumber", "gender", "notes")


def _entity(watchlist: Watchlist, entry: WatchlistEntry) -> dict[str, Any]:
    values = {
        "name": [entry.name],
        "alias": entry.alt_names,
        "birthDate": [entry.birth_date] if entry.birth_date else [],
        "nationality": [entry.nationality.lower()] if entry.nationality else [],
        "idNumber": [entry.document_number] if entry.document_number else [],
        "gender": [entry.gender] if entry.gender else [],
        "notes": [entry.notes] if entry.notes else [],
    }
    return {
        "id": f"kordon-watchlist-{watchlist.pk}-{slugify(entry.external_id) or entry.pk}",
        "schema": "Person",
        "properties": {name: values[name] for name in PERSON_PROPERTIES if values[name]},
        "datasets": [f"kordon-watchlist-{watchlist.pk}"],
    }


def watchlist_ftm(*, user: Any, watchlist_id: int) -> tuple[Watchlist, Iterator[str]]:
    """The current version of a watchlist `user` may export, as FtM JSON lines; audited.
    Raises Watchlist.DoesNotExist for a list that is missing, empty or not theirs to export."""
    watchlist = (
        Watchlist.objects.restrict(user, policy.EXPORT)
        .select_related("current_version")
        .get(pk=watchlist_id, current_version__isnull=False)
    )
    version = watchlist.current_version
    assert version is not None  # the query asks for one
    with transaction.atomic():
        audit_log(
            actor=user,
            action=EXPORT,
            instance=watchlist,
            after={"format": "ftm", "version": version.number, "entries": version.entry_count},
        )
    entries = WatchlistEntry.objects.filter(version=version).order_by("pk").iterator(chunk_size=5000)
    return watchlist, (json.dumps(_entity(watchlist, entry), ensure_ascii=False) + "\n" for entry in entries)
