"""The screening index of one watchlist version: the few entries a query could be, found with
binary searches instead of a comparison with each of a million entries.

Each entry is filed under *blocking keys* that the ways of writing one person share (names.py
folds the spellings): each pair of its names (`Sultanov Alimbai` and `Alimboy Sultonov` give
the same pair), each pair with the birth year, each single name with the birth year (for
"Soultanov A."), a single name alone for persons known by one name, and its document number
with and without each one of its characters (so a number one character off, or with two
characters swapped, still meets the right entry). A query looks up its own keys; a key that
files too many entries (a common name pair without a year) is left out rather than scored.

The index is a folder of NumPy files, read through memory maps so that every server process
shares one copy in the page cache:

    keys.npy     int64, sorted: 64-bit hashes of the blocking keys
    rows.npy     int32: the row (entry) filed under each key
    ids.npy      int64: each row's WatchlistEntry id
    offsets.npy  int64: where each row's fields start in people.bin (one more at the end)
    born.npy     int16 × 3: each row's birth year, month and day (0 where unknown), so that
                 candidates born on another day are dropped before their names are read
    people.bin   each row's fields, UTF-8, separated by \\x1f (other names by \\x1e)

It is built after a version is imported, and again if its folder is missing (a new server, a
restored backup). Versions never change, so an index never goes stale: a new version gets a new
folder, and the folder's name carries a random token of the version.
"""

import hashlib
import itertools
import shutil
import tempfile
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from django.conf import settings

from kordon.entities.matching import SHORTEST_DOCUMENT, Person, date_parts, document_key
from kordon.entities.names import parse

# A name key filing more entries than this is too common to tell anybody apart on its own.
COMMON: Final = 200
FIELD: Final = "\x1f"
ALTERNATIVE: Final = "\x1e"
# Indexes kept open per process (each a handful of memory maps).
OPEN_INDEXES: Final = 16


@dataclass(frozen=True)
class Entry:
    """A watchlist entry as the index holds it."""

    entry_id: int
    external_id: str
    names: tuple[str, ...]  # the name, then the other names
    birth_date: str
    nationality: str
    document_number: str
    gender: str

    def as_persons(self) -> Iterator[Person]:
        for name in self.names:
            yield Person(name, self.birth_date, self.nationality, self.document_number, self.gender)


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _pairs(name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """A name's skeletons, and each pair of them in one order."""
    skeletons = sorted({skeleton for skeleton in parse(name).skeletons if skeleton})
    return skeletons, list(itertools.combinations(skeletons, 2))


def name_keys(names: Iterable[str], birth_date: str) -> set[str]:
    """The keys an entry is filed under for its names."""
    year = birth_date[:4]
    keys: set[str] = set()
    for name in names:
        skeletons, pairs = _pairs(name)
        for first, second in pairs:
            keys.add(f"p{first} {second}")
            if year:
                keys.add(f"y{first} {second} {year}")
        if year:
            keys.update(f"s{skeleton} {year}" for skeleton in skeletons)
        if len(skeletons) == 1:
            keys.add(f"o{skeletons[0]}")
    return keys


def document_keys(number: str) -> set[str]:
    """The number, and (from four characters on) the number with each one of its characters
    left out: two numbers one substitution, insertion or adjacent swap apart share one of these."""
    key = document_key(number)
    if not key:
        return set()
    if len(key) < SHORTEST_DOCUMENT:
        return {f"d{key}"}
    return {f"d{key}", *(f"d{key[:index]}{key[index + 1 :]}" for index in range(len(key)))}


def entry_keys(entry: Entry) -> set[str]:
    return name_keys(entry.names, entry.birth_date) | document_keys(entry.document_number)


def _encode(entry: Entry) -> bytes:
    fields = (
        entry.external_id,
        ALTERNATIVE.join(entry.names),
        entry.birth_date,
        entry.nationality,
        entry.document_number,
        entry.gender,
    )
    return FIELD.join(fields).encode("utf-8")


def folder(version: Any) -> Path:
    return Path(settings.KORDON_SCREENING_DIR) / f"{version.pk}-{version.index_token}"


def _entries(version: Any) -> Iterator[Entry]:
    from kordon.entities.models import WatchlistEntry

    columns = (
        "id",
        "external_id",
        "name",
        "alt_names",
        "birth_date",
        "nationality",
        "document_number",
        "gender",
    )
    rows = WatchlistEntry.objects.filter(version_id=version.pk).order_by("id").values_list(*columns)
    for entry_id, external_id, name, alt_names, born, country, document, gender in rows.iterator(
        chunk_size=10000
    ):
        names = tuple(dict.fromkeys([name, *alt_names]))
        yield Entry(entry_id, external_id, names, born, country, document, gender)


def build(version: Any) -> Path:
    """Write the index of `version` (from its entries in the database) and return its folder."""
    target = folder(version)
    if not target.is_dir():
        write(_entries(version), target)
    return target


def write(entries: Iterable[Entry], target: Path) -> None:
    """Write an index of `entries` to the folder `target`: first to a folder beside it, then
    renamed, so that a server never opens a half-written index."""
    target.parent.mkdir(parents=True, exist_ok=True)
    hashes = array("q")
    rows = array("i")
    ids = array("q")
    offsets = array("q", [0])
    born = array("h")
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with (work / "people.bin").open("wb") as people:
            for row, entry in enumerate(entries):
                keys = [_hash(key) for key in entry_keys(entry)]
                hashes.extend(keys)
                rows.extend([row] * len(keys))
                ids.append(entry.entry_id)
                year, month, day = date_parts(entry.birth_date) or (0, None, None)
                born.extend((year, month or 0, day or 0))
                data = _encode(entry)
                people.write(data)
                offsets.append(offsets[-1] + len(data))
        key_array = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(key_array, kind="stable")
        np.save(work / "keys.npy", key_array[order])
        np.save(work / "rows.npy", np.frombuffer(rows, dtype=np.int32)[order])
        np.save(work / "ids.npy", np.frombuffer(ids, dtype=np.int64))
        np.save(work / "offsets.npy", np.frombuffer(offsets, dtype=np.int64))
        np.save(work / "born.npy", np.frombuffer(born, dtype=np.int16).reshape(-1, 3))
        try:
            work.rename(target)
        except OSError:
            # Another process built it meanwhile; theirs is the same.
            if not target.is_dir():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


@dataclass(frozen=True)
class Candidates:
    """What an index found for a query, one element per candidate."""

    rows: np.ndarray
    namesakes: np.ndarray
    by_document: np.ndarray
    born: np.ndarray  # year, month, day


class ScreeningIndex:
    """An open index: the entries a query's keys lead to, and their fields."""

    def __init__(self, path: Path) -> None:
        self.keys = np.load(path / "keys.npy", mmap_mode="r")
        self.rows = np.load(path / "rows.npy", mmap_mode="r")
        self.ids = np.load(path / "ids.npy", mmap_mode="r")
        self.offsets = np.load(path / "offsets.npy", mmap_mode="r")
        self.born = np.load(path / "born.npy", mmap_mode="r")
        size = int(self.offsets[-1])
        self.people = (
            np.memmap(path / "people.bin", dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)
        )

    def __len__(self) -> int:
        return len(self.ids)

    def _filed(self, keys: list[str]) -> list[tuple[int, int]]:
        """For each key, where its entries start and end in rows."""
        wanted = np.array([_hash(key) for key in keys], dtype=np.int64)
        starts = np.searchsorted(self.keys, wanted, "left").tolist()
        ends = np.searchsorted(self.keys, wanted, "right").tolist()
        return list(zip(starts, ends, strict=True))

    def candidates(self, query: Person) -> Candidates:
        """The rows of the entries `query` could be, each with the number of entries that share
        its name with the query (0 when it was found by another key: a single name with the
        birth year, the document number), and whether its document number is within one
        character of the query's.

        A pair of names filing more than COMMON entries is looked up only together with the
        birth year. A single name with the year is looked up when the names found nobody (a
        list may know a person as "Soultanov A."), or when it is all the query has."""
        year = query.birth_date[:4]
        skeletons, pairs = _pairs(query.name)
        pair_keys = [f"p{first} {second}" for first, second in pairs]
        year_keys = [f"y{first} {second} {year}" for first, second in pairs] if year else []
        single_keys = [f"s{skeleton} {year}" for skeleton in skeletons] if year else []
        if len(skeletons) == 1:
            single_keys.append(f"o{skeletons[0]}")
        document = sorted(document_keys(query.document_number))
        spans = self._filed([*pair_keys, *year_keys, *single_keys, *document])
        pair_spans = spans[: len(pair_keys)]
        year_spans = spans[len(pair_keys) : len(pair_keys) + len(year_keys)]
        single_spans = spans[len(pair_keys) + len(year_keys) : len(spans) - len(document)]
        found: dict[int, int] = {}
        for number, (start, end) in enumerate(pair_spans):
            namesakes = end - start
            if namesakes > COMMON:
                if not year_spans:
                    continue
                start, end = year_spans[number]
            for row in self.rows[start:end].tolist():
                found[row] = min(found.get(row, namesakes), namesakes)
        if not found or len(skeletons) < 2:
            for start, end in single_spans:
                if end - start <= COMMON:
                    for row in self.rows[start:end].tolist():
                        found.setdefault(row, 0)
        by_document: set[int] = set()
        for start, end in spans[len(spans) - len(document) :]:
            by_document.update(self.rows[start:end].tolist())
        for row in by_document:
            found.setdefault(row, 0)
        rows = np.fromiter(found, dtype=np.int64, count=len(found))
        return Candidates(
            rows=rows,
            namesakes=np.fromiter(found.values(), dtype=np.int64, count=len(found)),
            by_document=np.isin(rows, np.fromiter(by_document, dtype=np.int64, count=len(by_document))),
            born=self.born[rows] if len(rows) else np.zeros((0, 3), dtype=np.int16),
        )

    def entry(self, row: int) -> Entry:
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        external_id, names, born, country, document, gender = (
            bytes(self.people[start:end]).decode("utf-8").split(FIELD)
        )
        return Entry(
            int(self.ids[row]), external_id, tuple(names.split(ALTERNATIVE)), born, country, document, gender
        )


_open: OrderedDict[Path, ScreeningIndex] = OrderedDict()
_lock = threading.Lock()


def load(version: Any) -> ScreeningIndex:
    """The open index of `version`, built first if this node has none yet."""
    path = folder(version)
    with _lock:
        index = _open.get(path)
        if index is not None:
            _open.move_to_end(path)
            return index
    if not path.is_dir():
        build(version)
    index = ScreeningIndex(path)
    with _lock:
        _open[path] = index
        while len(_open) > OPEN_INDEXES:
            _open.popitem(last=False)
    return index
