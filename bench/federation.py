"""Federation between nodes (issue 9): the first sync of 100,000 shared seizures from a Kyrgyz
node to an Uzbek one, and the steady-state delay from a seizure recorded on the first to its
appearance on the second while `kordon federation sync --every 1` runs. Both nodes on this
machine, each served by `kordon serve`: on SQLite, or each in a database of its own on the
PostgreSQL server KORDON_BENCH_POSTGRES_URL names. Run with `python -m bench.federation`."""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import psycopg

from bench.generate import write
from bench.load import own_database
from bench.node import KORDON, Node

SEIZURES = int(os.environ.get("KORDON_BENCH_FEDERATION_SEIZURES", "100000"))
PASSWORD = "benchmark-password-1"
SETUP = f"""
from django.core.management import call_command
from kordon.access.context import action_context
from kordon.access.demo import build_sharing
from kordon.core.demo import build_accounts, build_organisations
call_command("load_reference", verbosity=0)
with action_context(client_address="bench"):
    build_organisations()
    build_accounts({PASSWORD!r})
    build_sharing()
"""
# Seizures with 1 or 2 items; the generator counts items (rows).
ROWS_PER_SEIZURE = 1.4
SHARE = "from kordon.seizures.models import Seizure; print(Seizure.objects.update(distribution=2, tlp=2))"
RECORD = """
import datetime, decimal, time
from kordon.access.context import action_context
from kordon.core.models import Unit, User
from kordon.seizures.models import Substance
from kordon.seizures.services import ItemData, SeizureData, seizure_create
officer = User.objects.get(username="kg.blo.dostuk")
unit = Unit.objects.get(code="kg-dcs-blo-dostuk")
heroin = Substance.objects.get(code="heroin")
with action_context(client_address="bench"):
    seizure_create(actor=officer, owner_unit_id=unit.pk, data=SeizureData(
        reference="REFERENCE", occurred_on=datetime.date(2013, 5, 17), country_id="KG",
        items=[ItemData(heroin.pk, decimal.Decimal("4.2"), "kg")], tlp=2, distribution=2))
print(time.time())
"""


def identity(node: Node) -> str:
    return node.run("federation", "identity").split("Public key:")[1].strip()


def pair(node: Node, name: str, key: str, url: str, agency: str) -> None:
    node.run("federation", "pair", name, "--public-key", key, "--url", url, "--agency", agency)
    node.run("federation", "approve", name)


def arrival(node: Node, database_url: str | None) -> Callable[[str], bool]:
    """Whether a seizure has arrived on the node, read straight from its database."""
    if database_url:

        def in_postgresql(reference: str) -> bool:
            with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
                query = "SELECT 1 FROM seizures_seizure WHERE reference = %s"
                return connection.execute(query, (reference,)).fetchone() is not None

        return in_postgresql

    def in_sqlite(reference: str) -> bool:
        database = node.root / "kordon.sqlite3"
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
            query = "SELECT 1 FROM seizures_seizure WHERE reference = ?"
            return connection.execute(query, (reference,)).fetchone() is not None

    return in_sqlite


def main() -> None:
    postgres = os.environ.get("KORDON_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as databases:
        root = Path(folder)
        urls = [
            databases.enter_context(own_database(postgres, f"_{name}")) if postgres else None
            for name in ("kg", "uz")
        ]
        kg, uz = Node(root / "kg", urls[0]), Node(root / "uz", urls[1])
        received = arrival(uz, urls[1])
        for node, name in ((kg, "kg-dcs"), (uz, "uz-customs")):
            node.env["KORDON_NODE_NAME"] = name
            node.run("migrate", "--no-input")
            node.run("shell", "-c", SETUP)
        source = write(root / "seizures.csv", int(SEIZURES * ROWS_PER_SEIZURE), prefix="FED")
        kg.run("import", "seizures", str(source), "--unit", "kg-dcs-blo-dostuk", "--user", "kg.blo.dostuk")
        shared = int(kg.run("shell", "-c", SHARE).split()[-1])
        kg_server, kg_url = kg.serve(workers=1)
        uz_server, uz_url = uz.serve(workers=1)
        try:
            pair(kg, "uz-customs", identity(uz), uz_url, "UZ-CUSTOMS")
            pair(uz, "kg-dcs", identity(kg), kg_url, "KG-DCS")
            first = kg.measure("federation", "sync")
            arrived = int(
                uz.run("shell", "-c", "from kordon.seizures.models import Seizure; print(Seizure.objects.count())")
                .split()[-1]
            )  # fmt: skip
            syncing = subprocess.Popen(
                [KORDON, "federation", "sync", "--every", "1"],
                env=kg.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            delays = []
            try:
                # A first seizure, not counted, while the command starts: the delays are those of
                # a sync loop already running.
                for number in range(-1, 10):
                    reference = f"LIVE-{number}"
                    committed = float(
                        kg.run("shell", "-c", RECORD.replace("REFERENCE", reference)).split()[-1]
                    )
                    while not received(reference):
                        time.sleep(0.05)
                    if number >= 0:
                        delays.append(time.time() - committed)
            finally:
                syncing.terminate()
                syncing.wait()
        finally:
            kg_server.terminate()
            uz_server.terminate()
    result = {
        "benchmark": "federation",
        "database": "postgresql" if postgres else "sqlite",
        "shared_seizures": shared,
        "arrived": arrived,
        "first_sync_seconds": round(first.seconds, 1),
        "first_sync_peak_rss_mb": round(first.peak_rss_mb),
        "records_per_second": round(arrived / first.seconds),
        "steady_delay_seconds": sorted(round(delay, 2) for delay in delays),
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
