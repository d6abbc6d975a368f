"""Cross-record linking: which person records, written by different units and countries, are
one person. The records are filed in a screening index of their own (screening_index: the same
blocking keys and the same scorer as a screening), each record is screened against the others,
and every pair at or above the threshold is a suggestion. People decide: a pair marked "not the
same" is never suggested again and keeps two records apart; "the same" joins them into one
person, whose merged view shows every value with the record it came from.

The comparison is this module's own rather than Splink's: the name comparison that matters here
(scripts, transliteration schemes, patronymics, MRZ) is in Python (names.py, matching.py) and
would have to be rewritten as SQL for DuckDB; docs/decisions.md gives the measurements.
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kordon.entities import screening_index
from kordon.entities.matching import Match, best_possible, compare
from kordon.entities.screening_index import Entry, ScreeningIndex

# How often (in records) a run reports its progress.
PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class ScoredPair:
    first: int  # the lower entry id
    second: int
    score: float


def pairs_from(
    index: ScreeningIndex, rows: Iterable[int], threshold: float
) -> Iterator[tuple[int, int, Match]]:
    """The pairs (row, a later row, their match) at or above `threshold`, for each of `rows`:
    each record screened against the records after it, so that every pair is compared once."""
    for row in rows:
        entry = index.entry(row)
        best: dict[int, Match] = {}
        for person in entry.as_persons():
            candidates = index.candidates(person)
            later = candidates.rows > row
            if not later.any():
                continue
            born = candidates.born[later]
            bounds = best_possible(
                person,
                born[:, 0],
                born[:, 1],
                born[:, 2],
                candidates.namesakes[later],
                candidates.by_document[later],
            )
            kept = bounds >= threshold
            for other, namesakes in zip(
                candidates.rows[later][kept].tolist(), candidates.namesakes[later][kept].tolist(), strict=True
            ):
                match = max(
                    (
                        compare(person, written, namesakes=namesakes)
                        for written in index.entry(other).as_persons()
                    ),
                    key=lambda found: found.score,
                )
                if match.score >= threshold and (other not in best or match.score > best[other].score):
                    best[other] = match
        for other, match in best.items():
            yield row, other, match


def link(
    entries: Sequence[Entry],
    threshold: float,
    progress: Callable[[int], None] | None = None,
    folder: Path | None = None,
) -> list[ScoredPair]:
    """Every pair of `entries` (ids are theirs) scoring at or above `threshold`, best first."""
    with tempfile.TemporaryDirectory(prefix="kordon-linking-", dir=folder) as work:
        path = Path(work) / "index"
        screening_index.write(entries, path)
        index = ScreeningIndex(path)
        found: list[ScoredPair] = []
        for start in range(0, len(entries), PROGRESS_EVERY):
            rows = range(start, min(start + PROGRESS_EVERY, len(entries)))
            for row, other, match in pairs_from(index, rows, threshold):
                first, second = sorted((int(index.ids[row]), int(index.ids[other])))
                found.append(ScoredPair(first, second, match.score))
            if progress is not None:
                progress(rows.stop)
        del index  # its memory maps close before the folder is removed
    found.sort(key=lambda pair: (-pair.score, pair.first, pair.second))
    return found


def clusters(ids: Sequence[int], joined: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each id's cluster, named by one of its ids, the clusters being the connected groups of
    the `joined` pairs."""
    position = {identifier: number for number, identifier in enumerate(ids)}
    parent = np.arange(len(ids))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = int(parent[node])
        return node

    for first, second in joined:
        a, b = root(position[first]), root(position[second])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {identifier: ids[root(position[identifier])] for identifier in ids}
