"""How an audit is scored (docs/prisons.md says the same for the people who read the scores).

- Each standard answered: compliant 1, partly compliant 0.5, not compliant 0; "not applicable"
  and standards not asked (their `relevant` is false) leave the sums.
- Weights by criticality: critical 3, major 2, minor 1.
- A section's score is Σ(weight × score) ÷ Σ(weight) × 100 over its applicable standards; the
  overall score is the mean of the sections that have any, so each component of prison security
  counts the same however many standards it has.
- Rating: red when any critical standard is not compliant ("critical fail", whatever the
  percentage) or the overall score is below 60; amber below 85; green otherwise.
- Gaps: every applicable standard below compliant, the most critical first.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kordon.prisons.models import Compliance, Component, Criticality, Rating

ANSWER_SCORE: dict[str, float] = {Compliance.YES: 1.0, Compliance.PARTIAL: 0.5, Compliance.NO: 0.0}
WEIGHT = {Criticality.CRITICAL: 3, Criticality.MAJOR: 2, Criticality.MINOR: 1}
GREEN_FROM = 85.0
AMBER_FROM = 60.0


@dataclass(frozen=True)
class Standard:
    """What scoring needs of a framework item."""

    name: str
    component: str
    criticality: str


@dataclass(frozen=True)
class Gap:
    name: str
    component: str
    criticality: str
    answer: str


def score(standards: Iterable[Standard], answers: Mapping[str, str]) -> dict[str, Any]:
    """The scores of an audit: `answers` maps a standard's name to its compliance answer; a
    standard without one counts as not asked."""
    weighted: dict[str, float] = {}
    weights: dict[str, int] = {}
    critical_fail = False
    applicable = 0
    for standard in standards:
        answer = answers.get(standard.name, "")
        if answer not in ANSWER_SCORE:
            continue
        weight = WEIGHT[Criticality(standard.criticality)]
        weighted[standard.component] = weighted.get(standard.component, 0.0) + weight * ANSWER_SCORE[answer]
        weights[standard.component] = weights.get(standard.component, 0) + weight
        applicable += 1
        critical_fail |= standard.criticality == Criticality.CRITICAL and answer == Compliance.NO
    components = {
        component: round(100 * weighted[component] / weights[component], 1)
        for component in Component.values
        if weights.get(component)
    }
    overall = round(sum(components.values()) / len(components), 1) if components else None
    return {
        "components": components,
        "overall": overall,
        "critical_fail": critical_fail,
        "rating": rating(overall, critical_fail),
        "applicable": applicable,
    }


def rating(overall: float | None, critical_fail: bool) -> str:
    if overall is None:
        return ""
    if critical_fail or overall < AMBER_FROM:
        return Rating.RED
    return Rating.AMBER if overall < GREEN_FROM else Rating.GREEN


CRITICALITY_ORDER = {Criticality.CRITICAL: 0, Criticality.MAJOR: 1, Criticality.MINOR: 2}
ANSWER_ORDER = {Compliance.NO: 0, Compliance.PARTIAL: 1}


def gaps(standards: Iterable[Standard], answers: Mapping[str, str]) -> list[Gap]:
    """Standards answered below compliant: critical ones first, then not compliant before partly."""
    found = [
        Gap(standard.name, standard.component, standard.criticality, answers[standard.name])
        for standard in standards
        if answers.get(standard.name) in ANSWER_ORDER
    ]
    return sorted(
        found,
        key=lambda gap: (
            CRITICALITY_ORDER[Criticality(gap.criticality)],
            ANSWER_ORDER[Compliance(gap.answer)],
        ),
    )
