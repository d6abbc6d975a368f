"""Reads of reference data. These are not records: every user may read them."""

from typing import Any

from django.db.models import Q, QuerySet

from kordon.access import policy
from kordon.core.models import Country, Membership, Place, Unit

# Countries offered first in pickers: the region and the neighbours its routes pass through.
NEIGHBOURS = ("AF", "AZ", "CN", "IR", "PK", "RU", "TR", "BY", "UA", "AE", "IN", "GE")


def memberships_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk).select_related("unit__agency__country", "unit__place")


def region_countries() -> QuerySet[Country]:
    return Country.objects.filter(Q(central_asia=True) | Q(code__in=NEIGHBOURS)).order_by(
        "-central_asia", "name"
    )


def places() -> QuerySet[Place]:
    return Place.objects.select_related("country").order_by("country_id", "name")


def units() -> QuerySet[Unit]:
    return Unit.objects.select_related("agency").order_by("agency__country_id", "code")


def units_where(user: Any, action: str) -> QuerySet[Unit]:
    """The units in which `user` may `action` records: what forms offer as the owner unit."""
    allowed = policy.units_for_action(user, action)
    return units() if isinstance(allowed, policy.Everything) else units().filter(pk__in=allowed)
