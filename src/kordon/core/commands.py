"""What the `kordon` commands share: finding the acting user and unit, and the marking names."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from kordon.access.markings import Distribution, Tlp
from kordon.core.models import Unit

TLP_NAMES = {
    "clear": Tlp.CLEAR,
    "green": Tlp.GREEN,
    "amber": Tlp.AMBER,
    "amber+strict": Tlp.AMBER_STRICT,
    "red": Tlp.RED,
}
DISTRIBUTION_NAMES = {
    "unit": Distribution.UNIT,
    "agency": Distribution.AGENCY,
    "partners": Distribution.PARTNERS,
    "all": Distribution.ALL,
}


def active_user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"There is no active user {username!r}.")
    return user


def unit_by_code(code: str) -> Unit:
    unit = Unit.objects.select_related("agency").filter(code=code).first()
    if unit is None:
        raise CommandError(f"There is no unit with code {code!r}; see the units page or the admin.")
    return unit


def acting_unit(user: Any, code: str | None) -> Unit:
    """The unit named by `code`, or the user's only unit when no code is given."""
    if code:
        return unit_by_code(code)
    units = list(Unit.objects.select_related("agency").filter(memberships__user=user))
    if len(units) != 1:
        raise CommandError(f"{user} belongs to {len(units)} units; say which with --unit CODE.")
    return units[0]
