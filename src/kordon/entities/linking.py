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

import itertools
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from kordon.entities import object_matching, screening_index
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
    index: ScreeningIndex, rows: Iterable[int], threshold: float, phones: Mapping[int, tuple[str, ...]]
) -> Iterator[tuple[int, int, Match]]:
    """The pairs (row, another row, their match) at or above `threshold`, for each of `rows`:
    each record screened against all the others. A pair is found from both its sides, because a
    screening is not symmetric ("Султанов А.К." looks up his surname with the year; the full
    name does not). `phones`: the phone numbers (digits) of the entries that have any, by id."""
    for row in rows:
        entry = index.entry(row)
        best: dict[int, Match] = {}
        for written_as in entry.as_persons():
            person = replace(written_as, phones=phones.get(entry.entry_id, ()))
            candidates = index.candidates(person)
            others = candidates.rows != row
            if not others.any():
                continue
            born = candidates.born[others]
            bounds = best_possible(
                person,
                born[:, 0],
                born[:, 1],
                born[:, 2],
                candidates.namesakes[others],
                candidates.by_document[others],
            )
            kept = bounds >= threshold
            for other, namesakes in zip(
                candidates.rows[others][kept].tolist(),
                candidates.namesakes[others][kept].tolist(),
                strict=True,
            ):
                other_entry = index.entry(other)
                other_phones = phones.get(other_entry.entry_id, ())
                match = max(
                    (
                        compare(person, replace(written, phones=other_phones), namesakes=namesakes)
                        for written in other_entry.as_persons()
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
    phones: Mapping[int, tuple[str, ...]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ScoredPair]:
    """Every pair of `entries` (ids are theirs) scoring at or above `threshold`, best first."""
    with tempfile.TemporaryDirectory(prefix="kordon-linking-") as work:
        path = Path(work) / "index"
        screening_index.write(entries, path)
        index = ScreeningIndex(path)
        best: dict[tuple[int, int], float] = {}
        for start in range(0, len(entries), PROGRESS_EVERY):
            rows = range(start, min(start + PROGRESS_EVERY, len(entries)))
            for row, other, match in pairs_from(index, rows, threshold, phones or {}):
                first, second = sorted((int(index.ids[row]), int(index.ids[other])))
                best[first, second] = max(match.score, best.get((first, second), 0.0))
            if progress is not None:
                progress(rows.stop)
        del index  # its memory maps close before the folder is removed
    found = [ScoredPair(first, second, score) for (first, second), score in best.items()]
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


# A key filing more records than this (a common company word) is not used to pair them.
COMMON_KEY = 200


def link_objects(records: Sequence[tuple[int, str, dict[str, Any]]], threshold: float) -> list[ScoredPair]:
    """The pairs of vehicle or company records (id, kind, fields as object_matching takes them)
    at or above `threshold`: vehicles that share a plate (folded), one character off, or a VIN;
    companies that share a word of their folded name or a registration number."""
    blocks: dict[str, list[int]] = defaultdict(list)
    fields = {identifier: (kind, values) for identifier, kind, values in records}
    for identifier, kind, values in records:
        for key in _object_keys(kind, values):
            blocks[key].append(identifier)
    candidates = {
        (first, second)
        for members in blocks.values()
        if 1 < len(members) <= COMMON_KEY
        for first, second in itertools.combinations(sorted(set(members)), 2)
    }
    found = []
    for first, second in sorted(candidates):
        (kind, one), (other_kind, other) = fields[first], fields[second]
        if kind != other_kind:
            continue
        compare = object_matching.compare_vehicles if kind == "vehicle" else object_matching.compare_companies
        match = compare(one, other)
        if match.score >= threshold:
            found.append(ScoredPair(first, second, match.score))
    return found


def _object_keys(kind: str, values: dict[str, Any]) -> set[str]:
    if kind == "vehicle":
        plate = object_matching.plate_key(values.get("plate", ""))
        keys = (
            {f"p{plate}", *(f"p{plate[:index]}{plate[index + 1 :]}" for index in range(len(plate)))}
            if plate
            else set()
        )
        vin = object_matching.plate_key(values.get("vin", ""))
        return keys | ({f"v{vin}"} if vin else set())
    words = object_matching.company_key(values.get("name", "")).split()
    number = object_matching.plate_key(values.get("registration_number", ""))
    return {f"w{word}" for word in words if len(word) > 2} | ({f"r{number}"} if number else set())
