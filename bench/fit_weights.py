"""Fit the person scorer's weights (src/kordon/entities/data/weights.json) on generated identities.

A watchlist of generated identities (bench/screening.py `listed`) is indexed as a node indexes
one; travellers' passports (people of the list, and strangers) are looked up, and every candidate
the index returns is one example: the outcomes the scorer finds (names, namesakes, birth date,
document, nationality, gender), and whether it is the same identity. A logistic regression
(one weight per outcome, a little L2 so that outcomes seen rarely stay modest) gives the
weights: the log-odds each outcome adds, as Fellegi and Sunter's weights are, but fitted
together, so that evidence that comes together (a common name and its namesakes) is not
counted twice.

The seed differs from the benchmark's (bench/screening.py), so the benchmark measures
identities the weights never saw.

    python -m bench.fit_weights [entries] [queries of each kind]
"""

import datetime
import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SEED = 1999
RIDGE = 1.0
# Outcomes seen fewer times than this among the candidates keep the weight set by hand below
# (generated passports carry no patronymic and no gender, for instance).
LEAST_SEEN = 30
HAND_SET = {
    "name": {"same": 6.0, "close": 4.0, "similar": 1.0, "one_name": 2.5, "one_name_initial": 3.5, "one_close": 1.5,
             "differs": -5.0},
    "patronymic": {"same": 1.5, "differs": -2.0},
    # The weight of n namesakes is known + per_log × ln n.
    "namesakes": {"known": 0.0, "per_log": -1.0},
    "birth_date": {"exact": 4.0, "same_year": 1.5, "day_month_swapped": 3.0, "one_digit": 2.5, "year_off": 1.5,
                   "differs": -5.0},
    "document": {"exact": 7.0, "one_edit": 4.5, "differs": -1.5},
    # The generated identities have no phones. A personal number shared by two records is strong
    # evidence (odds about 55 to 1), weaker than a document: families and drivers share phones.
    "phone": {"shared": 4.0},
    "nationality": {"same": 0.5, "differs": -1.0},
    "gender": {"same": 0.2, "differs": -3.0},
}  # fmt: skip


def _fit(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Logistic regression by Newton's method; the first column is the intercept (not penalised)."""
    weights = np.zeros(features.shape[1])
    penalty = np.full(features.shape[1], RIDGE)
    penalty[0] = 0.0
    for _ in range(50):
        odds = features @ weights
        probability = 1 / (1 + np.exp(-odds))
        gradient = features.T @ (labels - probability) - penalty * weights
        curvature = (features * (probability * (1 - probability))[:, None]).T @ features + np.diag(penalty)
        step = np.linalg.solve(curvature, gradient)
        weights += step
        if np.abs(step).max() < 1e-6:
            break
    return weights


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings")
    os.environ.setdefault("KORDON_SECRET_KEY", "benchmark-fit-weights-secret-key-0123456789abcdef")
    import django

    django.setup()
    from bench.identities import identity, passport, written
    from bench.screening import COUNTRIES, listed
    from kordon.entities import matching, screening_index
    from kordon.entities.matching import Person, compare, evidence

    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    queries = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    rng = random.Random(SEED)
    people = [identity(rng, rng.choice(COUNTRIES)) for _ in range(entries)]
    listing = []
    for number, person in enumerate(people):
        external_id, name, alias, born, country, document, gender, _notes = listed(number, person, rng)
        names = tuple(name for name in (name, alias) if name)
        listing.append(screening_index.Entry(number, external_id, names, born, country, document, gender))
    folder = Path(tempfile.mkdtemp(prefix="kordon-fit-")) / "index"
    screening_index.write(listing, folder)
    index = screening_index.ScreeningIndex(folder)

    columns = ["prior"] + [
        f"{feature}:{outcome}"
        for feature, outcomes in matching.WEIGHTS.features.items()
        for outcome in outcomes
    ]
    position = {column: number for number, column in enumerate(columns)}
    rows: list[list[tuple[int, float]]] = []
    labels: list[int] = []

    # Two in three queries are passports read at a border post, one in three another agency's
    # record of the person (a bus company's list, a report), with a record's errors.
    def query(person: Any) -> dict[str, str]:
        return passport(person, rng) if rng.random() < 2 / 3 else written(person, rng)

    asked = [(query(people[truth]), truth) for truth in rng.sample(range(entries), queries)]
    asked += [(query(identity(rng, rng.choice(COUNTRIES))), -1) for _ in range(queries)]
    for query_fields, truth in asked:
        query = Person(**query_fields)
        candidates = index.candidates(query)
        for row, namesakes in zip(candidates.rows.tolist(), candidates.namesakes.tolist(), strict=True):
            entry = index.entry(row)
            best = max(
                entry.as_persons(), key=lambda person: compare(query, person, namesakes=namesakes).score
            )
            found = evidence(query, best, namesakes=namesakes)
            hits = []
            for feature, outcome, _message, values in found:
                if feature == "namesakes":
                    hits += [
                        (position["namesakes:known"], 1.0),
                        (position["namesakes:per_log"], math.log(values["count"])),
                    ]
                else:
                    hits.append((position[f"{feature}:{outcome}"], 1.0))
            rows.append(hits)
            labels.append(int(row == truth))
    design = np.zeros((len(rows), len(columns)))
    design[:, 0] = 1.0
    for number, hits in enumerate(rows):
        for column, value in hits:
            design[number, column] = value
    seen = (design != 0).sum(axis=0)
    kept = [number for number in range(len(columns)) if number == 0 or seen[number] >= LEAST_SEEN]
    fitted = dict(zip(kept, _fit(design[:, kept], np.array(labels, dtype=float)).tolist(), strict=True))
    features: dict[str, dict[str, float]] = {}
    for number, column in enumerate(columns[1:], start=1):
        feature, outcome = column.split(":")
        weight = fitted[number] if number in fitted else HAND_SET[feature][outcome]
        features.setdefault(feature, {})[outcome] = round(weight, 2)
    weights = {
        "source": (
            f"python -m bench.fit_weights {entries} {queries} (seed {SEED}), {datetime.date.today()}: "
            f"{len(labels)} candidate pairs, {sum(labels)} of one identity; logistic regression, L2 {RIDGE}"
        ),
        "hand_set": [columns[number] for number in range(1, len(columns)) if number not in fitted],
        "prior": round(fitted[0], 2),
        "features": features,
    }
    matching.WEIGHTS_FILE.write_text(
        json.dumps(weights, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(weights, ensure_ascii=False))


if __name__ == "__main__":
    main()
