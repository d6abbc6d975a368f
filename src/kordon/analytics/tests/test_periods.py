"""Periods as analysts write and say them."""

import datetime

import pytest
from django.utils import translation

from kordon.analytics.periods import Period, PeriodError

D = datetime.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2013", D(2013, 1, 1), D(2013, 12, 31)),
        ("2013-h2", D(2013, 7, 1), D(2013, 12, 31)),
        ("2013-Q1", D(2013, 1, 1), D(2013, 3, 31)),
        ("2012-02", D(2012, 2, 1), D(2012, 2, 29)),
        ("2013-01..2013-09", D(2013, 1, 1), D(2013, 9, 30)),
        ("2013-01-15..2013-02-14", D(2013, 1, 15), D(2013, 2, 14)),
    ],
)
def test_written_periods_are_read_and_written_back(
    text: str, start: datetime.date, end: datetime.date
) -> None:
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert Period.parse(period.code) == period


@pytest.mark.parametrize("text", ["13", "2013-Q5", "2013-13", "2013-09..2013-01", "last year", ""])
def test_unreadable_periods_say_which_forms_are_read(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_the_year_before_keeps_whole_months() -> None:
    assert Period.parse("2013-02").year_before() == Period.parse("2012-02")  # 29 days in 2012
    assert Period.parse("2013-01..2013-09").year_before().code == "2012-01..2012-09"
    assert Period.parse("2012-02-29..2012-03-10").year_before() == Period(D(2011, 2, 28), D(2011, 3, 10))
    assert Period.parse("2012-Q3").year_after().code == "2013-Q3"


def test_labels_in_english_and_russian() -> None:
    with translation.override("en"):
        assert Period.parse("2013-01..2013-09").label == "January–September 2013"
        assert Period.parse("2013-Q3").label == "Q3 2013"
    with translation.override("ru"):
        assert Period.parse("2013-01..2013-09").label == "Январь–сентябрь 2013 г."
        assert Period.parse("2013-01..2013-09").inside_sentence == "январь–сентябрь 2013 г."
        assert Period.parse("2013-Q3").label == "3-й квартал 2013 г."


def test_a_period_lists_the_months_it_touches() -> None:
    months = Period.parse("2012-11-15..2013-02-03").months()
    assert [month.code for month in months] == ["2012-11", "2012-12", "2013-01", "2013-02"]
    assert months[-1].end == datetime.date(2013, 2, 28)
