"""A server process reuses a user's scope (memberships, agreements, groups) from one request to the
next only while nothing it is made of has changed: triggers change the policy stamp with every
change, whichever way it is made (here plain SQL, which no Django signal would see), and a new
day ends agreements that expire. Each `world.user(...)` is a new user object, as a new request has."""

import datetime
import importlib
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kordon.access import policy
from kordon.access.markings import RecordKind, Tlp
from kordon.access.models import AgreementStatus, SharingAgreement, SharingGroup
from kordon.core.models import Agency, Unit

WATCHED = importlib.import_module("kordon.access.migrations.0007_policy_stamp").WATCHED

DUSTLIK = "uz.blo.dustlik"


@pytest.fixture
def agreement(world: Any) -> SharingAgreement:
    agreement = SharingAgreement.objects.create(
        title="KG-UZ reuse",
        record_kinds=[RecordKind.SEIZURES],
        tlp_ceiling=Tlp.AMBER,
        valid_from=datetime.date(2012, 1, 1),
        valid_to=timezone.localdate(),
        status=AgreementStatus.ACTIVE,
    )
    agreement.parties.set(Agency.objects.filter(code__in=["KG-DCS", "UZ-CUSTOMS"]))
    return agreement


def partners(world: Any) -> set[int]:
    scope = policy.scope_for(world.user(DUSTLIK))
    assert scope is not None
    return {grant.partner_id for grant in scope.grants}


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_scope_is_reused_while_nothing_changes(world: Any, agreement: SharingAgreement) -> None:
    first = policy.scope_for(world.user(DUSTLIK))
    assert first is not None and first is policy.scope_for(world.user(DUSTLIK))


def test_a_suspension_or_a_party_removed_in_plain_sql_applies_at_the_next_request(
    world: Any, agreement: SharingAgreement
) -> None:
    kg = Agency.objects.get(code="KG-DCS").pk
    assert kg in partners(world)
    sql("UPDATE access_sharingagreement SET status = %s WHERE id = %s", ["suspended", agreement.pk])
    assert kg not in partners(world)
    sql("UPDATE access_sharingagreement SET status = %s WHERE id = %s", ["active", agreement.pk])
    assert kg in partners(world)
    sql("DELETE FROM access_sharingagreement_parties WHERE agency_id = %s AND sharingagreement_id = %s",
        [kg, agreement.pk])  # fmt: skip
    assert kg not in partners(world)


def test_memberships_units_and_groups_changed_in_plain_sql_apply_at_the_next_request(world: Any) -> None:
    user = world.user(DUSTLIK)
    before = policy.scope_for(user)
    assert before is not None and before.roles and not before.groups
    unit = Unit.objects.get(code="uz-customs-blo-dustlik")
    group = SharingGroup.objects.create(name="Reuse test group")
    sql(
        "INSERT INTO access_sharinggroup_units (sharinggroup_id, unit_id) VALUES (%s, %s)",
        [group.pk, unit.pk],
    )
    assert policy.scope_for(world.user(DUSTLIK)).groups == {group.pk}  # type: ignore[union-attr]
    other = Agency.objects.get(code="KG-DCS").pk
    sql("UPDATE core_unit SET agency_id = %s WHERE id = %s", [other, unit.pk])
    assert policy.scope_for(world.user(DUSTLIK)).unit_agency == {unit.pk: other}  # type: ignore[union-attr]
    sql("DELETE FROM core_membership WHERE user_id = %s", [user.pk])
    assert policy.scope_for(world.user(DUSTLIK)).roles == {}  # type: ignore[union-attr]


def test_an_agreement_that_ends_today_is_gone_tomorrow(
    world: Any, agreement: SharingAgreement, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg = Agency.objects.get(code="KG-DCS").pk
    assert kg in partners(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert kg not in partners(world)


def test_becoming_a_node_administrator_is_not_hidden_by_a_kept_scope(world: Any) -> None:
    assert policy.scope_for(world.user(DUSTLIK)).is_node_admin is False  # type: ignore[union-attr]
    promoted = world.user(DUSTLIK)
    promoted.is_superuser = True
    assert policy.scope_for(promoted).is_node_admin is True  # type: ignore[union-attr]


def test_every_table_a_scope_is_made_of_changes_the_stamp(world: Any, agreement: SharingAgreement) -> None:
    """A migration that rebuilds one of these tables (as Django does on SQLite for some changes)
    would drop its triggers with it; this names the table that lost them."""
    group = SharingGroup.objects.create(name="Stamp test group")
    group.units.set(Unit.objects.filter(code="uz-customs-blo-dustlik"))
    group.agencies.set(Agency.objects.filter(code="UZ-CUSTOMS"))
    lost = []
    for table in WATCHED:
        before = policy._policy_stamp()
        sql(f"UPDATE {table} SET id = id WHERE id = (SELECT MIN(id) FROM {table})", [])  # noqa: S608
        if policy._policy_stamp() == before:
            lost.append(table)
    assert lost == []
