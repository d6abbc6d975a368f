"""The same measure in two periods: the change, in figures and in a sentence for the bulletin."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kordon.analytics.cube import MEASURES, AnalyticsError, Question, totals_in_periods
from kordon.analytics.periods import Period
from kordon.seizures.models import Substance, SubstanceGroup


@dataclass
class Comparison:
    question: Question
    before: Period
    after: Period
    value_before: Decimal
    value_after: Decimal

    @property
    def change(self) -> Decimal:
        return self.value_after - self.value_before

    @property
    def change_percent(self) -> Decimal | None:
        """Rounded to a whole percent; None when there was nothing before to compare with."""
        if not self.value_before:
            return None
        return (self.change * 100 / self.value_before).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    @property
    def sentence(self) -> str:
        """ "Heroin seizures rose from 115 kg in January–September 2012 to 171 kg in
        January–September 2013, +49%." in the active language."""
        values = {
            "subject": capfirst(_subject(self.question)),
            "before": _amount(self.question.measure, self.value_before),
            "after": _amount(self.question.measure, self.value_after),
            "period_before": self.before.inside_sentence,
            "period_after": self.after.inside_sentence,
            "percent": _percent(self.change_percent),
        }
        if self.change > 0:
            return _("%(subject)s rose from %(before)s in %(period_before)s to %(after)s in %(period_after)s, %(percent)s.") % values  # fmt: skip
        if self.change < 0:
            return _("%(subject)s fell from %(before)s in %(period_before)s to %(after)s in %(period_after)s, %(percent)s.") % values  # fmt: skip
        return _("%(subject)s stayed at %(after)s in %(period_after)s, as in %(period_before)s.") % values


def _percent(percent: Decimal | None) -> str:
    if percent is None:
        return _("none the year before")
    return _("%(signed)s%%") % {"signed": f"{'+' if percent > 0 else ''}{number_format(percent)}"}


def _amount(measure: str, value: Decimal) -> str:
    # Kilograms to one decimal, without a trailing ",0": "115 kg", "3,5 кг".
    shown = value.quantize(Decimal("0.1")) if measure == "kilograms" else value
    places = 1 if shown != shown.to_integral_value() else 0
    number = number_format(shown, decimal_pos=places, force_grouping=True)
    count = int(value)
    if measure == "kilograms":
        return _("%(number)s kg") % {"number": number}
    if measure == "cases":
        return ngettext("%(number)s case", "%(number)s cases", count) % {"number": number}
    if measure == "items":
        return ngettext("%(number)s item", "%(number)s items", count) % {"number": number}
    return ngettext("%(number)s person arrested", "%(number)s persons arrested", count) % {"number": number}


def _subject(question: Question) -> str:
    filters = question.filters
    if filters.substance:
        name = Substance.objects.filter(pk=filters.substance).first()
        return _("%(name)s seizures") % {"name": name.label if name else "?"}
    if filters.substance_group:
        return _("Seizures of %(group)s") % {"group": SubstanceGroup(filters.substance_group).label}
    return _("Seizures")


def compare(*, user: Any, question: Question, before: Period, after: Period) -> Comparison:
    """The question's total in two periods (the question's own period is ignored)."""
    if MEASURES.get(question.measure) and MEASURES[question.measure].unit_of_measure:
        raise AnalyticsError(
            _("Compare quantities without a kilogram conversion by unit: they do not add up.")
        )
    totals = [
        Decimal(total or 0)
        for total in totals_in_periods(user=user, question=question, periods=(before, after))
    ]
    return Comparison(question, before, after, totals[0], totals[1])
