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
import os
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

SEED = 1999
RIDGE = 1.0


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
    from bench.identities import identity, passport
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
    rows: list[list[int]] = []
    labels: list[int] = []
    asked = [(passport(people[truth], rng), truth) for truth in rng.sample(range(entries), queries)]
    asked += [(passport(identity(rng, rng.choice(COUNTRIES)), rng), -1) for _ in range(queries)]
    for query_fields, truth in asked:
        query = Person(**query_fields)
        for row, namesakes in index.candidates(query).items():
            entry = index.entry(row)
            best = max(
                entry.as_persons(), key=lambda person: compare(query, person, namesakes=namesakes).score
            )
            found = evidence(query, best, namesakes=namesakes)
            rows.append([0] + [position[f"{feature}:{outcome}"] for feature, outcome, _m, _v in found])
            labels.append(int(row == truth))
    design = np.zeros((len(rows), len(columns)))
    design[:, 0] = 1.0
    for number, hits in enumerate(rows):
        design[number, hits[1:]] = 1.0
    fitted = _fit(design, np.array(labels, dtype=float))
    features: dict[str, dict[str, float]] = {}
    for column, weight in zip(columns[1:], fitted[1:], strict=True):
        feature, outcome = column.split(":")
        features.setdefault(feature, {})[outcome] = round(float(weight), 2)
    weights = {
        "source": (
            f"python -m bench.fit_weights {entries} {queries} (seed {SEED}), {datetime.date.today()}: "
            f"{len(labels)} candidate pairs, {sum(labels)} of one identity; logistic regression, L2 {RIDGE}"
        ),
        "prior": round(float(fitted[0]), 2),
        "features": features,
    }
    matching.WEIGHTS_FILE.write_text(
        json.dumps(weights, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(weights, ensure_ascii=False))


if __name__ == "__main__":
    main()
