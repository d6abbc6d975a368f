"""The seizure list is read one policy key at a time and merged (core.paging.KeyedPaginator); its
pages and counts must be exactly those of the plain ordered list of what the user may see."""

import datetime
from typing import Any

from kordon.access import policy
from kordon.access.markings import Distribution, Tlp
from kordon.access.models import SharingGroup
from kordon.core.paging import COUNT_LIMIT
from kordon.seizures.models import Seizure
from kordon.seizures.selectors import SeizureFilters, seizure_list, seizure_page


def _seizures(
    world: Any, unit_code: str, count: int, distribution: int, prefix: str, group: Any = None
) -> None:
    unit = world.unit(unit_code)
    start = datetime.date(2013, 1, 1)
    Seizure.objects.bulk_create(
        Seizure(
            owner_unit=unit,
            owner_agency_id=unit.agency_id,
            reference=f"{prefix}-{number}",
            # Several seizures a day, so that the order needs the id as well as the date.
            occurred_on=start + datetime.timedelta(days=(number * 7) % 40),
            country_id=unit.agency.country_id,
            distribution=distribution,
            sharing_group=group,
            tlp=Tlp.GREEN,
        )
        for number in range(count)
    )


def _plain(user: Any) -> list[int]:
    return list(seizure_list(user=user, filters=SeizureFilters()).values_list("pk", flat=True))


def test_pages_and_count_match_the_plain_list(world: Any) -> None:
    _seizures(world, "kg-dcs-blo-dostuk", 40, Distribution.AGENCY, "OWN")
    _seizures(world, "tj-dca-blo-panj", 25, Distribution.ALL, "ALL")  # seen by every member
    _seizures(world, "uz-customs-blo-dustlik", 15, Distribution.AGENCY, "HIDDEN")  # no agreement here
    fergana = SharingGroup.objects.create(name="Fergana")
    fergana.units.set([world.unit("kg-dcs-blo-dostuk")])
    _seizures(world, "kz-customs-pcu-aktau", 12, Distribution.GROUP, "GROUP", group=fergana)
    user = world.user("kg.blo.dostuk")
    # The own agency by distribution (5), then all members and the group in other agencies.
    assert len(policy.record_keys(user, policy.VIEW, Seizure) or []) == 7
    plain = _plain(user)
    assert len(plain) == 77
    paged = []
    for number in range(1, 5):
        page = seizure_page(user=user, filters=SeizureFilters(), number=number, per_page=20)
        assert page.paginator.count == 77 and page.paginator.count_exact  # type: ignore[attr-defined]
        paged += list(page.object_list.values_list("pk", flat=True))
    assert paged == plain
    hidden = set(Seizure.objects.filter(reference__startswith="HIDDEN").values_list("pk", flat=True))
    assert not hidden & set(paged)


def test_a_long_list_is_counted_to_the_limit_and_still_paged_exactly(world: Any) -> None:
    _seizures(world, "kg-dcs-blo-dostuk", COUNT_LIMIT + 20, Distribution.AGENCY, "OWN")
    _seizures(world, "tj-dca-blo-panj", 30, Distribution.ALL, "ALL")
    user = world.user("kg.blo.dostuk")
    page = seizure_page(user=user, filters=SeizureFilters(), number=3, per_page=50)
    assert page.paginator.count == COUNT_LIMIT
    assert not page.paginator.count_exact  # type: ignore[attr-defined]
    assert list(page.object_list.values_list("pk", flat=True)) == _plain(user)[100:150]


def test_node_administrators_read_the_plain_list(world: Any) -> None:
    # EVERYTHING has no keys to split by; the list falls back to one capped query.
    admin = world.user("admin")
    assert policy.record_keys(admin, policy.VIEW, Seizure) is None
    _seizures(world, "uz-customs-blo-dustlik", 5, Distribution.UNIT, "ADMIN")
    page = seizure_page(user=admin, filters=SeizureFilters(), number=1, per_page=50)
    assert list(page.object_list.values_list("pk", flat=True)) == _plain(admin)[:50]
