"""Measures and dimensions over seizures, computed by the database over exactly the seizures the
user may count (seizures.selectors.seizures_to_count: what they may see, plus what
statistics-only agreements release as totals).

Two grains: a seizure (cases, persons arrested) and an item of a seizure (a substance with its
quantity). Kilograms add up only items with a kilogram conversion; items counted in other units
(tablets, litres without a density) are reported per unit of measure and never added to kg.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property, reduce
from typing import Any

from django.db.models import Case, CharField, Count, F, Func, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kordon.analytics import mirror
from kordon.analytics.periods import Period
from kordon.seizures.models import CommodityFamily, UnitOfMeasure
from kordon.seizures.selectors import SeizureFilters, followed_alert, seizures_to_count, substances_of


class AnalyticsError(ValueError):
    """A question the figures cannot answer as asked; the message says why and what to ask."""


class DateKey(Func):
    """A seizure date cut to a day, month, quarter or year, as sortable text ("2013-Q3").

    Written per database because Django's own date functions run as Python callbacks on SQLite,
    once per row: over a million seizures that alone took seconds."""

    output_field = CharField()
    FORMATS = {"day": "YYYY-MM-DD", "month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}

    def __init__(self, expression: Any, grain: str) -> None:
        super().__init__(expression)
        self.grain = grain

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        cut = {
            # Not the bare column, which Python's sqlite3 would hand back as a date.
            "day": f"substr({sql}, 1, 10)",
            "month": f"substr({sql}, 1, 7)",
            "year": f"substr({sql}, 1, 4)",
            "quarter": f"(substr({sql}, 1, 4) || '-Q' || ((CAST(substr({sql}, 6, 2) AS integer) + 2) / 3))",
        }[self.grain]
        return cut, list(params) * cut.count(sql)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql}, '{self.FORMATS[self.grain]}')", list(params)


@dataclass(frozen=True)
class Dimension:
    name: str
    label: Promise
    # The value, as an expression on a seizure (items__…: on the item the row counts).
    value: Callable[[], Any]
    item_level: bool = False  # depends on the item, not only on the seizure
    # The seizure-list filter that selects one value of this dimension (for links to the records).
    list_filter: str | None = None


def _path(name: str) -> Callable[[], Any]:
    return lambda: F(name)


def _date(grain: str) -> Callable[[], Any]:
    return lambda: DateKey(F("occurred_on"), grain)


DIMENSIONS: dict[str, Dimension] = {
    dimension.name: dimension
    for dimension in [
        Dimension("year", gettext_lazy("year"), _date("year")),
        Dimension("quarter", gettext_lazy("quarter"), _date("quarter")),
        Dimension("month", gettext_lazy("month"), _date("month")),
        Dimension("day", gettext_lazy("day"), _date("day")),
        Dimension("country", gettext_lazy("country"), _path("country_id"), list_filter="country"),
        Dimension("agency", gettext_lazy("agency"), _path("owner_agency_id"), list_filter="agency"),
        Dimension("unit", gettext_lazy("unit"), _path("owner_unit_id"), list_filter="unit"),
        Dimension("place", gettext_lazy("place"), _path("place_id"), list_filter="place"),
        Dimension(
            "substance_group",
            gettext_lazy("drug group"),
            _path("items__substance__group"),
            item_level=True,
            list_filter="substance_group",
        ),
        Dimension(
            "commodity_family",
            gettext_lazy("commodity family"),
            _path("items__substance__family"),
            item_level=True,
            list_filter="family",
        ),
        Dimension(
            "substance",
            gettext_lazy("substance"),
            _path("items__substance_id"),
            item_level=True,
            list_filter="substance",
        ),
        Dimension(
            "detection_method",
            gettext_lazy("detection method"),
            _path("detection_method"),
            list_filter="detection_method",
        ),
        Dimension(
            "transport_mode", gettext_lazy("transport"), _path("transport_mode"), list_filter="transport_mode"
        ),
        Dimension(
            "concealment", gettext_lazy("concealment"), _path("concealment"), list_filter="concealment"
        ),
        Dimension(
            "origin_country",
            gettext_lazy("country of origin"),
            _path("origin_country_id"),
            list_filter="origin_country",
        ),
        Dimension("transit_countries", gettext_lazy("transit countries"), _path("transit_countries")),
        Dimension(
            "destination_country",
            gettext_lazy("country of destination"),
            _path("destination_country_id"),
            list_filter="destination_country",
        ),
        Dimension(
            "followed_alert",
            gettext_lazy("after a shared alert"),
            followed_alert,
            list_filter="followed_alert",
        ),
    ]
}


@dataclass(frozen=True)
class Measure:
    name: str
    label: Promise
    item_level: bool
    # The aggregate at the seizure grain and at the item grain (None: not at that grain).
    on_seizures: Callable[[], Any] | None
    on_items: Callable[[], Any] | None
    unit_of_measure: bool = False  # reported per unit of measure, never summed across them
    # The items the measure is about (kilograms: those with a conversion; counted units: the others),
    # so that a drug seized only in tablets does not show as "0 kg".
    items: Q = field(default_factory=Q)
    nothing: Any = 0  # the total over no seizure
    distinct_on_items: bool = False  # counted once per seizure at the item grain: rows do not add up
    # The measure's value for one seizure in the analytics mirror, which keeps it with the seizure
    # (NULL for a seizure without such items), for filters on what was seized (None: not kept for
    # them); summed, it answers a question at the seizure grain without joining the items there.
    per_seizure_in_mirror: Callable[[SeizureFilters], Any] | None = None


def _kilograms_in_mirror(filters: SeizureFilters) -> Any:
    """A seizure's kilograms in the mirror: of every item, or of its drugs when the filters ask
    for drugs and nothing narrower (the headline, as UNODC counts)."""
    if not filters.by_commodity:
        return mirror.kilograms()
    if filters.family == CommodityFamily.DRUGS and not (filters.substance or filters.substance_group):
        return mirror.drug_kilograms()
    return None


MEASURES: dict[str, Measure] = {
    measure.name: measure
    for measure in [
        Measure(
            "cases",
            gettext_lazy("seizure cases"),
            item_level=False,
            on_seizures=lambda: Count("id"),
            on_items=lambda: Count("id", distinct=True),
            distinct_on_items=True,
        ),
        Measure(
            "items",
            gettext_lazy("items seized"),
            item_level=True,
            on_seizures=None,
            on_items=lambda: Count("items__id"),
        ),
        Measure(
            "kilograms",
            gettext_lazy("kilograms"),
            item_level=True,
            on_seizures=None,
            on_items=lambda: Coalesce(Sum("items__quantity_kg"), Decimal(0)),
            items=Q(items__quantity_kg__isnull=False),
            nothing=Decimal(0),
            per_seizure_in_mirror=_kilograms_in_mirror,
        ),
        Measure(
            "counted_units",
            gettext_lazy("quantities without a kilogram conversion"),
            item_level=True,
            on_seizures=None,
            on_items=lambda: Coalesce(Sum("items__quantity"), Decimal(0)),
            unit_of_measure=True,
            # "quantity not null" makes the join an inner one: the items without a conversion are
            # few, and the database and the mirror then start from them instead of every seizure.
            # Amounts of money are left out: dollars and soms must not be added up.
            # (Named as the units that are not money: a negated condition on an item is a subquery
            # per item, which tripled the time of this figure.)
            items=Q(
                items__quantity_kg__isnull=True,
                items__quantity__isnull=False,
                items__unit__in=[unit for unit in UnitOfMeasure.values if unit != UnitOfMeasure.AMOUNT],
            ),
        ),
        Measure(
            "persons_arrested",
            gettext_lazy("persons arrested"),
            item_level=False,
            on_seizures=lambda: Coalesce(Sum("persons_arrested"), 0),
            on_items=None,
        ),
    ]
}


@dataclass(frozen=True)
class Question:
    """What an analyst asks: a measure, split by dimensions, over filtered seizures in a period."""

    measure: str
    group_by: tuple[str, ...] = ()
    filters: SeizureFilters = field(default_factory=SeizureFilters)
    period: Period | None = None

    def checked(self) -> "Question":
        if self.measure not in MEASURES:
            raise AnalyticsError(
                _("Unknown measure %(name)r. Measures: %(names)s.")
                % {"name": self.measure, "names": ", ".join(MEASURES)}
            )
        unknown = [name for name in self.group_by if name not in DIMENSIONS]
        if unknown:
            raise AnalyticsError(
                _("Unknown dimension %(name)r. Dimensions: %(names)s.")
                % {"name": unknown[0], "names": ", ".join(DIMENSIONS)}
            )
        if len(set(self.group_by)) != len(self.group_by):
            raise AnalyticsError(_("Each dimension can be used once."))
        if len(self.group_by) > 3:
            raise AnalyticsError(_("Split the figures by at most three dimensions at a time."))
        item_level = self.item_level
        if item_level and MEASURES[self.measure].on_items is None:
            raise AnalyticsError(
                _(
                    "Persons arrested cannot be split by substance: a seizure of two substances would "
                    "count its arrests twice. Split by drug group in the number of cases instead."
                )
            )
        return self

    @property
    def item_level(self) -> bool:
        return MEASURES[self.measure].item_level or any(DIMENSIONS[name].item_level for name in self.group_by)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The dimensions of the answer: those asked for, plus the unit of measure where needed."""
        return (
            (*self.group_by, "unit_of_measure") if MEASURES[self.measure].unit_of_measure else self.group_by
        )


def _seizures(user: Any, question: Question, *, in_mirror: bool = False) -> QuerySet[Any]:
    filters = question.filters
    if question.period is not None:
        start, end = question.period.start, question.period.end
        if filters.date_from and filters.date_from > start:
            start = filters.date_from
        if filters.date_to and filters.date_to < end:
            end = filters.date_to
        filters = replace(filters, date_from=start, date_to=end)
    if question.item_level:
        # At the item grain the drug is a condition on the items counted (see _aggregate), which
        # also keeps out seizures without such an item: no need to ask it of the seizures too.
        filters = replace(filters, substance=None, substance_group=None, family=None)
    elif in_mirror and filters.by_commodity:
        # The mirror's seizures list their substances: no need to look through the items.
        drugs = substances_of(filters)
        filters = replace(filters, substance=None, substance_group=None, family=None)
        return seizures_to_count(user=user, filters=filters).filter(mirror.with_substances(drugs))
    return seizures_to_count(user=user, filters=filters)


def _aggregate(
    user: Any,
    question: Question,
    dimensions: tuple[str, ...],
    periods: tuple[Period, ...] = (),
    *,
    with_cases: bool = False,
) -> list[dict[str, Any]]:
    """The measure per combination of `dimensions`, as rows {"key_<dimension>": …, "value": …};
    with `periods` (which must not overlap), only in them and per period ("key_period": its index).
    `with_cases`: the number of cases too ("cases"), in the same count, for a measure that adds up
    over items (kilograms); every key with a case then has a row, 0 where the measure has none.

    Counted from the seizures, joined to their items at the item grain: one join, which both the
    database and the mirror run much faster than a subquery of the seizures for the items."""
    measure = MEASURES[question.measure]
    keys: dict[str, Any] = {
        name: DIMENSIONS[name].value() for name in dimensions if name != "unit_of_measure"
    }
    if "unit_of_measure" in dimensions:
        keys["unit_of_measure"] = F("items__unit")
    within = Q()
    if periods:
        spans = [Q(occurred_on__gte=period.start, occurred_on__lte=period.end) for period in periods]
        keys["period"] = Case(
            *(When(span, then=index) for index, span in enumerate(spans)), output_field=IntegerField()
        )
        within = reduce(operator.or_, spans)
    aggregate = measure.on_items if question.item_level else measure.on_seizures
    assert aggregate is not None  # Question.checked refuses the other case
    # Aliases of their own: a dimension named like a model field ("country") must not clash with it.
    # With no dimension, one constant key: the total is then a row like the others.
    aliased = {f"key_{name}": expression for name, expression in keys.items()} or {
        "key_": Value(1, IntegerField())
    }
    # The conditions on items in one filter(), so that they hold for the same item: the one whose
    # join the measure and the item dimensions then reuse.
    # The cases are counted over every item; the measure's sum leaves out those it has no value for.
    items = Q() if with_cases else measure.items
    if question.filters.by_commodity:
        items &= Q(items__substance_id__in=substances_of(question.filters))

    # Split only by what a seizure has, for every drug (or for drugs as a whole): in the mirror,
    # the measure of each seizure where it keeps one, instead of a join to the items. The same
    # seizures and sums.
    own = measure.per_seizure_in_mirror
    seizure_grain = not any(name == "unit_of_measure" or DIMENSIONS[name].item_level for name in dimensions)
    if with_cases and question.filters.by_commodity:
        # A seizure's kilograms of drugs do not say whether it has drugs (seized in tablets, it
        # has none): its cases are found through its items.
        own = None

    def figures(part: mirror.Part) -> QuerySet[Any]:
        """The aggregate over the seizures of `part` (see mirror.counted)."""
        seizures = _seizures(user, question, in_mirror=part.in_mirror).filter(part.seizures, within)
        value = own(question.filters) if part.in_mirror and own and seizure_grain else None
        if value is not None:
            seizures = seizures.alias(own=value)
            if not with_cases:
                seizures = seizures.filter(own__isnull=False)
            cases = {"cases": Count("id")} if with_cases else {}
            return (
                seizures.annotate(**aliased)
                .values(*aliased)
                .annotate(value=Coalesce(Sum(value), measure.nothing), **cases)
                .order_by()
            )
        if question.item_level and items:
            seizures = seizures.filter(items)
        # Joined to items, a seizure of two is counted once.
        cases = {"cases": Count("id", distinct=question.item_level)} if with_cases else {}
        return seizures.annotate(**aliased).values(*aliased).annotate(value=aggregate(), **cases).order_by()

    # Searching the free text is done in the database: the mirror does not copy the text.
    return mirror.counted(figures, user=user, mirrored=not question.filters.q)


class Answer:
    """The rows of a question (one per combination of dimension values: {dimension: key, "value":
    ...}) and its total, over the whole question: a seizure of two drugs is one case, not two."""

    def __init__(self, user: Any, question: Question, rows: list[dict[str, Any]]) -> None:
        self.user = user
        self.question = question
        self.rows = rows

    @cached_property
    def total(self) -> Any:
        measure = MEASURES[self.question.measure]
        if measure.unit_of_measure:
            totals: dict[str, Any] = {}
            for row in self.rows:  # always split by the unit of measure (Question.dimensions)
                totals[row["unit_of_measure"]] = totals.get(row["unit_of_measure"], 0) + row["value"]
            return totals
        if self.question.group_by and not (self.question.item_level and measure.distinct_on_items):
            # Every seizure (or item) is in exactly one row, so the rows add up to the total.
            return sum((row["value"] for row in self.rows), measure.nothing)
        # No row at all when the user may count nothing (the query is known empty before it runs).
        rows = _aggregate(self.user, self.question, ())
        return next((row["value"] for row in rows), measure.nothing)


def totals_in_periods(*, user: Any, question: Question, periods: tuple[Period, Period]) -> list[Any]:
    """The question's total in each of two periods (its own period and dimensions are ignored),
    counted in one go when the periods do not overlap."""
    first, second = sorted(periods, key=lambda period: period.start)
    if first.end >= second.start:
        return [
            summary(user=user, question=replace(question, group_by=(), period=period)).total
            for period in periods
        ]
    question = replace(question, group_by=(), period=Period(first.start, second.end)).checked()
    measure = MEASURES[question.measure]
    found = {row["key_period"]: row["value"] for row in _aggregate(user, question, (), periods)}
    return [found.get(index, measure.nothing) for index in range(len(periods))]


def _keyed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of `_aggregate` with the dimensions' names as keys."""
    return [{name.removeprefix("key_"): value for name, value in row.items()} for row in rows]


def with_cases(*, user: Any, question: Question) -> list[dict[str, Any]]:
    """The question's measure (one that adds up over items, such as kilograms) and its number of
    cases per combination of its dimensions, counted together: rows {dimension: key, "value": …,
    "cases": …}, with a row for every key that has a case (0 where the measure has none)."""
    question = question.checked()
    assert not MEASURES[question.measure].unit_of_measure and MEASURES[question.measure].item_level
    return _keyed(_aggregate(user, question, question.dimensions, with_cases=True))


def summary(*, user: Any, question: Question) -> Answer:
    """The measure split by the dimensions; the total is counted when it is first asked for."""
    question = question.checked()
    return Answer(
        user, question, _keyed(_aggregate(user, question, question.dimensions)) if question.dimensions else []
    )
