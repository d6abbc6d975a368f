"""Benchmarks of cross-border sharing (issue 3), run on a node that already holds more than
1,000,000 seizures (see bench/run.py):

- partner list: the seizures are spread over 50 agencies bound by 200 agreements; a partner
  officer, who sees records of other agencies only through agreements, lists them through the
  API with two filters and a page of 50;
- load: 50 concurrent clients against `kordon serve` (4 worker processes) on loopback for 60 s, mixing
  reads (lists, details, inbox) and writes (alerts, acknowledgements, requests, seizures), each
  client pausing about a second between its requests as a person or a border-post system would;
  no request may fail (a server error or a broken connection), and the audit chain must verify
  afterwards. Answers where a rule says no (4xx, e.g. two officers acknowledging the same alert at
  once) are counted apart as refusals.
"""

import json
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

AGENCIES = 50
AGREEMENTS = 200
LOAD_CLIENTS = int(os.environ.get("KORDON_BENCH_LOAD_CLIENTS", "50"))
LOAD_SECONDS = float(os.environ.get("KORDON_BENCH_LOAD_SECONDS", "60"))
THINK_SECONDS = (0.5, 1.5)

# Runs inside the node (`kordon shell -c`): 50 agencies with a unit each, 200 agreements between
# them, the seizures spread over their units, a fifth of them released to partners.
SETUP = r"""
import datetime, random
from django.db import connection, transaction
from kordon.access.models import SharingAgreement
from kordon.core.models import Agency, Country, Membership, Unit, User
rng = random.Random(3)
countries = ["KG", "KZ", "TJ", "TM", "UZ"]
with transaction.atomic():
    units = []
    for number in range(AGENCIES):
        agency, _ = Agency.objects.get_or_create(code=f"BENCH-{number:02d}", defaults={
            "name": f"Bench agency {number}", "kind": "customs", "country_id": countries[number % 5]})
        unit, _ = Unit.objects.get_or_create(code=f"bench-{number:02d}", defaults={
            "name": f"Bench unit {number}", "kind": "blo", "agency": agency})
        units.append(unit)
    pairs = set()
    while len(pairs) < AGREEMENTS:
        first, second = rng.sample(range(AGENCIES), 2)
        pairs.add((min(first, second), max(first, second)))
    # The partner officer's agency (0) has eight of them, like a busy BLO.
    for other in range(1, 9):
        pairs.add((0, other))
    for first, second in sorted(pairs)[:AGREEMENTS]:
        agreement = SharingAgreement.objects.create(
            title=f"Bench MOU {first}-{second}", record_kinds=["seizures", "alerts", "requests"],
            tlp_ceiling=rng.choice([1, 2, 2, 3]), valid_from=datetime.date(2010, 1, 1), status="active")
        agreement.parties.set([units[first].agency_id, units[second].agency_id])
    user, _ = User.objects.get_or_create(username="bench.partner")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.get_or_create(user=user, unit=units[0], defaults={"role": "officer"})
    with connection.cursor() as cursor:
        for number, unit in enumerate(units):
            cursor.execute(
                "UPDATE seizures_seizure SET owner_unit_id = %s, owner_agency_id = %s WHERE id %% 50 = %s",
                [unit.pk, unit.agency_id, number])
        cursor.execute("UPDATE seizures_seizure SET distribution = 2 WHERE id %% 5 = 0", [])
        cursor.execute("UPDATE seizures_seizure SET tlp = 1 WHERE id %% 3 = 0", [])
        cursor.execute("ANALYZE")
print(SharingAgreement.objects.filter(title__startswith="Bench").count())
"""


# After rewriting every seizure above, PostgreSQL holds a dead copy of each row and no visibility
# map until autovacuum passes; a node in service is past that point, so the benchmark vacuums.
VACUUM = r"""
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE seizures_seizure")
        cursor.execute("VACUUM ANALYZE seizures_seizureitem")
"""


def prepare(node: Any, password: str) -> int:
    script = SETUP.replace("AGENCIES", str(AGENCIES)).replace("AGREEMENTS", str(AGREEMENTS))
    script = script.replace("PASSWORD", repr(password))
    agreements = int(node.run("shell", "-c", script).split()[-1])
    node.run("shell", "-c", VACUUM)
    return agreements


def token(client: Any, username: str, password: str) -> str:
    _status, body = client.request("POST", "/api/v1/auth/token", json.dumps({"username": username, "password": password, "scopes": ["read", "write"]}),
                                   {"Content-Type": "application/json"})  # fmt: skip
    return str(json.loads(body)["token"])


class LoadClient(threading.Thread):
    """One simulated client: a persona with a token, doing a mix of reads and writes."""

    def __init__(self, make_client: Callable[[], Any], username: str, password: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.client = make_client()
        self.client.headers["Authorization"] = f"Bearer {token(self.client, username, password)}"
        self.client.headers["Content-Type"] = "application/json"
        self.username = username
        self.stop_at = 0.0
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []  # server errors (5xx) and failed connections
        self.refusals: list[str] = []  # 4xx: a rule said no, e.g. two officers acknowledging one alert
        self.writes = 0

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        started = time.perf_counter()
        status, data = self.client.request(method, path, json.dumps(body) if body is not None else None)
        self.latencies.append((time.perf_counter() - started) * 1000)
        if status >= 500:
            self.errors.append(f"{method} {path} -> {status}: {data[:200]!r}")
            return None
        if status >= 400:
            self.refusals.append(f"{method} {path} -> {status}: {data[:300].decode(errors='replace')}")
            return None
        if method != "GET":
            self.writes += 1
        return json.loads(data) if data else None

    def step(self) -> None:
        draw = self.rng.random()
        kg = self.username.startswith("kg.")
        if draw < 0.45:
            year = self.rng.choice([2012, 2013, 2014])
            country = self.rng.choice(["KG", "TJ", "UZ", "KZ", "TM"])
            self.call(
                "GET", f"/api/v1/seizures?country={country}&date_from={year}-01-01&date_to={year}-06-30"
            )
        elif draw < 0.6:
            page = self.call("GET", f"/api/v1/seizures?page={self.rng.randint(1, 5)}&page_size=20")
            if page and page["results"]:
                self.call("GET", f"/api/v1/seizures/{self.rng.choice(page['results'])['id']}")
        elif draw < 0.75:
            inbox = self.call("GET", "/api/v1/inbox")
            unread = [alert for alert in (inbox or {}).get("alerts", []) if alert["state"] == "sent"]
            if unread and not kg:
                self.call("POST", f"/api/v1/alerts/{unread[0]['id']}/acknowledge")
        elif draw < 0.88:
            sender, recipient = (
                ("kg-dcs-blo-dostuk", "uz-customs-blo-dustlik")
                if kg
                else ("uz-customs-blo-dustlik", "kg-dcs-blo-dostuk")
            )
            self.call("POST", "/api/v1/alerts", {
                "from_unit": sender, "to_units": [recipient], "subject_kind": "vehicle",
                "title": f"Load test alert {self.rng.randrange(10**6)}", "vehicle_plate": "01KG123ABC",
                "valid_until": time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400 * 7)),
                "markings": {"tlp": "AMBER", "distribution": "partners"},
            })  # fmt: skip
        elif draw < 0.94:
            self.call("GET", "/api/v1/rfis?box=all")
        else:
            unit = "kg-dcs-blo-dostuk" if kg else "uz-customs-blo-dustlik"
            self.call("POST", "/api/v1/seizures", {
                "owner_unit": unit, "reference": f"LOAD-{self.username}-{self.rng.randrange(10**9)}",
                "occurred_on": "2014-06-01", "country": "KG" if kg else "UZ",
                "items": [{"substance": "heroin", "quantity": "1.5", "unit": "kg"}],
            })  # fmt: skip

    def run(self) -> None:
        while time.perf_counter() < self.stop_at:
            try:
                self.step()
            except Exception as error:  # a load test records every failure and goes on
                self.errors.append(repr(error))
                self.client.reconnect()
            time.sleep(self.rng.uniform(*THINK_SECONDS))


def load(make_client: Callable[[], Any], password: str) -> dict[str, Any]:
    personas = ["kg.blo.dostuk", "uz.blo.dustlik", "kg.supervisor", "uz.supervisor"]
    clients = [
        LoadClient(make_client, personas[number % len(personas)], password, number)
        for number in range(LOAD_CLIENTS)
    ]
    started = time.perf_counter()
    for client in clients:
        client.stop_at = started + LOAD_SECONDS
        client.start()
    for client in clients:
        client.join()
    seconds = time.perf_counter() - started
    latencies = [value for client in clients for value in client.latencies]
    errors = [error for client in clients for error in client.errors]
    refusals = [refusal for client in clients for refusal in client.refusals]
    return {
        "clients": LOAD_CLIENTS,
        "seconds": round(seconds, 1),
        "requests": len(latencies),
        "writes": sum(client.writes for client in clients),
        "errors": len(errors),
        "first_errors": errors[:3],
        "refused": len(refusals),
        "first_refusals": refusals[:2],
        "latencies": latencies,
    }
