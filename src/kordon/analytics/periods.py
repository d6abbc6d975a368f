"""Reporting periods as analysts name them: a year, a half, a quarter, a month, a run of months
("first nine months": 2013-01..2013-09) or any two dates, with names in the user's language.

The written form is what the API, the CLI and the links between pages carry:

    2013            the calendar year
    2013-H1         a half year
    2013-Q3         a quarter
    2013-07         a month
    2013-01..2013-09            January to September (the first nine months)
    2013-01-15..2013-02-14      any two dates, both included
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class PeriodError(ValueError):
    """A period written in a form Kordon does not read; the message says which forms it reads."""


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _parse_bound(text: str, *, end: bool) -> datetime.date:
    if match := _DAY.match(text):
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        return _month_end(year, month) if end else datetime.date(year, month, 1)
    raise ValueError(text)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @classmethod
    def parse(cls, text: str) -> "Period":
        written = text.strip().upper()
        try:
            if ".." in written:
                first, last = written.split("..", 1)
                period = cls(_parse_bound(first, end=False), _parse_bound(last, end=True))
            elif re.fullmatch(r"\d{4}", written):
                year = int(written)
                period = cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
            elif match := re.fullmatch(r"(\d{4})-Q([1-4])", written):
                year, quarter = int(match[1]), int(match[2])
                period = cls(datetime.date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3))
            elif match := re.fullmatch(r"(\d{4})-H([12])", written):
                year, half = int(match[1]), int(match[2])
                period = cls(datetime.date(year, half * 6 - 5, 1), _month_end(year, half * 6))
            elif match := _MONTH.match(written):
                year, month = int(match[1]), int(match[2])
                period = cls(datetime.date(year, month, 1), _month_end(year, month))
            else:
                raise ValueError(written)
        except ValueError:
            raise PeriodError(
                _(
                    "Cannot read the period %(text)r. Write a year (2013), a half (2013-H1), a quarter "
                    "(2013-Q3), a month (2013-07), months (2013-01..2013-09) or dates "
                    "(2013-01-15..2013-02-14)."
                )
                % {"text": text}
            ) from None
        if period.end < period.start:
            raise PeriodError(_("The period %(text)r ends before it starts.") % {"text": text})
        return period

    def months(self) -> list["Period"]:
        """The calendar months the period touches, in order, each whole."""
        found = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            found.append(Period(datetime.date(year, month, 1), _month_end(year, month)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def year_before(self) -> "Period":
        return self.shifted(-1)

    def year_after(self) -> "Period":
        return self.shifted(1)

    def shifted(self, years: int) -> "Period":
        """The same days `years` later (29 February becomes the 28th). A period that ends on the
        last day of a month ends on the last day of that month (February 2012 has 29 days)."""

        def move(day: datetime.date) -> datetime.date:
            try:
                return day.replace(year=day.year + years)
            except ValueError:
                return day.replace(year=day.year + years, day=28)

        end = move(self.end)
        if self.end == _month_end(self.end.year, self.end.month):
            end = _month_end(end.year, end.month)
        return Period(move(self.start), end)

    @property
    def code(self) -> str:
        """The shortest written form that reads back as this period."""
        start, end = self.start, self.end
        whole_months = start.day == 1 and end == _month_end(end.year, end.month)
        if whole_months and start.year == end.year:
            if (start.month, end.month) == (1, 12):
                return str(start.year)
            if start.month == end.month:
                return f"{start:%Y-%m}"
            if end.month - start.month == 2 and start.month % 3 == 1:
                return f"{start.year}-Q{end.month // 3}"
            if end.month - start.month == 5 and start.month in (1, 7):
                return f"{start.year}-H{end.month // 6}"
        if whole_months:
            return f"{start:%Y-%m}..{end:%Y-%m}"
        return f"{start.isoformat()}..{end.isoformat()}"

    @property
    def label(self) -> str:
        """The period as a reader says it, in the active language: "January–September 2013"."""
        start, end = self.start, self.end
        whole_months = start.day == 1 and end == _month_end(end.year, end.month)
        if not whole_months:
            return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"
        if start.year == end.year:
            if (start.month, end.month) == (1, 12):
                return _("%(year)s") % {"year": start.year}
            if end.month - start.month == 2 and start.month % 3 == 1:
                return _("Q%(quarter)s %(year)s") % {"quarter": end.month // 3, "year": start.year}
            if start.month == end.month:
                return _("%(month)s %(year)s") % {"month": MONTHS[start.month], "year": start.year}
            return _("%(first)s–%(last)s %(year)s") % {
                "first": MONTHS[start.month],
                "last": _inner(MONTHS[end.month]),
                "year": start.year,
            }
        return _("%(first)s %(first_year)s – %(last)s %(last_year)s") % {
            "first": MONTHS[start.month],
            "first_year": start.year,
            "last": _inner(MONTHS[end.month]),
            "last_year": end.year,
        }

    @property
    def inside_sentence(self) -> str:
        """The label as it reads inside a sentence ("in January–September 2013"; Russian writes
        month names in lower case there)."""
        return _inner(self.label)


def _inner(text: Any) -> str:
    """Text inside a phrase: Russian writes month names in lower case ("Январь–сентябрь")."""
    text = str(text)
    return text[:1].lower() + text[1:] if (get_language() or "").startswith("ru") else text
