"""Training and using the risk model: gradient-boosted trees (LightGBM) with calibrated
probabilities and each consignment's main reasons.

Training keeps time in order. The newest fifth of the labelled declarations is held out: a first
booster trained on the older four fifths is measured on it (the registry's evaluation figures) and
a calibration is fitted to its scores there (Platt: a logistic curve over the trees' log-odds,
which keeps the order of the scores and stays smooth on the few hundred inspections of a small
port, where an isotonic fit turns into steps and ties). The booster that is kept is then trained
on everything, so that the newest inspections count; its scores go through the held-out
calibration. Both boosters rank alike, and ranking is what selection uses.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm
import numpy as np
from django.utils.translation import gettext as _
from sklearn.linear_model import LogisticRegression

from kordon.targeting import evaluation, features
from kordon.targeting.declarations import Declaration
from kordon.targeting.models import HITS, SERIOUS

# Chosen on the KCS benchmark's training quarters (bench/targeting.py, docs/benchmarks.md).
PARAMETERS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "cat_smooth": 10,
    "verbose": -1,
}
# 80 rounds: 300 at a rate of 0.05 ranked the whole hold-out better (P@10 % 0.913 against 0.842) by
# learning its repeated values by heart, but the unseen slice worse (AUC 0.596 against 0.620), and
# scored 68,000 declarations/s against 384,000 (bench/targeting_models.py, docs/benchmarks.md).
ROUNDS = 80
# A column with more values than this in training (HS codes, headings) goes to the trees as its code
# rather than as a category: LightGBM's category splits over thousands of HS codes learnt the
# training rows (unseen slice AUC 0.607 against 0.615, P@10 % 0.281 against 0.313).
MOST_CATEGORIES = 255
HELD_OUT = 0.2
REASONS = 3


class TrainingError(ValueError):
    """The data cannot train a model; the message says why and what to do."""


@dataclass
class TrainedModel:
    booster: lightgbm.Booster
    vocabulary: dict[str, dict[str, int]]
    # Platt calibration: probability = 1 / (1 + exp(-(slope · log-odds + intercept))).
    calibration: tuple[float, float]

    def log_odds(self, columns: features.Columns) -> np.ndarray:
        return np.asarray(self.booster.predict(features.matrix(columns, self.vocabulary), raw_score=True))

    def probabilities(self, columns: features.Columns) -> np.ndarray:
        slope, intercept = self.calibration
        return 1 / (1 + np.exp(-(slope * self.log_odds(columns) + intercept)))

    def reasons(
        self, columns: features.Columns, rows: Sequence[int] | None = None
    ) -> list[list[dict[str, Any]]]:
        """For each declaration, the features that raised its risk most: name, value and how much
        (SHAP contributions in log-odds, which LightGBM computes exactly for trees)."""
        data = features.matrix(columns, self.vocabulary)
        rows = list(range(len(data))) if rows is None else list(rows)
        if not rows:
            return []
        contributions = np.asarray(self.booster.predict(data[rows], pred_contrib=True))[:, :-1]
        explained = []
        for position, row in enumerate(rows):
            order = np.argsort(-contributions[position])[:REASONS]
            explained.append(
                [
                    {
                        "feature": features.FEATURES[index],
                        "value": features.shown_value(columns, features.FEATURES[index], row),
                        "weight": round(float(contributions[position][index]), 2),
                    }
                    for index in order
                    if contributions[position][index] > 0
                ]
            )
        return explained

    def dumps(self) -> str:
        return json.dumps(
            {
                "booster": self.booster.model_to_string(),
                "vocabulary": self.vocabulary,
                "calibration": self.calibration,
                "features": features.FEATURES,
            },
            ensure_ascii=False,
        )

    @classmethod
    def loads(cls, text: str) -> "TrainedModel":
        data = json.loads(text)
        if tuple(data["features"]) != features.FEATURES:
            raise TrainingError(_("The model was made by an older Kordon; train it again."))
        calibration = data["calibration"]
        return cls(
            lightgbm.Booster(model_str=data["booster"]), data["vocabulary"], (calibration[0], calibration[1])
        )


def parameters(rows: int, seed: int) -> dict[str, Any]:
    """LightGBM's settings; smaller trees for a small port's few hundred inspections, which 63
    leaves would learn by heart."""
    small = rows < 5000
    return {
        **PARAMETERS,
        "num_leaves": 15 if small else 63,
        "min_data_in_leaf": 40 if small else 20,
        "seed": seed,
        "num_threads": 0,
    }


def _fit(
    data: np.ndarray, hits: np.ndarray, seed: int, vocabulary: dict[str, dict[str, int]]
) -> lightgbm.Booster:
    dataset = lightgbm.Dataset(
        data,
        hits.astype(np.float64),
        feature_name=list(features.FEATURES),
        categorical_feature=[
            name for name in features.CATEGORICAL if len(vocabulary[name]) <= MOST_CATEGORIES
        ],
        free_raw_data=True,
    )
    return lightgbm.train(parameters(len(hits), seed), dataset, num_boost_round=ROUNDS)


def train(declarations: Sequence[Declaration], seed: int = 0) -> tuple[TrainedModel, dict[str, Any]]:
    """A model from declarations with known outcomes, and its figures on the newest fifth."""
    labelled = sorted((d for d in declarations if d.outcome), key=lambda d: d.declared_on)
    hits = np.array([d.outcome in HITS for d in labelled])
    if len(labelled) < 200 or hits.sum() < 20 or (~hits).sum() < 20:
        raise TrainingError(
            _(
                "A model needs at least 200 inspected declarations, at least 20 of them with a finding and 20 "
                "without; there are %(rows)s, %(hits)s with a finding. Record more inspections, or import past ones."
            )
            % {"rows": len(labelled), "hits": int(hits.sum())}
        )
    serious = np.array([d.outcome in SERIOUS for d in labelled])
    columns = features.columns_of(labelled)
    cut = int(len(labelled) * (1 - HELD_OUT))
    older = {name: values[:cut] for name, values in columns.items()}
    newer = {name: values[cut:] for name, values in columns.items()}
    vocabulary = features.vocabularies(older)
    first = _fit(features.matrix(older, vocabulary), hits[:cut], seed, vocabulary)
    scores = np.asarray(first.predict(features.matrix(newer, vocabulary), raw_score=True))
    figures: dict[str, Any] = dict(evaluation.figures(scores, hits[cut:], serious[cut:]))
    figures["held_out_from"] = labelled[cut].declared_on.isoformat()
    platt = LogisticRegression().fit(scores.reshape(-1, 1), hits[cut:])
    calibration = (float(platt.coef_[0][0]), float(platt.intercept_[0]))
    vocabulary = features.vocabularies(columns)
    kept = _fit(features.matrix(columns, vocabulary), hits, seed, vocabulary)
    return TrainedModel(kept, vocabulary, calibration), figures
