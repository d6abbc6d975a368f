"""Property-based: random organisations, agreements, groups and records; the policy must agree
with the plain restatement of the rules (restatement.py) for every person and record."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kordon.access import policy
from kordon.access.models import SharingAgreement, SharingGroup
from kordon.access.tests import restatement as rules
from kordon.core.models import Membership, Unit, User
from kordon.exchange.models import Alert, AlertRecipient
from kordon.seizures.models import Seizure

UNITS = [
    "kg-dcs-blo-dostuk",
    "kg-dcs-analysis",
    "uz-customs-blo-dustlik",
    "uz-customs-ayritom",
    "tj-dca-blo-panj",
    "kz-customs-pcu-aktau",
    "tm-drug-farap",
    "af-cnpa-blo-shirkhan",
]
KINDS = ["seizures", "alerts"]
# Weighted towards what lets records through, so that examples reach every branch of the rules.
STATUSES = ["active", "active", "active", "suspended", "draft", "expired"]

unit_sets = st.frozensets(st.sampled_from(range(len(UNITS))), max_size=3)


@dataclass(frozen=True)
class AgreementSpec:
    parties: frozenset[int]  # unit indexes: their agencies are the parties
    kinds: frozenset[str]
    ceiling: int
    statistics_only: bool
    status: str
    ends: int | None  # days from today, None: open-ended


@dataclass(frozen=True)
class RecordSpec:
    kind: str
    owner: int
    tlp: int
    distribution: int
    group: int | None
    recipients: frozenset[int]


agreements = st.builds(
    AgreementSpec,
    parties=st.frozensets(st.sampled_from(range(len(UNITS))), min_size=2, max_size=3),
    kinds=st.frozensets(st.sampled_from(KINDS), min_size=1),
    ceiling=st.integers(0, 4),
    statistics_only=st.sampled_from([False, False, True]),
    status=st.sampled_from(STATUSES),
    ends=st.sampled_from([None, None, None, -1, 0, 1]),
)
groups = st.tuples(unit_sets, unit_sets, st.booleans())  # units, agencies (by a unit of theirs), active
records = st.builds(
    RecordSpec,
    kind=st.sampled_from(KINDS),
    owner=st.integers(0, len(UNITS) - 1),
    tlp=st.sampled_from([0, 1, 2, 2, 3, 4, 4]),
    distribution=st.sampled_from([0, 1, 2, 2, 3, 3, 4]),
    group=st.one_of(st.none(), st.integers(0, 1)),
    recipients=unit_sets,
)
people = st.lists(st.tuples(unit_sets, st.integers(0, 19)), min_size=2, max_size=6)


def _create(
    units: list[Unit],
    agreement_specs: list[AgreementSpec],
    group_specs: list[tuple[frozenset[int], frozenset[int], bool]],
    record_specs: list[RecordSpec],
    people_specs: list[tuple[frozenset[int], int]],
) -> tuple[
    list[rules.Agreement],
    dict[int, rules.Group],
    list[tuple[Any, rules.Record]],
    list[tuple[User, rules.Person]],
]:
    today = timezone.localdate()
    plain_agreements = []
    for spec in agreement_specs:
        valid_to = None if spec.ends is None else today + datetime.timedelta(days=spec.ends)
        agreement = SharingAgreement.objects.create(
            title=uuid.uuid4().hex,
            record_kinds=sorted(spec.kinds),
            tlp_ceiling=spec.ceiling,
            scope="statistics" if spec.statistics_only else "records",
            valid_from=datetime.date(2010, 1, 1),
            valid_to=valid_to,
            status=spec.status,
        )
        parties = frozenset(units[index].agency_id for index in spec.parties)
        agreement.parties.set(parties)
        plain_agreements.append(
            rules.Agreement(
                parties=parties,
                kinds=spec.kinds,
                ceiling=spec.ceiling,
                statistics_only=spec.statistics_only,
                status=spec.status,
                valid_from=datetime.date(2010, 1, 1),
                valid_to=valid_to,
            )
        )
    plain_groups: dict[int, rules.Group] = {}
    group_ids = []
    for member_units, member_agencies, active in group_specs:
        group = SharingGroup.objects.create(name=uuid.uuid4().hex, active=active)
        group.units.set([units[index].pk for index in member_units])
        agency_ids = frozenset(units[index].agency_id for index in member_agencies)
        group.agencies.set(agency_ids)
        plain_groups[group.pk] = rules.Group(
            frozenset(units[index].pk for index in member_units), agency_ids, active
        )
        group_ids.append(group.pk)
    sender = User.objects.create(username=uuid.uuid4().hex)
    made = []
    for number, spec in enumerate(record_specs):
        owner = units[spec.owner]
        group_id = group_ids[spec.group] if spec.group is not None and spec.group < len(group_ids) else None
        common = {
            "owner_unit": owner,
            "owner_agency_id": owner.agency_id,
            "tlp": spec.tlp,
            "distribution": spec.distribution,
            "sharing_group_id": group_id,
            "reference": f"P-{number}",
        }
        recipients: frozenset[int] = frozenset()
        if spec.kind == "seizures":
            record: Any = Seizure.objects.create(
                occurred_on=today, country_id=units[spec.owner].agency.country_id, **common
            )
        else:
            record = Alert.objects.create(
                subject_kind="vehicle",
                title="t",
                valid_from=today,
                valid_until=today,
                sent_by=sender,
                **common,
            )
            recipients = frozenset(units[index].pk for index in spec.recipients)
            AlertRecipient.objects.bulk_create(
                AlertRecipient(alert=record, unit_id=unit) for unit in recipients
            )
        plain = rules.Record(
            kind=spec.kind,
            owner_unit=owner.pk,
            owner_agency=owner.agency_id,
            tlp=spec.tlp,
            distribution=spec.distribution,
            group=group_id,
            recipients=recipients,
        )
        made.append((record, plain))
    persons = []
    for member_of, draw in people_specs:
        user = User.objects.create(username=uuid.uuid4().hex, is_superuser=draw == 0)
        for index in member_of:
            Membership.objects.create(user=user, unit=units[index], role="officer")
        persons.append(
            (
                user,
                rules.Person(
                    units=frozenset(units[index].pk for index in member_of),
                    agencies=frozenset(units[index].agency_id for index in member_of),
                    admin=draw == 0,
                ),
            )
        )
    return plain_agreements, plain_groups, made, persons


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    agreement_specs=st.lists(agreements, max_size=5),
    group_specs=st.lists(groups, min_size=1, max_size=2),
    record_specs=st.lists(records, min_size=1, max_size=8),
    people_specs=people,
)
def test_the_policy_agrees_with_the_rules(
    world: Any,
    agreement_specs: list[AgreementSpec],
    group_specs: list[Any],
    record_specs: list[RecordSpec],
    people_specs: list[Any],
) -> None:
    units = [Unit.objects.select_related("agency").get(code=code) for code in UNITS]
    today = timezone.localdate()
    savepoint = transaction.savepoint()
    try:
        plain_agreements, plain_groups, made, persons = _create(
            units, agreement_specs, group_specs, record_specs, people_specs
        )
        for user, person in persons:
            user = User.objects.get(pk=user.pk)  # a fresh request: the scope is read again
            for model in (Seizure, Alert):
                ids = {record.pk for record, _plain in made if isinstance(record, model)}
                seen = set(model.objects.restrict(user).filter(pk__in=ids).values_list("pk", flat=True))
                expected = {
                    record.pk
                    for record, plain in made
                    if isinstance(record, model)
                    and rules.may_see(person, plain, plain_agreements, plain_groups, today)
                }
                assert seen == expected, (model.__name__, person)
                # The list reads by keys (record_keys): disjoint, and together exactly the rule.
                keys = policy.record_keys(user, policy.VIEW, model)
                if keys is not None:
                    parts = [
                        set(
                            model.objects.restrict(user)
                            .filter(policy.key_filter(key), pk__in=ids)
                            .values_list("pk", flat=True)
                        )
                        for key in keys
                    ]
                    assert sum(len(part) for part in parts) == len(expected), (model.__name__, person)
                    assert set().union(*parts) == expected, (model.__name__, person)
            seizure_ids = {record.pk for record, _plain in made if isinstance(record, Seizure)}
            counted = set(
                Seizure.objects.for_statistics(user).filter(pk__in=seizure_ids).values_list("pk", flat=True)
            )
            assert counted == {
                record.pk
                for record, plain in made
                if isinstance(record, Seizure)
                and rules.may_count(person, plain, plain_agreements, plain_groups, today)
            }
    finally:
        transaction.savepoint_rollback(savepoint)
