"""Figures the dashboard and the bulletin both show, computed one way for both: the headline's
kilograms, cases and kilograms side by side per key of a dimension, per month, and the share after
shared alerts."""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from kordon.analytics.cube import Question, summary, with_cases
from kordon.analytics.periods import Period
from kordon.seizures.models import CommodityFamily


def headline_kilograms(question: Question) -> Question:
    """`question` for the headline's kilograms: drugs only, as UNODC counts them, unless its
    filters already name a commodity family, drug group or substance. A tonne of precursor
    chemicals or of tobacco must not be added to a year's heroin."""
    filters = question.filters
    if filters.family or filters.substance_group or filters.substance:
        return question
    return replace(question, filters=replace(filters, family=CommodityFamily.DRUGS.value))


def kilograms_beside_drugs(*, user: Any, question: Question) -> list[tuple[str, Decimal]]:
    """Kilograms of the other commodity families (family code, kg), largest first: what the
    headline leaves out when it counts drugs only. Empty when the filters name a family, group or
    substance (the headline then counts exactly those)."""
    if headline_kilograms(question) is question:
        return []
    rows = summary(
        user=user, question=replace(question, measure="kilograms", group_by=("commodity_family",))
    ).rows
    beside = [
        (row["commodity_family"], row["value"])
        for row in rows
        if row["commodity_family"] != CommodityFamily.DRUGS and row["value"]
    ]
    return sorted(beside, key=lambda row: -row[1])


@dataclass
class KeyFigures:
    key: Any
    cases: Any
    kilograms: Decimal


def cases_and_kilograms(*, user: Any, question: Question, dimension: str) -> list[KeyFigures]:
    """Per key of `dimension`, largest in kilograms first (then in cases). A key seized only in
    units without a kilogram conversion shows 0 kg."""
    rows = with_cases(user=user, question=replace(question, measure="kilograms", group_by=(dimension,)))
    figures = [KeyFigures(row[dimension], row["cases"], row["value"]) for row in rows]
    return sorted(figures, key=lambda row: (-row.kilograms, -row.cases))


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
