"""How the risk model was chosen (issue 6): LightGBM settings, scikit-learn's booster, and the
trader-history features that were tried, on the same protocol as bench/targeting.py, 3 seeds.

    .venv/bin/python -m bench.targeting_models [--data ../shared/data/customs]
"""

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings_test")
os.environ.setdefault("KORDON_SECRET_KEY", "bench-only-" + "x" * 40)
django.setup()

import lightgbm  # noqa: E402
import numpy as np  # noqa: E402
import pycountry  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402

from kordon.targeting import evaluation, features, profiles, riskmodel  # noqa: E402
from kordon.targeting.declarations import DeclarationParser, read_declarations  # noqa: E402
from kordon.targeting.models import HITS  # noqa: E402

SEEDS = (0, 1, 2)


def importer_history(declarations: list[Any]) -> np.ndarray:
    """Days the importer has been known and its earlier declarations, from earlier days only,
    carried on from training into the hold-out (label-free)."""
    history = profiles.ImporterHistory()
    out = np.zeros((len(declarations), 2))
    day_start = 0
    for index, declaration in enumerate(declarations):
        if declaration.declared_on != declarations[day_start].declared_on:
            for earlier in declarations[day_start:index]:
                history.see(earlier.fields["importer"] or "", earlier.declared_on)
            day_start = index
        facts = history.facts(declaration.fields["importer"] or "", declaration.declared_on)
        out[index] = [facts["importer_days_known"], facts["importer_declarations"]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/customs"))
    args = parser.parse_args()
    countries = {c.alpha_2.lower(): c.alpha_2 for c in pycountry.countries}
    train = sorted(
        read_declarations(args.data / "df_syn_train_eng.csv", DeclarationParser(countries)).declarations,
        key=lambda d: d.declared_on,
    )
    hold = sorted(
        read_declarations(args.data / "df_syn_valid_eng.csv", DeclarationParser(countries)).declarations,
        key=lambda d: d.declared_on,
    )
    vocabulary = features.vocabularies(features.columns_of(train))
    x_train = features.matrix(features.columns_of(train), vocabulary)
    x_hold = features.matrix(features.columns_of(hold), vocabulary)
    y_train = np.array([d.outcome in HITS for d in train])
    y_hold = np.array([d.outcome in HITS for d in hold])
    seen = {(d.fields["net_mass"], d.fields["declared_value"]) for d in train}
    unseen = np.array([(d.fields["net_mass"], d.fields["declared_value"]) not in seen for d in hold])
    history = importer_history(train + hold)
    everything = list(range(len(features.CATEGORICAL)))
    few = [
        i for i, name in enumerate(features.CATEGORICAL) if len(vocabulary[name]) <= riskmodel.MOST_CATEGORIES
    ]

    def booster(categories: list[int], rounds: int, rate: float = 0.1, depth: int = -1) -> Callable[..., Any]:
        def fit(data: np.ndarray, seed: int) -> Any:
            settings = {**riskmodel.parameters(len(y_train), seed), "learning_rate": rate, "max_depth": depth}
            dataset = lightgbm.Dataset(data, y_train.astype(float), categorical_feature=categories)
            model = lightgbm.train(settings, dataset, num_boost_round=rounds)
            return lambda rows: model.predict(rows, raw_score=True)

        return fit

    def scikit(data: np.ndarray, seed: int) -> Any:
        model = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=63, categorical_features=few, random_state=seed,
            early_stopping=False,
        ).fit(data, y_train)  # fmt: skip
        return model.decision_function

    variants: list[tuple[str, Callable[..., Any], bool]] = [
        ("LightGBM, all categories, 300 rounds at 0.05", booster(everything, 300, 0.05), False),
        ("LightGBM, all categories, 100 rounds", booster(everything, 100), False),
        ("LightGBM, all categories, 100 rounds, depth 8", booster(everything, 100, depth=8), False),
        ("LightGBM, > 255 values as codes, 100 rounds", booster(few, 100), False),
        ("LightGBM, > 255 values as codes, 80 rounds (kept)", booster(few, riskmodel.ROUNDS), False),
        ("scikit-learn HistGradientBoosting, 100 rounds", scikit, False),
        ("kept + importer history (label-free)", booster(few, riskmodel.ROUNDS), True),
    ]
    big = np.tile(x_hold, (25, 1))
    print("| model | AUC | P@5 % | P@10 % | unseen AUC | unseen P@10 % | declarations/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, fit, with_history in variants:
        train_rows = np.hstack([x_train, history[: len(train)]]) if with_history else x_train
        hold_rows = np.hstack([x_hold, history[len(train) :]]) if with_history else x_hold
        runs = []
        for seed in SEEDS:
            score = fit(train_rows, seed)
            scores = score(hold_rows)
            whole, fresh = (
                evaluation.figures(scores, y_hold),
                evaluation.figures(scores[unseen], y_hold[unseen]),
            )
            started = time.perf_counter()
            score(np.tile(hold_rows, (25, 1)) if with_history else big)
            speed = len(big) / (time.perf_counter() - started)
            runs.append(
                [
                    whole["auc"],
                    whole["precision@5"],
                    whole["precision@10"],
                    fresh["auc"],
                    fresh["precision@10"],
                    speed,
                ]
            )
        mean = np.mean(runs, axis=0)
        print(
            f"| {label} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {mean[3]:.3f} | {mean[4]:.3f} | {mean[5]:,.0f} |"
        )


if __name__ == "__main__":
    main()
