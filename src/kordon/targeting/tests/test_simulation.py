"""The weekly replay: each strategy inspects exactly its share, learns only from its own picks,
and the model, learning from inspections alone, finds more than chance."""

import numpy as np
import pytest

from kordon.targeting import simulation
from kordon.targeting.demo import generated
from kordon.targeting.models import HITS


def test_the_replay_keeps_to_the_budget_and_learns_from_its_own_picks() -> None:
    declarations = list(generated(seed=21, days=120, per_day=60))
    weeks = simulation.simulate(declarations, rate=0.10, random_share=0.2, warmup_weeks=4, seed=3)
    assert len(weeks) == len(simulation.weeks_of(declarations)) - 4
    for week in weeks:
        for strategy in simulation.STRATEGIES:
            assert week.picked[strategy] == round(0.10 * week.declarations)
            assert 0 <= week.hits[strategy] <= week.picked[strategy]
    figures = simulation.summary(weeks)
    base = float(np.mean([d.outcome in HITS for d in declarations]))
    assert figures["model"]["hit_rate"] > 1.3 * base
    assert figures["model+random"]["hit_rate"] > base
    # The random picks estimate the base rate without the model's bias.
    estimate = simulation.random_hit_rate(weeks)
    assert estimate is not None and abs(estimate - base) < 0.08


def test_too_short_a_history_is_refused() -> None:
    declarations = list(generated(seed=1, days=20, per_day=10))
    with pytest.raises(ValueError, match="more than 4 weeks"):
        simulation.simulate(declarations, warmup_weeks=4)
