"""Screening a person against the watchlists a user may use: the candidates each list's index
finds, scored by the person scorer, above the node's threshold, best first. Every screening is
written to the audit trail, a file of travellers as one line.
"""

import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kordon.access import policy
from kordon.access.audit import audit_log
from kordon.core.countries import country_codes
from kordon.core.downloads import SafeCsvWriter
from kordon.core.tabular import TableError, file_sha256, open_table
from kordon.entities import screening_index
from kordon.entities.importing import column_name, person_described, row_cells
from kordon.entities.matching import Match, Person, best_possible, compare
from kordon.entities.models import Watchlist, WatchlistEntry

SCREEN: Final = "screen"
SCREEN_FILE: Final = "screen_file"
# A file is screened in batches of this many people (one batch per worker at a time).
BATCH: Final = 500
# More than this many matches for one person means the query says too little; the best are shown.
MOST_MATCHES: Final = 50
RESULT_COLUMNS: Final = ("best_watchlist", "best_entity_id", "best_name", "score", "explanation")


@dataclass(frozen=True)
class ScreeningMatch:
    watchlist: Watchlist
    entry: screening_index.Entry
    name: str  # the entry's name that matched best
    match: Match
    notes: str = ""  # what the list says of the person

    @property
    def score(self) -> float:
        return self.match.score

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entry.external_id,
            "watchlist": self.watchlist.name,
            "watchlist_id": self.watchlist.pk,
            "name": self.name,
            "score": round(self.score, 4),
            "explanation": self.match.explanation,
            "notes": self.notes,
        }


def node_threshold() -> float:
    return int(settings.KORDON_SCREENING_THRESHOLD) / 100


def usable_watchlists(user: Any) -> list[Watchlist]:
    """The watchlists `user` may screen against: those the policy lets them see, with a version."""
    lists = Watchlist.objects.restrict(user, policy.VIEW).filter(current_version__isnull=False)
    return list(lists.select_related("current_version", "owner_unit").order_by("name", "pk"))


def index_matches(
    index: screening_index.ScreeningIndex, query: Person, threshold: float
) -> list[tuple[screening_index.Entry, str, Match]]:
    """The entries of one index that `query` may be, at or above `threshold`: (entry, its name
    that matched best, the match)."""
    candidates = index.candidates(query)
    born = candidates.born
    bounds = best_possible(
        query, born[:, 0], born[:, 1], born[:, 2], candidates.namesakes, candidates.by_document
    )
    kept = bounds >= threshold
    found = []
    for row, namesakes in zip(
        candidates.rows[kept].tolist(), candidates.namesakes[kept].tolist(), strict=True
    ):
        entry = index.entry(row)
        match, name = max(
            ((compare(query, person, namesakes=namesakes), person.name) for person in entry.as_persons()),
            key=lambda pair: pair[0].score,
        )
        if match.score >= threshold:
            found.append((entry, name, match))
    return found


def _matches(query: Person, watchlists: list[Watchlist], threshold: float) -> list[ScreeningMatch]:
    found = [
        ScreeningMatch(watchlist, entry, name, match)
        for watchlist in watchlists
        for entry, name, match in index_matches(
            screening_index.load(watchlist.current_version), query, threshold
        )
    ]
    found.sort(key=lambda match: (-match.score, match.watchlist.name, match.entry.external_id))
    return found[:MOST_MATCHES]


def _query_record(query: Person) -> dict[str, str]:
    return {
        "name": query.name,
        "birth_date": query.birth_date,
        "nationality": query.nationality,
        "document_number": query.document_number,
        "gender": query.gender,
    }


def screen_person(*, actor: Any, query: Person, threshold: float | None = None) -> list[ScreeningMatch]:
    """The entries of the watchlists `actor` may use that `query` may be, best first."""
    matches = _matches(query, usable_watchlists(actor), node_threshold() if threshold is None else threshold)
    notes = dict(
        WatchlistEntry.objects.filter(pk__in=[match.entry.entry_id for match in matches])
        .exclude(notes="")
        .values_list("pk", "notes")
    )
    matches = [replace(match, notes=notes.get(match.entry.entry_id, "")) for match in matches]
    with transaction.atomic():
        audit_log(
            actor=actor,
            action=SCREEN,
            object_type="entities.screening",
            object_repr=query.name,
            after={
                "query": _query_record(query),
                "matches": [
                    [match.watchlist.pk, match.entry.external_id, round(match.score, 4)] for match in matches
                ],
            },
        )
    return matches


@dataclass
class FileScreening:
    rows: int = 0
    screened: int = 0
    alerts: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def _queries(path: Path) -> Iterator[tuple[int, dict[str, str], Person | None, str]]:
    """(row number, the row's cells by column, the person or None, why not)."""
    with open_table(path) as table:
        headers = [column_name(header) for header in table.headers]
        if "name" not in headers:
            raise TableError(_("The file has no column name. The columns are those of a watchlist file."))
        countries = country_codes()
        for number, cells in table.rows:
            row = row_cells(headers, cells)
            person, problems = person_described(row, countries)
            yield number, row, None if problems else person, " ".join(problems.values())


def _best(query: Person | None, watchlists: list[Watchlist], threshold: float) -> tuple[Any, ...] | None:
    """The best match of `query` as the result file writes it, or None."""
    matches = _matches(query, watchlists, threshold) if query is not None else []
    if not matches:
        return None
    best = matches[0]
    return (
        best.watchlist.name,
        best.entry.external_id,
        best.name,
        f"{best.score:.4f}",
        best.match.explanation,
    )


def _screen_batch(
    job: tuple[list[Watchlist], float, str, list[Person | None]],
) -> list[tuple[Any, ...] | None]:
    """One batch of a file, in a worker process (forked: it inherits the open indexes)."""
    watchlists, threshold, language, queries = job
    with translation.override(language):
        return [_best(query, watchlists, threshold) for query in queries]


def screen_file(
    *, actor: Any, path: Path, out: Path, threshold: float | None = None, workers: int | None = None
) -> FileScreening:
    """Screen every person of a file (the columns of a watchlist file) and write `out`: the
    file's columns, then the best match of each row, its score and the explanation. Files of
    more than one batch are screened by `workers` processes (KORDON_SCREENING_WORKERS)."""
    limit = node_threshold() if threshold is None else threshold
    watchlists = usable_watchlists(actor)
    for watchlist in watchlists:
        # Built (if missing) and opened here, before any worker is forked.
        screening_index.load(watchlist.current_version)
    rows = list(_queries(path))
    batches = [rows[start : start + BATCH] for start in range(0, len(rows), BATCH)]
    jobs = [
        (watchlists, limit, translation.get_language(), [query for _n, _r, query, _p in batch])
        for batch in batches
    ]
    workers = min(settings.KORDON_SCREENING_WORKERS if workers is None else workers, len(batches))
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = [best for batch in pool.imap(_screen_batch, jobs) for best in batch]
    else:
        results = [best for job in jobs for best in _screen_batch(job)]
    outcome = FileScreening()
    with out.open("w", newline="", encoding="utf-8") as handle:
        # The file comes back to an analyst who opens it in Excel: a traveller "named" =HYPERLINK(…)
        # must stay text.
        writer = SafeCsvWriter(handle)
        if rows:
            writer.writerow([*rows[0][1].keys(), *RESULT_COLUMNS])
        for (number, row, query, problem), best in zip(rows, results, strict=True):
            outcome.rows += 1
            if query is None:
                outcome.problems.append((number, problem))
                writer.writerow([*row.values(), "", "", "", "", problem])
                continue
            outcome.screened += 1
            if best is None:
                writer.writerow([*row.values(), "", "", "", "", ""])
                continue
            outcome.alerts += 1
            writer.writerow([*row.values(), *best])
    with transaction.atomic():
        audit_log(
            actor=actor,
            action=SCREEN_FILE,
            object_type="entities.screening",
            object_repr=path.name,
            after={
                "file": path.name,
                "sha256": file_sha256(path),
                "rows": outcome.rows,
                "screened": outcome.screened,
                "alerts": outcome.alerts,
                "watchlists": [watchlist.pk for watchlist in watchlists],
            },
        )
    return outcome
