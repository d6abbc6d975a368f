"""Template filters for figures people read."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros, in the reader's own number format: 12,5 not 12,500000."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def in_language(texts: dict[str, str] | None) -> str:
    """A text given in several languages ({"en": …, "ru": …}), in the reader's language, else
    in English, else in any language it has."""
    if not texts:
        return ""
    language = (get_language() or "en").split("-")[0]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


@register.filter
def get(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """mapping[key] in a template (a label looked up by its code), or "" when absent."""
    return (mapping or {}).get(key, "")
