"""The risk model: it learns planted risk from earlier declarations and ranks later ones above
chance; its features never read an outcome; a stored model scores exactly as the trained one."""

import datetime
from dataclasses import replace

import numpy as np
import pytest

from kordon.targeting import evaluation, features, riskmodel
from kordon.targeting.demo import generated
from kordon.targeting.models import HITS


def test_the_model_finds_planted_risk_in_later_declarations() -> None:
    declarations = list(generated(seed=5, days=200, per_day=30))
    cut = datetime.date(2013, 1, 2) + datetime.timedelta(days=150)
    older = [d for d in declarations if d.declared_on < cut]
    newer = [d for d in declarations if d.declared_on >= cut]
    model, figures = riskmodel.train(older, seed=1)
    assert figures["rows"] == round(len(older) * riskmodel.HELD_OUT)
    scores = model.probabilities(features.columns_of(newer))
    hits = np.array([d.outcome in HITS for d in newer])
    measured = evaluation.figures(scores, hits)
    assert measured["auc"] > 0.6  # the planted "new importer" risk is the profiles' to see, not the model's
    assert measured["precision@10"] > 1.5 * hits.mean()
    # Calibrated: the mean probability is near the hit rate, not the trees' raw output.
    assert abs(scores.mean() - hits.mean()) < 0.06


def test_features_never_read_an_outcome() -> None:
    """Label statistics computed in-sample (the KCS trap) would change a row's features when
    outcomes change; ours must not."""
    declarations = list(generated(seed=2, days=20, per_day=20))
    flipped = [replace(d, outcome="nothing" if d.outcome in HITS else "seizure") for d in declarations]
    columns, flipped_columns = features.columns_of(declarations), features.columns_of(flipped)
    vocabulary = features.vocabularies(columns)
    assert np.array_equal(
        features.matrix(columns, vocabulary), features.matrix(flipped_columns, vocabulary), equal_nan=True
    )


def test_a_stored_model_scores_and_explains_like_the_trained_one() -> None:
    declarations = list(generated(seed=3, days=60, per_day=20))
    model, _figures = riskmodel.train(declarations, seed=0)
    again = riskmodel.TrainedModel.loads(model.dumps())
    columns = features.columns_of(declarations[:50])
    assert np.allclose(model.probabilities(columns), again.probabilities(columns))
    reasons = again.reasons(columns, [0, 1])
    assert all(
        reason["weight"] > 0 and reason["feature"] in features.FEATURES for row in reasons for reason in row
    )


def test_too_little_history_is_refused_with_advice() -> None:
    declarations = list(generated(seed=3, days=3, per_day=20))
    with pytest.raises(riskmodel.TrainingError, match="at least 200 inspected declarations"):
        riskmodel.train(declarations)


def test_precision_takes_exactly_the_top_share() -> None:
    scores = np.array([0.9, 0.9, 0.9, 0.1] * 25)
    hits = np.array([1, 0, 0, 0] * 25)
    measured = evaluation.figures(scores, hits)
    assert measured["precision@10"] == 0.4  # 10 rows taken even though 75 tie at the top
