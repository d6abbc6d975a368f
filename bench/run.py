"""Benchmarks of the foundation (issue 2) and of sharing (issue 3, bench/sharing.py). Run with
`make bench`; figures are printed as JSON lines and written to docs/benchmarks.md.

- import: a seeded 1,000,000-row seizure CSV through `kordon import seizures`, end to end, with the
  peak memory of the command and its worker process;
- seizure list: the API with two filters and a page of 50, and the HTML list page, over more than
  1,000,000 seizures, served by `kordon serve` (gunicorn, 2 workers) on loopback.

PostgreSQL is measured too when KORDON_BENCH_POSTGRES_URL names an empty database.
KORDON_BENCH_DATABASES=postgresql (or sqlite) measures one database only; the report keeps the
last figure of every benchmark not measured this time, each row with the date it was measured.
"""

import http.client
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import analytics, sharing
from bench.generate import write
from bench.node import Node

IMPORT_ROWS = int(os.environ.get("KORDON_BENCH_IMPORT_ROWS", "1000000"))
EXTRA_ROWS = int(os.environ.get("KORDON_BENCH_EXTRA_ROWS", "420000"))  # tops the list up past 1M seizures
REQUESTS = int(os.environ.get("KORDON_BENCH_REQUESTS", "200"))
ANALYTICS_ROUNDS = int(os.environ.get("KORDON_BENCH_ANALYTICS_ROUNDS", "6"))
PASSWORD = "benchmark-password-1"
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
DATABASES = os.environ.get("KORDON_BENCH_DATABASES", "sqlite,postgresql").split(",")
# The report's rows in the order a run measures them, SQLite's first.
ORDER = ["import_seizures_csv", "seizure_list_api", "seizure_list_page", "dashboard_panel_without_mirror",
         "analytics_mirror_refresh", "dashboard_panel", "dashboard_full", "pivot_two_dimensions", "bulletin_pdf",
         "partner_seizure_list_api", "load_mixed"]  # fmt: skip
SECTION = re.compile(r"## (Foundation \(issue 2\)|Measured figures \(issues [^)]*\))\n.*?(?=\n## |\Z)", re.S)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Client:
    """A keep-alive HTTP client, so latencies measure the server, not connection set-up."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.reconnect()
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def reconnect(self) -> None:
        parts = urllib.parse.urlsplit(self.base)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:  # fmt: skip
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection before this request reached it;
            # like any HTTP client, open a new one and send the request again.
            self.reconnect()
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, data


def timed(client: Client, paths: list[str]) -> list[float]:
    latencies = []
    for path in paths:
        started = time.perf_counter()
        status, _body = client.request("GET", path)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return latencies


def list_paths(prefix: str, rng: random.Random) -> list[str]:
    """Two filters each: a country and a quarter, or a drug group and a year."""
    paths = []
    for _ in range(REQUESTS):
        if rng.random() < 0.5:
            year, quarter = rng.choice([2012, 2013, 2014]), rng.randrange(4)
            start, end = f"{year}-{quarter * 3 + 1:02d}-01", f"{year}-{quarter * 3 + 3:02d}-28"
            query = {
                "country": rng.choice(["KG", "TJ", "UZ", "KZ", "TM"]),
                "date_from": start,
                "date_to": end,
            }
        else:
            year = rng.choice([2012, 2013, 2014])
            query = {"substance_group": rng.choice(["opioids", "cannabis", "ats"]),
                     "date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}  # fmt: skip
        paths.append(f"{prefix}?{urllib.parse.urlencode(query)}")
    return paths


def figures(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


def bench_database(label: str, database_url: str | None, work: Path) -> list[dict[str, Any]]:
    node = Node(work / label, database_url)
    node.run("migrate", "--no-input")
    node.run("demo", "--password", PASSWORD)
    node.run("collectstatic", "--no-input")
    results = []
    big = work / "seizures-1m.csv"
    if not big.exists():
        write(big, IMPORT_ROWS)
    measured = node.measure("import", "seizures", str(big), "--unit", "kg-dcs-analysis", "--user", "kg.analyst",
                            "--json")  # fmt: skip
    outcome = json.loads(measured.stdout)
    results.append({
        "benchmark": "import_seizures_csv", "database": label, "rows": outcome["rows"],
        "imported": outcome["imported"], "rejected": outcome["rejected"], "new_seizures": outcome["new_seizures"],
        "seconds": round(measured.seconds, 1), "rows_per_second": round(outcome["rows"] / measured.seconds),
        "peak_rss_mb": round(measured.peak_rss_mb),
    })  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    extra = work / "seizures-extra.csv"
    if not extra.exists():
        write(extra, EXTRA_ROWS, seed=2014, prefix="X")
    node.run("import", "seizures", str(extra), "--unit", "kg-dcs-analysis", "--user", "kg.analyst")
    server, base = node.serve(workers=2)
    try:
        api = Client(base)
        _status, body = api.request("POST", "/api/v1/auth/token",
                                   json.dumps({"username": "kg.blo.dostuk", "password": PASSWORD, "scopes": ["read", "write"]}),
                                   {"Content-Type": "application/json"})  # fmt: skip
        api.headers["Authorization"] = f"Bearer {json.loads(body)['token']}"
        count = node.run(
            "shell", "-c", "from kordon.seizures.models import Seizure; print(Seizure.objects.count())"
        )
        visible = int(count.split()[-1])  # the shell prints a line of its own first
        rng = random.Random(7)
        timed(api, list_paths("/api/v1/seizures", rng)[:20])  # warm the caches
        latencies = timed(api, [f"{path}&page_size=50" for path in list_paths("/api/v1/seizures", rng)])
        results.append({"benchmark": "seizure_list_api", "database": label, "seizures_in_node": visible,
                        "requests": len(latencies), **figures(latencies)})  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
        page = Client(base)
        _status, login = page.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        form = urllib.parse.urlencode({"username": "kg.blo.dostuk", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token.group(1).decode() if token else ""})  # fmt: skip
        page.request("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                               "Referer": f"{base}/login/"})  # fmt: skip
        timed(page, list_paths("/seizures/", rng)[:20])
        latencies = timed(page, list_paths("/seizures/", rng))
        results.append({"benchmark": "seizure_list_page", "database": label, "seizures_in_node": visible,
                        "requests": len(latencies), **figures(latencies)})  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
        results += bench_analytics_in_database(label, base, visible)
    finally:
        server.terminate()
        server.wait(timeout=30)
    refreshed = node.measure("analytics", "refresh")
    results.append({"benchmark": "analytics_mirror_refresh", "database": label, "seizures_in_node": visible,
                    "seconds": round(refreshed.seconds, 1), "peak_rss_mb": round(refreshed.peak_rss_mb)})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    server, base = node.serve(workers=2)
    try:
        results += bench_analytics(label, base, visible)
    finally:
        server.terminate()
        server.wait(timeout=30)
    seconds = analytics.bulletin(node, str(work / f"bulletin-{label}.pdf"))
    results.append({"benchmark": "bulletin_pdf", "database": label, "seizures_in_node": visible,
                    "seconds": round(seconds, 1)})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    results += bench_sharing(label, node, visible)
    return results


def _analyst(base: str) -> "Client":
    client = Client(base)
    _status, login = client.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login)
    form = urllib.parse.urlencode({"username": "kg.analyst", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1).decode() if token else ""})  # fmt: skip
    client.request("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded",
                                             "Referer": f"{base}/login/"})  # fmt: skip
    return client


def bench_analytics_in_database(label: str, base: str, visible: int) -> list[dict[str, Any]]:
    """The dashboard's panels before the analytics mirror exists: counted in the database alone.
    One round only: each panel takes seconds."""
    measured = analytics.panels(_analyst(base), 1)
    all_panels = [value for values in measured.values() for value in values]
    slowest = max(measured.items(), key=lambda item: max(item[1]))
    result = {"benchmark": "dashboard_panel_without_mirror", "database": label, "seizures_in_node": visible,
              "requests": len(all_panels), **figures(all_panels), "slowest_panel": slowest[0],
              "slowest_panel_ms": round(max(slowest[1]), 1)}  # fmt: skip
    print(json.dumps(result), flush=True)
    return [result]


def bench_analytics(label: str, base: str, visible: int) -> list[dict[str, Any]]:
    """The analyst of the agency that owns every imported seizure (see bench/analytics.py), with
    the analytics mirror in place."""
    client = _analyst(base)
    analytics.panels(client, 1)  # warm the caches (and load matplotlib in every worker it reaches)
    results = []
    measured = analytics.panels(client, ANALYTICS_ROUNDS)
    slowest = max(measured.items(), key=lambda item: percentile(item[1], 0.95))
    all_panels = [value for values in measured.values() for value in values]
    results.append({"benchmark": "dashboard_panel", "database": label, "seizures_in_node": visible,
                    "requests": len(all_panels), **figures(all_panels), "slowest_panel": slowest[0],
                    "slowest_panel_p95_ms": round(percentile(slowest[1], 0.95), 1)})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    browser = [client]
    for _ in range(5):
        connection = Client(base)
        connection.cookies = dict(client.cookies)
        browser.append(connection)
    # Once over every connection first, so that each server process has opened the mirror and
    # drawn a chart before it is timed (a node serves for days; the first request is not its speed).
    analytics.dashboards(browser, 1)
    totals = analytics.dashboards(browser, ANALYTICS_ROUNDS)
    results.append({"benchmark": "dashboard_full", "database": label, "seizures_in_node": visible,
                    "requests": len(totals), **figures(totals)})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    api = Client(base)
    api.headers["Authorization"] = f"Bearer {sharing.token(api, 'kg.analyst', PASSWORD)}"
    pivots = analytics.pivots(api, ANALYTICS_ROUNDS)
    results.append({"benchmark": "pivot_two_dimensions", "database": label, "seizures_in_node": visible,
                    "requests": len(pivots), **figures(pivots)})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    return results


def bench_sharing(label: str, node: Node, visible: int) -> list[dict[str, Any]]:
    agreements = sharing.prepare(node, PASSWORD)
    results = []
    server, base = node.serve(workers=2)
    try:
        partner = Client(base)
        partner.headers["Authorization"] = f"Bearer {sharing.token(partner, 'bench.partner', PASSWORD)}"
        rng = random.Random(11)
        timed(partner, list_paths("/api/v1/seizures", rng)[:20])
        latencies = timed(partner, [f"{path}&page_size=50" for path in list_paths("/api/v1/seizures", rng)])
        results.append({"benchmark": "partner_seizure_list_api", "database": label, "seizures_in_node": visible,
                        "agencies": sharing.AGENCIES, "agreements": agreements, "requests": len(latencies),
                        **figures(latencies)})  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    server, base = node.serve(workers=4, threads=1)
    try:
        outcome = sharing.load(lambda: Client(base), PASSWORD)
    finally:
        server.terminate()
        server.wait(timeout=30)
    verified = node.run("audit", "verify")
    latencies = outcome.pop("latencies")
    results.append({"benchmark": "load_mixed", "database": label, **outcome, **figures(latencies),
                    "audit_chain": verified.strip().splitlines()[-1]})  # fmt: skip
    print(json.dumps(results[-1]), flush=True)
    return results


def earlier_results(text: str, measured: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """The figures not measured this time (benchmark and database), from the report's raw lines."""
    section = SECTION.search(text)
    if not section:
        return []
    date = re.search(r"Measured (\d{4}-\d{2}-\d{2})", section.group(0))
    kept = []
    for line in section.group(0).splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            if (result["benchmark"], result["database"]) not in measured:
                result.setdefault("measured_on", date.group(1) if date else "")
                kept.append(result)
    return kept


def write_report(results: list[dict[str, Any]]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n\n"
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    results = [{**result, "measured_on": today} for result in results]
    results = (
        earlier_results(text, {(result["benchmark"], result["database"]) for result in results}) + results
    )
    results.sort(key=lambda result: (result["database"] != "sqlite", ORDER.index(result["benchmark"])))
    rows = []
    for result in results:
        if result["benchmark"] == "import_seizures_csv":
            target = "≥ 20,000 rows/s, < 1 GB"
            figure = f"{result['rows_per_second']:,} rows/s ({result['seconds']} s), peak {result['peak_rss_mb']} MB"
        elif result["benchmark"] == "bulletin_pdf":
            target, figure = "< 15 s", f"{result['seconds']} s"
        elif result["benchmark"] == "analytics_mirror_refresh":
            target = "(none: daily and after large imports)"
            figure = f"{result['seconds']} s, peak {result['peak_rss_mb']} MB"
        elif result["benchmark"] == "dashboard_panel_without_mirror":
            target = "(for comparison: counted in the database alone)"
            figure = (f"p50 {result['p50_ms']} ms, slowest panel {result['slowest_panel']} "
                      f"{result['slowest_panel_ms']} ms")  # fmt: skip
        elif result["benchmark"] == "load_mixed":
            target = "no errors, p99 < 500 ms, audit chain verifies"
            figure = (f"{result['clients']} clients, {result['requests']:,} requests ({result['writes']:,} writes) in "
                      f"{result['seconds']} s, {result['errors']} errors, {result['refused']} refused, p50 {result['p50_ms']} ms, "
                      f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms. {result['audit_chain']}")  # fmt: skip
        else:
            target = {"seizure_list_api": "p95 < 100 ms", "seizure_list_page": "p95 < 250 ms",
                      "partner_seizure_list_api": "p95 < 150 ms", "dashboard_panel": "every panel p95 < 300 ms",
                      "dashboard_full": "< 1 s", "pivot_two_dimensions": "< 500 ms"}[result["benchmark"]]  # fmt: skip
            figure = f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms"
            if "slowest_panel" in result:
                figure += (
                    f"; slowest panel {result['slowest_panel']}, p95 {result['slowest_panel_p95_ms']} ms"
                )
        rows.append(
            f"| {result['benchmark']} | {result['database']} | {result['measured_on']} | {figure} | {target} |"
        )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    section = "\n".join([
        "## Measured figures (issues 2, 3 and 4)", "",
        f"Measured on {machine} by `make bench` (`bench/run.py`); the date of each row is in its own column.", "",
        "| benchmark | database | date | measured | target |", "|---|---|---|---|---|", *rows, "",
        "Raw figures (JSON lines):", "", "```", *(json.dumps(result) for result in results), "```", "",
    ])  # fmt: skip
    RESULTS.write_text(SECTION.sub("", text).rstrip() + "\n\n" + section, encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kordon-bench-") as folder:
        work = Path(folder)
        results = bench_database("sqlite", None, work) if "sqlite" in DATABASES else []
        postgres = os.environ.get("KORDON_BENCH_POSTGRES_URL")
        if "postgresql" in DATABASES and postgres:
            results += bench_database("postgresql", postgres, work)
        elif "postgresql" in DATABASES:
            print("KORDON_BENCH_POSTGRES_URL is not set: PostgreSQL was not measured.", file=sys.stderr)
    write_report(results)


if __name__ == "__main__":
    main()
