"""Template filters for figures people read."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros, in the reader's own number format: 12,5 not 12,500000."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
