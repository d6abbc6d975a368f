"""Upgrading a node keeps each peer's place: what a peer already holds is not sent again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("federation", "0001_initial")]
AFTER = [("federation", "0002_sent_change_compared_in_database")]


@pytest.mark.django_db(transaction=True)
def test_seizures_sent_before_the_upgrade_get_the_time_of_their_version() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        peer = old.get_model("federation", "Peer").objects.create(name="uz-customs", public_key="k" * 44)
        sent = old.get_model("federation", "SentRecord").objects
        sent.create(peer_id=peer.pk, kind="seizure", local_id=7, origin="kg-dcs", origin_id=7,
                    version="2026-11-29T08:15:42.123456Z")  # fmt: skip
        sent.create(peer_id=peer.pk, kind="alert", local_id=7, origin="kg-dcs", origin_id=7,
                    version="2026-11-29T08:15:42.123456Z")  # fmt: skip
        sent.create(
            peer_id=peer.pk, kind="seizure", local_id=8, origin="kg-dcs", origin_id=8, version="garbled"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        upgraded = executor.loader.project_state(AFTER).apps.get_model("federation", "SentRecord").objects
        times = dict(upgraded.filter(kind="seizure").values_list("local_id", "changed_at"))
        assert times == {7: datetime.datetime(2026, 11, 29, 8, 15, 42, 123456, tzinfo=datetime.UTC), 8: None}
        # Only seizures are compared by their time; alerts and requests keep their version alone.
        assert upgraded.get(kind="alert").changed_at is None
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
