"""Checks on seizure values that every way in (form, API, import) applies the same way."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iso6346
from stdnum.exceptions import InvalidChecksum, ValidationError

EARLIEST_DATE = datetime.date(1970, 1, 1)
_PLATE_NOISE = re.compile(r"[\s\-]+")


def parse_decimal(value: Any) -> Decimal:
    """Numbers as agencies write them: 1 234,5 or 1,234.5 or 1234.5."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    else:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def check_date(value: datetime.date, today: datetime.date | None = None) -> str | None:
    """A reason the seizure date is impossible, or None. A batch passes `today`, read once."""
    if value > (today or timezone.localdate()):
        return _("The date %(date)s is in the future.") % {"date": value.strftime("%d.%m.%Y")}
    if value < EARLIEST_DATE:
        return _("The date %(date)s is before 1970.") % {"date": value.strftime("%d.%m.%Y")}
    return None


def normalise_container(value: str) -> str:
    return value.replace(" ", "").replace("-", "").upper()


def check_container(value: str) -> str | None:
    """ISO 6346: owner code, category, serial number and a check digit that must match."""
    number = normalise_container(value)
    try:
        iso6346.validate(number)
    except InvalidChecksum:
        expected = iso6346.calc_check_digit(number[:10])
        return _(
            "Container number %(number)s fails its ISO 6346 check digit: with these first ten "
            "characters the last digit should be %(digit)s. Check the number on the container."
        ) % {"number": number, "digit": expected}
    except ValidationError:
        return _(
            "%(number)s is not a container number: it should be 4 letters (owner code ending in U, J "
            "or Z) and 7 digits, e.g. MSKU1234565."
        ) % {"number": number}
    return None


def normalise_plate(value: str) -> str:
    return _PLATE_NOISE.sub("", value).upper()


def check_quantity(value: Decimal) -> str | None:
    if value <= 0:
        return _("The quantity must be more than zero.")
    if value >= Decimal("10000000000"):
        return _("The quantity %(value)s is too large.") % {"value": value}
    return None


def check_purity(value: Decimal) -> str | None:
    if not Decimal(0) <= value <= Decimal(100):
        return _("Purity is a percentage between 0 and 100.")
    return None


def check_coordinates(latitude: float | None, longitude: float | None) -> str | None:
    if (latitude is None) != (longitude is None):
        return _("Give both latitude and longitude, or neither.")
    if latitude is not None and not -90 <= latitude <= 90:
        return _("Latitude must be between -90 and 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        return _("Longitude must be between -180 and 180.")
    return None
