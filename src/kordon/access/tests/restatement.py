"""The sharing rules of issue 3 restated plainly, without Django and without the policy's code,
so that tests can hold the policy against them.

A user sees a record when
  (a) their unit owns it, or their agency owns it and the distribution goes beyond the unit;
  (b) an agreement in force between their agency and the owner's covers the record kind with
      whole records, the distribution is "partners" or "all members", the TLP is within the
      agreement's ceiling, and the TLP is not RED;
  (c) the distribution is a sharing group (active) that their unit or agency belongs to, and the
      TLP is not RED;
  (d) the distribution is "all members" and the TLP is CLEAR or GREEN;
  (e) the record is addressed to their unit, and its owner is their own agency or an agreement
      as in (b) covers the kind with a ceiling at or above the TLP (RED included: the
      recipients are named).
Node administrators see everything; anybody else without a unit sees nothing.
"""

import datetime
from dataclasses import dataclass, field

UNIT, AGENCY, PARTNERS, GROUP, ALL = range(5)
CLEAR, GREEN, AMBER, AMBER_STRICT, RED = range(5)


@dataclass(frozen=True)
class Agreement:
    parties: frozenset[int]
    kinds: frozenset[str]
    ceiling: int
    statistics_only: bool = False
    status: str = "active"
    valid_from: datetime.date = datetime.date(2000, 1, 1)
    valid_to: datetime.date | None = None

    def in_force(self, today: datetime.date) -> bool:
        return (
            self.status == "active"
            and self.valid_from <= today
            and (self.valid_to is None or today <= self.valid_to)
        )


@dataclass(frozen=True)
class Group:
    units: frozenset[int]
    agencies: frozenset[int]
    active: bool = True


@dataclass(frozen=True)
class Person:
    units: frozenset[int]  # units the person belongs to
    agencies: frozenset[int]  # the agencies of those units
    admin: bool = False


@dataclass(frozen=True)
class Record:
    kind: str
    owner_unit: int
    owner_agency: int
    tlp: int
    distribution: int
    group: int | None = None
    recipients: frozenset[int] = field(default_factory=frozenset)


def _covering(
    person: Person, record: Record, agreements: list[Agreement], today: datetime.date, *, statistics: bool
) -> list[Agreement]:
    return [
        agreement
        for agreement in agreements
        if agreement.in_force(today)
        and record.kind in agreement.kinds
        and (statistics or not agreement.statistics_only)
        and record.owner_agency in agreement.parties
        and (person.agencies - {record.owner_agency}) & agreement.parties
    ]


def may_see(
    person: Person | None,
    record: Record,
    agreements: list[Agreement],
    groups: dict[int, Group],
    today: datetime.date,
) -> bool:
    if person is None:
        return False
    if person.admin:
        return True
    if not person.units:
        return False
    if record.owner_unit in person.units:
        return True
    if record.owner_agency in person.agencies and record.distribution != UNIT:
        return True
    covering = _covering(person, record, agreements, today, statistics=False)
    if (
        record.distribution in (PARTNERS, ALL)
        and record.tlp != RED
        and any(record.tlp <= agreement.ceiling for agreement in covering)
    ):
        return True
    group = groups.get(record.group) if record.group is not None else None
    if (
        record.distribution == GROUP
        and record.tlp != RED
        and group is not None
        and group.active
        and (group.units & person.units or group.agencies & person.agencies)
    ):
        return True
    if record.distribution == ALL and record.tlp <= GREEN:
        return True
    if record.recipients & person.units:
        if record.owner_agency in person.agencies:
            return True
        if any(record.tlp <= agreement.ceiling for agreement in covering):
            return True
    return False


def may_count(
    person: Person | None,
    record: Record,
    agreements: list[Agreement],
    groups: dict[int, Group],
    today: datetime.date,
) -> bool:
    """Whether the record may be counted in the person's aggregates (never shown)."""
    if may_see(person, record, agreements, groups, today):
        return True
    if person is None or not person.units:
        return False
    covering = _covering(person, record, agreements, today, statistics=True)
    return (
        record.distribution in (PARTNERS, ALL)
        and record.tlp != RED
        and any(record.tlp <= agreement.ceiling for agreement in covering)
    )
