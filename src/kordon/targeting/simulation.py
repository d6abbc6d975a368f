"""Replaying history week by week to compare selection strategies, as an agency would live them:
only what was inspected gets a label, and each strategy learns from its own inspections.

The first weeks are the starting history, labelled in full (the agency's past inspections). Then,
week by week, each strategy picks `rate` of the week's declarations; the outcomes of its picks
become known to it, and its model is trained again on everything it has learnt so far. Strategies:

- rules: ASYCUDA-style risky-entity flags. An importer, declarant, shipper, HS code or country of
  origin whose hit rate in the strategy's own labels is in the top decile raises a flag; the most
  flags are inspected (ties broken at random).
- model: the risk model's top `rate`.
- model + random: the model's top, less a share (10 %) picked at random from the rest.

Each week records the hit rate of the picks, the same normalised by what a perfect pick could reach
(precision ÷ min(1, week's base rate ÷ rate)), and the share of the week's hits found.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from kordon.targeting import features, riskmodel
from kordon.targeting.declarations import Declaration
from kordon.targeting.models import HITS

STRATEGIES = ("rules", "model", "model+random")
FLAGGED_FIELDS = ("importer", "declarant", "shipper", "hs_code", "origin_country")


@dataclass
class Week:
    start: datetime.date
    declarations: int
    base_rate: float
    picked: dict[str, int] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)
    normalised: dict[str, float] = field(default_factory=dict)
    random_hit_rate: float | None = None


def weeks_of(declarations: Sequence[Declaration]) -> list[list[Declaration]]:
    """The declarations by ISO week (Monday first), in time order."""
    grouped: dict[datetime.date, list[Declaration]] = defaultdict(list)
    for declaration in sorted(declarations, key=lambda d: d.declared_on):
        day = declaration.declared_on
        grouped[day - datetime.timedelta(days=day.weekday())].append(declaration)
    return [grouped[start] for start in sorted(grouped)]


def flag_scores(
    labelled: Sequence[Declaration], week: Sequence[Declaration], rng: random.Random
) -> np.ndarray:
    """The rules strategy: how many risky-entity flags each declaration of the week raises."""
    scores = np.array([rng.random() * 0.5 for _ in week])  # ties between equal counts go at random
    overall = sum(d.outcome in HITS for d in labelled) / max(1, len(labelled))
    for name in FLAGGED_FIELDS:
        seen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for declaration in labelled:
            counts = seen[declaration.fields[name] or ""]
            counts[0] += 1
            counts[1] += declaration.outcome in HITS
        # Smoothed towards the overall rate, so that one lucky hit does not make an entity risky.
        rates = {value: (hits + 5 * overall) / (count + 5) for value, (count, hits) in seen.items() if value}
        if not rates:
            continue
        threshold = np.quantile(list(rates.values()), 0.9)
        scores += [rates.get(d.fields[name] or "", 0.0) > threshold for d in week]
    return scores


def _pick(
    scores: np.ndarray, count: int, random_share: float, rng: random.Random
) -> tuple[list[int], list[int]]:
    """(picked by score, picked at random) among the week's indexes."""
    randoms = round(count * random_share)
    order = list(np.argsort(-scores, kind="stable"))
    chosen = order[: count - randoms]
    rest = order[count - randoms :]
    return [int(i) for i in chosen], [int(i) for i in rng.sample(rest, min(randoms, len(rest)))]


def simulate(
    declarations: Sequence[Declaration],
    *,
    rate: float = 0.10,
    random_share: float = 0.10,
    warmup_weeks: int = 4,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> list[Week]:
    """Replay labelled declarations week by week for each strategy."""
    weeks = weeks_of([d for d in declarations if d.outcome])
    if len(weeks) <= warmup_weeks:
        raise riskmodel.TrainingError(
            _("The replay needs more than %(warmup)s weeks of inspected declarations; there are %(weeks)s.")
            % {"warmup": warmup_weeks, "weeks": len(weeks)}
        )
    start = [d for week in weeks[:warmup_weeks] for d in week]
    learnt = {strategy: list(start) for strategy in STRATEGIES}
    rng = random.Random(seed)  # noqa: S311 - a replay must be repeatable; nothing here is live
    results = []
    for week in weeks[warmup_weeks:]:
        hits = np.array([d.outcome in HITS for d in week])
        count = max(1, round(rate * len(week)))
        result = Week(
            week[0].declared_on - datetime.timedelta(days=week[0].declared_on.weekday()),
            len(week),
            float(hits.mean()),
        )
        oracle = min(1.0, result.base_rate / rate) if result.base_rate else 0.0
        columns = features.columns_of(week)
        for strategy in STRATEGIES:
            if strategy == "rules":
                chosen, randoms = _pick(flag_scores(learnt[strategy], week, rng), count, 0.0, rng)
            else:
                try:
                    model, _figures = riskmodel.train(learnt[strategy], seed)
                    scores = model.log_odds(columns)
                except riskmodel.TrainingError:  # too few hits learnt yet: pick at random
                    scores = np.array([rng.random() for _ in week])
                share = random_share if strategy == "model+random" else 0.0
                chosen, randoms = _pick(scores, count, share, rng)
                if randoms:
                    result.random_hit_rate = float(hits[randoms].mean())
            picked = chosen + randoms
            learnt[strategy].extend(week[i] for i in picked)
            found = int(hits[picked].sum())
            result.picked[strategy], result.hits[strategy] = len(picked), found
            result.recall[strategy] = found / hits.sum() if hits.sum() else 0.0
            result.normalised[strategy] = (found / len(picked)) / oracle if oracle else 0.0
        results.append(result)
        if progress:
            progress(
                f"{result.start}: "
                + ", ".join(f"{s} {result.hits[s]}/{result.picked[s]}" for s in STRATEGIES)
            )
    return results


def random_hit_rate(weeks: Sequence[Week]) -> float | None:
    """The random picks' mean hit rate: the unbiased estimate of how often any declaration is a hit."""
    rates = [week.random_hit_rate for week in weeks if week.random_hit_rate is not None]
    return float(np.mean(rates)) if rates else None


def summary(weeks: Sequence[Week]) -> dict[str, dict[str, float]]:
    """Per strategy: mean hit rate, mean normalised hit rate and the share of all hits found."""
    total_hits = sum(round(week.base_rate * week.declarations) for week in weeks)
    return {
        strategy: {
            "hit_rate": float(np.mean([week.hits[strategy] / week.picked[strategy] for week in weeks])),
            "normalised": float(np.mean([week.normalised[strategy] for week in weeks])),
            "hits_found": sum(week.hits[strategy] for week in weeks) / total_hits if total_hits else 0.0,
            "inspected": sum(week.picked[strategy] for week in weeks),
        }
        for strategy in STRATEGIES
    }
