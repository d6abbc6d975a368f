"""Figures the dashboard and the bulletin both show, computed one way for both: cases and
kilograms side by side per key of a dimension, per month, and the share after shared alerts."""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from kordon.analytics.cube import Question, summary
from kordon.analytics.periods import Period


@dataclass
class KeyFigures:
    key: Any
    cases: Any
    kilograms: Decimal


def cases_and_kilograms(*, user: Any, question: Question, dimension: str) -> list[KeyFigures]:
    """Per key of `dimension`, largest in kilograms first (then in cases). A key seized only in
    units without a kilogram conversion shows 0 kg."""
    kilograms = {
        row[dimension]: row["value"]
        for row in summary(
            user=user, question=replace(question, measure="kilograms", group_by=(dimension,))
        ).rows
    }
    cases = summary(user=user, question=replace(question, measure="cases", group_by=(dimension,))).rows
    rows = [
        KeyFigures(row[dimension], row["value"], kilograms.get(row[dimension], Decimal(0))) for row in cases
    ]
    return sorted(rows, key=lambda row: (-row.kilograms, -row.cases))


def by_month(*, user: Any, question: Question) -> list[tuple[Period, Any, Decimal]]:
    """(month, cases, kilograms) in order of time."""
    rows = cases_and_kilograms(user=user, question=question, dimension="month")
    return sorted(
        ((Period.parse(row.key), row.cases, row.kilograms) for row in rows), key=lambda row: row[0].start
    )


@dataclass
class AlertShare:
    after_alert: Any
    total: Any

    @property
    def percent(self) -> int | None:
        return round(self.after_alert * 100 / self.total) if self.total else None


def after_alerts(*, user: Any, question: Question) -> AlertShare:
    """How much of `question`'s measure followed shared alerts."""
    answer = summary(user=user, question=replace(question, group_by=("followed_alert",)))
    return AlertShare(
        sum((row["value"] for row in answer.rows if row["followed_alert"]), Decimal(0)), answer.total
    )
