"""Benchmarks of the analytics (issue 4), on the node of bench/run.py right after the imports: an
analyst of the agency that owns all of the more than 1,000,000 seizures (1.5 items each) asks
for a year of figures.

- each dashboard panel (`/analytics/panels/<name>/`), with the year and a drug group or none;
- the whole dashboard: the page, then every panel over six connections at once, as a browser
  loads it (until the last panel has arrived);
- a pivot of two dimensions through the API (month × drug group, kilograms);
- the bulletin of a quarter as PDF through `kordon report bulletin`, end to end.
"""

import queue
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# Every panel the dashboard page loads (kordon.analytics.views.PANELS).
PANELS = ["headline", "alerts", "trend", "map", "commodity_family", "substance", "country", "agency", "place",
          "detection_method", "transport_mode", "concealment", "published"]  # fmt: skip
QUERIES = [
    {"period": "2013"},
    {"period": "2013", "substance_group": "opioids"},
    {"period": "2012-01..2012-09"},
]


def _get(client: Any, path: str) -> float:
    started = time.perf_counter()
    status, _body = client.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    return (time.perf_counter() - started) * 1000


def panels(client: Any, rounds: int) -> dict[str, list[float]]:
    measured: dict[str, list[float]] = {panel: [] for panel in PANELS}
    for number in range(rounds):
        query = urllib.parse.urlencode(QUERIES[number % len(QUERIES)])
        for panel in PANELS:
            measured[panel].append(_get(client, f"/analytics/panels/{panel}/?{query}"))
    return measured


def dashboards(clients: list[Any], rounds: int) -> list[float]:
    """Milliseconds from asking for the page to the last panel, loaded as a browser loads it: the
    page, then its panels at once over `clients` (one connection each; browsers open six), each
    connection taking the next panel when it is free."""
    free: queue.Queue[Any] = queue.Queue()
    for client in clients:
        free.put(client)

    def load(path: str) -> None:
        client = free.get()
        try:
            _get(client, path)
        finally:
            free.put(client)

    totals = []
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        for number in range(rounds):
            query = urllib.parse.urlencode(QUERIES[number % len(QUERIES)])
            started = time.perf_counter()
            _get(clients[0], f"/analytics/?{query}")
            list(pool.map(load, [f"/analytics/panels/{panel}/?{query}" for panel in PANELS]))
            totals.append((time.perf_counter() - started) * 1000)
    return totals


def pivots(client: Any, rounds: int) -> list[float]:
    query = {"measure": "kilograms", "group_by": "month,substance_group"}
    return [
        _get(
            client,
            f"/api/v1/analytics/summary?{urllib.parse.urlencode({**query, **QUERIES[n % len(QUERIES)]})}",
        )
        for n in range(rounds)
    ]


def bulletin(node: Any, out: str) -> float:
    """Seconds for `kordon report bulletin` of a quarter, as PDF."""
    started = time.perf_counter()
    node.run(
        "report", "bulletin", "--period", "2013-Q3", "--user", "kg.analyst", "--language", "ru", "--out", out
    )
    return time.perf_counter() - started
