"""REST API of the analytics: figures over the seizures you may count, split and compared."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from kordon.analytics.compare import compare
from kordon.analytics.cube import DIMENSIONS, MEASURES, AnalyticsError, Question, summary
from kordon.analytics.labels import Labeller
from kordon.analytics.periods import Period, PeriodError
from kordon.seizures.schemas import SeizureFilterQuery

router = Router(tags=["analytics"])

MeasureName = Literal["cases", "items", "kilograms", "counted_units", "persons_arrested"]
PeriodText = Annotated[
    str,
    Field(
        max_length=40,
        pattern=r"^[0-9QqHh.\-]+$",
        description="2013, 2013-H1, 2013-Q3, 2013-07 or 2013-01..2013-09",
    ),
]


class SummaryQuery(SeizureFilterQuery):
    measure: MeasureName = "cases"
    group_by: Annotated[
        str,
        Field(
            max_length=200,
            pattern=r"^[a-z_,]*$",
            description="Dimensions separated by commas (at most three): " + ", ".join(DIMENSIONS),
        ),
    ] = ""
    period: PeriodText | None = None


class CompareQuery(SeizureFilterQuery):
    measure: MeasureName = "kilograms"
    before: PeriodText = Field(description="The earlier period, e.g. 2012-01..2012-09.")
    after: PeriodText | None = Field(
        default=None, description="The later period; by default `before` a year later."
    )


class KeyOut(Schema):
    key: Any
    label: str


class SummaryRow(Schema):
    keys: dict[str, KeyOut]
    value: float


class SummaryOut(Schema):
    measure: str
    measure_label: str
    group_by: list[str]
    period: str | None
    period_label: str | None
    total: float | dict[str, float]
    rows: list[SummaryRow]


class PeriodValue(Schema):
    period: str
    label: str
    value: float


class CompareOut(Schema):
    measure: str
    before: PeriodValue
    after: PeriodValue
    change: float
    change_percent: float | None
    sentence: str


def _period(text: str | None) -> Period | None:
    try:
        return Period.parse(text) if text else None
    except PeriodError as error:
        raise HttpError(422, str(error)) from None


def _number(value: Any) -> float:
    return float(value or 0)


@router.get("/analytics/summary", response=SummaryOut)
def analytics_summary(request: HttpRequest, query: Query[SummaryQuery]) -> Any:
    """A measure split by up to three dimensions, with its total, over the seizures you may count:
    those you may see, plus those that statistics-only agreements release as totals. Filters are
    the seizure list's; `period` narrows the dates further (2013, 2013-Q3, 2013-01..2013-09)."""
    period = _period(query.period)
    question = Question(
        measure=query.measure,
        group_by=tuple(name for name in query.group_by.split(",") if name),
        filters=query.to_filters(),
        period=period,
    )
    try:
        answer = summary(user=request.user, question=question)
    except AnalyticsError as error:
        raise HttpError(422, str(error)) from None
    names = Labeller()
    total = answer.total
    return {
        "measure": question.measure,
        "measure_label": str(MEASURES[question.measure].label),
        "group_by": list(question.dimensions),
        "period": period.code if period else None,
        "period_label": period.label if period else None,
        "total": {unit: _number(value) for unit, value in total.items()}
        if isinstance(total, dict)
        else _number(total),
        "rows": [
            {
                "keys": {
                    name: {"key": row[name], "label": names.label(name, row[name])}
                    for name in question.dimensions
                },
                "value": _number(row["value"]),
            }
            for row in answer.rows
        ],
    }


@router.get("/analytics/compare", response=CompareOut)
def analytics_compare(request: HttpRequest, query: Query[CompareQuery]) -> Any:
    """A measure's total in two periods, the change in figures and percent, and a sentence for a
    report ("Heroin seizures rose from 115 kg in January–September 2012 to …")."""
    before = _period(query.before)
    assert before is not None
    after = _period(query.after) or before.year_after()
    try:
        comparison = compare(
            user=request.user,
            question=Question(measure=query.measure, filters=query.to_filters()),
            before=before,
            after=after,
        )
    except AnalyticsError as error:
        raise HttpError(422, str(error)) from None
    percent = comparison.change_percent
    return {
        "measure": query.measure,
        "before": {"period": before.code, "label": before.label, "value": _number(comparison.value_before)},
        "after": {"period": after.code, "label": after.label, "value": _number(comparison.value_after)},
        "change": _number(comparison.change),
        "change_percent": float(percent) if percent is not None else None,
        "sentence": comparison.sentence,
    }
