"""The whole node under a mixed load (issue 10): 100 clients for 10 minutes on PostgreSQL.

Seventy clients use the API as the BLO officers and supervisors at Dostuk and Dustlik do (seizure
searches and records, the inbox, alerts sent and acknowledged, new seizures: bench/sharing.py);
thirty browse the pages as officers and analysts do (home, seizure lists with filters, a seizure,
the exchange inbox, person search, cases, now and then the dashboard). Each waits 0.5-1.5 s between
requests, as a person does. The node is the demo plus 100,000 generated seizures, served by
`kordon serve` (four processes and the background worker) on this machine.

It reports every server error, the latency percentiles, and the memory of the server's processes
every ten seconds: "flat" means the last minute holds no more than the first minute after warm-up,
give or take 10%.

    KORDON_BENCH_POSTGRES_URL=postgres://... python -m bench.load [--clients 100] [--seconds 600]

The node gets a database of its own next to the one the URL names, dropped afterwards.
"""

import argparse
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench import sharing
from bench.generate import write
from bench.node import Node, _children, _rss_kb
from bench.report import write_section
from bench.run import PASSWORD, Client, figures, list_paths

EXTRA_SEIZURE_ROWS = 100_000
PAGE_SHARE = 0.3
PAGE_PERSONAS = ["kg.analyst", "kg.blo.dostuk", "uz.blo.dustlik"]
SEIZURE_LINK = re.compile(rb'href="/seizures/(\d+)/"')


class PageClient(threading.Thread):
    """An officer or analyst in a browser: logged in with a session, reading pages."""

    def __init__(self, base: str, username: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.client = Client(base)
        self.rng = random.Random(seed)
        self.stop_at = 0.0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.refusals: list[str] = []
        self.writes = 0
        _status, login = self.client.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1).decode() if token else ""})  # fmt: skip
        status, _body = self.client.request("POST", "/login/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"{base}/login/"})  # fmt: skip
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")
        self.seizure_lists = list_paths("/seizures/", self.rng)
        self.seizures: list[bytes] = []

    def get(self, path: str) -> bytes:
        started = time.perf_counter()
        status, body = self.client.request("GET", path)
        self.latencies.append((time.perf_counter() - started) * 1000)
        if status >= 500:
            self.errors.append(f"GET {path} -> {status}")
        elif status >= 400:
            self.refusals.append(f"GET {path} -> {status}")
        return body

    def step(self) -> None:
        draw = self.rng.random()
        if draw < 0.2:
            self.get("/")
        elif draw < 0.5:
            body = self.get(self.rng.choice(self.seizure_lists))
            self.seizures = SEIZURE_LINK.findall(body)[:20] or self.seizures
        elif draw < 0.65 and self.seizures:
            self.get(f"/seizures/{self.rng.choice(self.seizures).decode()}/")
        elif draw < 0.77:
            self.get("/exchange/")
        elif draw < 0.88:
            name = self.rng.choice(["sultanov", "султанов", "01KG123ABC", "karimov"])
            self.get(f"/entities/?q={urllib.parse.quote(name)}")
        elif draw < 0.96:
            self.get("/cases/")
        else:
            self.get("/analytics/")

    def run(self) -> None:
        while time.perf_counter() < self.stop_at:
            try:
                self.step()
            except Exception as error:  # every failure is counted, and the client goes on
                self.errors.append(repr(error))
                self.client.reconnect()
            time.sleep(self.rng.uniform(*sharing.THINK_SECONDS))


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(pid: int) -> list[int]:
    pids = [pid, *_children(pid)]
    return pids + [grandchild for child in pids[1:] for grandchild in _children(child)]


def server_rss_mb(pid: int) -> float:
    return sum(_rss_kb(each) for each in server_pids(pid)) / 1024


def load(node: Node, clients: int, seconds: float) -> dict[str, Any]:
    server, base = node.serve(workers=4, threads=1)
    try:
        pages = round(clients * PAGE_SHARE)
        api_personas = ["kg.blo.dostuk", "uz.blo.dustlik", "kg.supervisor", "uz.supervisor"]
        crowd: list[Any] = [
            sharing.LoadClient(lambda: Client(base), api_personas[n % len(api_personas)], PASSWORD, n)
            for n in range(clients - pages)
        ]
        crowd += [PageClient(base, PAGE_PERSONAS[n % len(PAGE_PERSONAS)], 1000 + n) for n in range(pages)]
        memory: list[tuple[float, float]] = []
        # Where the two cores went: the server's processes, this load generator, and the rest
        # (PostgreSQL, mostly).
        server_before, own_before = cpu_seconds(server_pids(server.pid)), time.process_time()
        started = time.perf_counter()
        for client in crowd:
            client.stop_at = started + seconds
            client.start()
        while any(client.is_alive() for client in crowd):
            memory.append((round(time.perf_counter() - started), round(server_rss_mb(server.pid))))
            time.sleep(10)
        for client in crowd:
            client.join()
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(server_pids(server.pid)) - server_before
        generator_cpu = time.process_time() - own_before
    finally:
        server.terminate()
        server.wait(timeout=60)
    latencies = [value for client in crowd for value in client.latencies]
    errors = [error for client in crowd for error in client.errors]
    first_minute = [mb for at, mb in memory if 60 <= at < 120] or [memory[0][1]]
    last_minute = [mb for at, mb in memory if at >= elapsed - 70] or [memory[-1][1]]
    return {
        "benchmark": "load_100_clients",
        "database": "postgresql",
        "clients": clients,
        "api_clients": clients - pages,
        "page_clients": pages,
        "seconds": round(elapsed),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "writes": sum(client.writes for client in crowd),
        "errors": len(errors),
        "first_errors": errors[:5],
        "refused": sum(len(client.refusals) for client in crowd),
        **figures(latencies),
        "max_ms": round(max(latencies)),
        "cpu_share_server_processes": round(server_cpu / elapsed / (os.cpu_count() or 1), 2),
        "cpu_share_load_generator": round(generator_cpu / elapsed / (os.cpu_count() or 1), 2),
        "server_rss_mb_after_warmup": max(first_minute),
        "server_rss_mb_last_minute": max(last_minute),
        "server_rss_mb_every_10s": [mb for _at, mb in memory],
    }


@contextmanager
def own_database(url: str, label: str = "") -> Iterator[str]:
    """A fresh database on the server `url` points at, for this run only."""
    parts = urllib.parse.urlsplit(url)
    name = f"kordon_load_{os.getpid()}{label}"
    server = dict(urllib.parse.parse_qsl(parts.query))
    connect = {"host": server.get("host") or parts.hostname, "port": server.get("port") or parts.port,
               "user": parts.username, "password": parts.password}  # fmt: skip
    with psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in connect.items() if v}
    ) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=600)
    options = parser.parse_args()
    database_url = os.environ.get("KORDON_BENCH_POSTGRES_URL")
    if not database_url:
        sys.exit(
            "Set KORDON_BENCH_POSTGRES_URL to an empty PostgreSQL database: the load test is for PostgreSQL."
        )
    with tempfile.TemporaryDirectory(prefix="kordon-load-") as folder, own_database(database_url) as database:
        node = Node(Path(folder) / "node", database)
        node.run("migrate", "--no-input")
        node.run("demo", "--password", PASSWORD)
        node.run("collectstatic", "--no-input")
        extra = write(Path(folder) / "extra.csv", EXTRA_SEIZURE_ROWS, seed=2015, prefix="L")
        node.run("import", "seizures", str(extra), "--unit", "kg-dcs-analysis", "--user", "kg.analyst")
        node.run("analytics", "refresh")
        result = load(node, options.clients, options.seconds)
        result["audit_chain"] = node.run("audit", "verify").strip().splitlines()[-1]
    print(json.dumps(result), flush=True)
    if options.clients == 100 and options.seconds >= 600:
        write_section("Load: 100 clients for 10 minutes (issue 10)", "python -m bench.load", [result])


if __name__ == "__main__":
    main()
