"""Names benchmark (issue 5): the person scorer on nomenklatura's name-matching cases
(`../shared/data/names/nomenklatura_name_bench/cases.csv`, MIT; OpenSanctions logic-v2 scores F1
0.79 on them). The cases give names only, and a name alone never reaches the node's alert
threshold (by design: an alert needs a birth date or a document too), so what is measured is
the scorer's judgement of the names: a pair counts as matched when the names are found the same
or nearly the same and the patronymics, if both have one, do not differ. Prints one JSON line per schema group and one for all cases.

    python -m bench.names [path/to/cases.csv]
"""

import csv
import json
import os
import sys
from pathlib import Path

NAMES_MATCH = {("name", "same"), ("name", "close")}
CASES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "names"
    / "nomenklatura_name_bench"
    / "cases.csv"
)


def figures(pairs: list[tuple[bool, float]], threshold: float) -> dict[str, float | int]:
    true_positive = sum(1 for truth, score in pairs if truth and score >= threshold)
    false_positive = sum(1 for truth, score in pairs if not truth and score >= threshold)
    false_negative = sum(1 for truth, score in pairs if truth and score < threshold)
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "cases": len(pairs),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
    }


def measure(path: Path = CASES) -> list[dict[str, object]]:
    """Figures per schema group, then for all cases (Django must be set up)."""
    from kordon.entities.matching import Person, compare

    by_schema: dict[str, list[tuple[bool, float]]] = {}
    with path.open(newline="", encoding="utf-8") as cases:
        for case in csv.DictReader(cases):
            reasons = compare(Person(case["name1"]), Person(case["name2"])).reasons
            outcomes = {(reason.feature, reason.outcome) for reason in reasons}
            same = bool(outcomes & NAMES_MATCH) and ("patronymic", "differs") not in outcomes
            by_schema.setdefault(case["schema"], []).append((case["is_match"] == "true", float(same)))
    everything = [pair for pairs in by_schema.values() for pair in pairs]
    results: list[dict[str, object]] = [
        {"benchmark": "name_bench", "schema": schema, **figures(pairs, 1.0)}
        for schema, pairs in sorted(by_schema.items())
    ]
    return [*results, {"benchmark": "name_bench", "schema": "all", **figures(everything, 1.0)}]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings")
    os.environ.setdefault("KORDON_SECRET_KEY", "benchmark-names-secret-key-0123456789abcdef")
    import django

    django.setup()
    for result in measure(Path(sys.argv[1]) if len(sys.argv) > 1 else CASES):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
