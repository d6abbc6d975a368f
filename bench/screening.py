"""Screening against a watchlist of generated identities (issue 5): how many of the people on the
list it finds when they travel under another writing of their name, how often it alerts on a
stranger, how fast, and what the index costs.

A throwaway node imports a watchlist of N identities through `kordon watchlist import`, as lists
know people (`listed`: Cyrillic names, a Latin spelling by one of several schemes, birth dates
that are only a year or have day and month swapped or a digit wrong, an old passport's number or
none). Then `kordon screen` screens a file of travellers as a border post reads their passports
(bench/identities.py `passport`): half are people of the list, half are strangers drawn from the
same name pools, so that many of them have namesakes on the list. The screen runs with a threshold
of 50% so that the thresholds above it can be read off its scores. Then single screenings, as the API
makes them (the policy's query, the index, the scorer, the audit line), are timed one by one.

    python -m bench.screening [entries] [queries of each kind]
"""

import csv
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.identities import SCHEMES, Identity, identity, passport, romanise
from bench.node import Node
from bench.report import write_section

COUNTRIES = ["KG", "KZ", "UZ", "TJ", "TM", "RU", "AF"]
THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
SINGLE_QUERIES = 2000
PASSWORD = "benchmark-password-1"


def listed(number: int, person: Identity, rng: random.Random) -> list[str]:
    """How a watchlist knows a person: the name in Cyrillic, mostly with the patronymic, often
    with a Latin spelling as another name (Afghan names in Latin only); the birth date in full,
    or only its year, or with the day and month swapped or a digit wrong; the number of the
    passport he had when he was listed (another one since), or none."""
    father = person.father
    patronymic = f"{father.removesuffix('й')}евич" if father.endswith("й") else f"{father}ович"
    alias = ""
    if person.country == "AF":
        name = f"{person.surname} {person.given}"
    else:
        name = f"{person.surname} {person.given}" + (f" {patronymic}" if rng.random() < 0.8 else "")
        if rng.random() < 0.5:
            alias = romanise(f"{person.surname} {person.given}", rng.choice(sorted(SCHEMES))).upper()
    born = person.birth_date
    year, month, day = born.split("-")
    draw = rng.random()
    if draw < 0.17:
        born = year
    elif draw < 0.25 and int(day) <= 12:
        born = f"{year}-{day}-{month}"
    elif draw < 0.30:
        born = _digit_off(born, rng)
    document = person.document
    draw = rng.random()
    if draw < 0.05:
        spot = rng.randrange(2, len(document))
        document = document[:spot] + str((int(document[spot]) + 3) % 10) + document[spot + 1 :]
    elif draw < 0.2:
        document = identity(rng, person.country).document
    elif draw < 0.5:
        document = ""
    return [f"W{number}", name, alias, born, person.country, document, "male", ""]


def _what_the_list_knows(person: Identity, entry: list[str]) -> str:
    """What the list's entry holds besides the name: the passport's number (or one character off),
    a full birth date, or only the year."""
    document, born = entry[5], entry[3]
    if document and sum(a != b for a, b in zip(document, person.document, strict=False)) <= 1:
        return "document"
    return "full_date" if len(born) == 10 else "year_only"


def _digit_off(born: str, rng: random.Random) -> str:
    """The date with one digit wrong, still a date (a list rejects 1975-13-40)."""
    while True:
        spot = rng.choice([2, 3, 5, 6, 8, 9])
        wrong = born[:spot] + str((int(born[spot]) + rng.randint(1, 9)) % 10) + born[spot + 1 :]
        try:
            datetime.date.fromisoformat(wrong)
        except ValueError:
            continue
        return wrong


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def screening(entries: int, queries: int) -> dict[str, Any]:
    rng = random.Random(2027)
    root = Path(tempfile.mkdtemp(prefix="kordon-bench-screening-"))
    node = Node(root / "node")
    node.run("migrate", "--verbosity", "0")
    node.run("demo", "--password", PASSWORD)

    people = [identity(rng, rng.choice(COUNTRIES)) for _ in range(entries)]
    watchlist = root / "watchlist.csv"
    with watchlist.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "name", "alt_names", "birth_date", "nationality", "document_number", "gender", "notes"]
        )
        knows: list[str] = []
        for number, person in enumerate(people):
            entry = listed(number, person, rng)
            knows.append(_what_the_list_knows(person, entry))
            writer.writerow(entry)
    imported = node.measure(
        "watchlist", "import", str(watchlist), "--name", "Bench", "--unit", "kg-dcs-blo-dostuk",
        "--user", "kg.blo.dostuk", "--json",
    )  # fmt: skip
    outcome = json.loads(imported.stdout)
    index_bytes = sum(
        path.stat().st_size for path in (root / "node" / "screening").rglob("*") if path.is_file()
    )

    travellers = root / "travellers.csv"
    rows = []
    for number, truth in enumerate(rng.sample(range(entries), queries)):
        rows.append({"id": f"P{number}:W{truth}", **passport(people[truth], rng)})
    for number in range(queries):
        rows.append({"id": f"N{number}", **passport(identity(rng, rng.choice(COUNTRIES)), rng)})
    rng.shuffle(rows)
    with travellers.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["id", "name", "birth_date", "document_number", "nationality"])
        writer.writeheader()
        writer.writerows(rows)
    results = root / "results.csv"
    node.env["KORDON_SCREENING_THRESHOLD"] = "50"
    batch = node.measure("screen", str(travellers), "--user", "kg.blo.dostuk", "--out", str(results))
    del node.env["KORDON_SCREENING_THRESHOLD"]
    found: dict[float, list[int]] = {threshold: [0, 0] for threshold in THRESHOLDS}
    kinds = Counter(knows[int(row["id"].split(":W")[1])] for row in rows if row["id"].startswith("P"))
    found_by_kind: Counter[str] = Counter()
    with results.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            score = float(row["score"] or 0)
            positive = row["id"].startswith("P")
            for threshold in THRESHOLDS:
                if score >= threshold:
                    if not positive:
                        found[threshold][1] += 1
                    elif row["id"].endswith(f":{row['best_entity_id']}"):
                        found[threshold][0] += 1
                        if threshold == 0.7:
                            found_by_kind[knows[int(row["id"].split(":W")[1])]] += 1

    # Single screenings in this process, as the API makes them.
    os.environ.update(node.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kordon.config.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from kordon.access.context import action_context
    from kordon.entities.matching import Person
    from kordon.entities.screening import screen_person

    officer = get_user_model().objects.get(username="kg.blo.dostuk")
    timings = []
    with action_context(client_address="bench"):
        screen_person(actor=officer, query=Person("Warm Up"))
        for row in rows[:SINGLE_QUERIES]:
            query = Person(row["name"], row["birth_date"], row["nationality"], row["document_number"])
            started = time.perf_counter()
            screen_person(actor=officer, query=query)
            timings.append((time.perf_counter() - started) * 1000)

    return {
        "benchmark": "screening",
        "entries": outcome["imported"],
        "schemes": sorted(SCHEMES),
        "import_seconds": round(imported.seconds, 1),
        "index_seconds": outcome["index_seconds"],
        "import_peak_rss_mb": round(imported.peak_rss_mb),
        "index_mb": round(index_bytes / 1e6),
        "queries": len(rows),
        "batch_seconds": round(batch.seconds, 1),
        "batch_queries_per_second": round(len(rows) / batch.seconds),
        "batch_peak_rss_mb": round(batch.peak_rss_mb),
        "single_p50_ms": round(statistics.median(timings), 2),
        "single_p99_ms": round(_percentile(timings, 0.99), 2),
        "recall_at_0.7_by_what_the_list_knows": {
            kind: {"share": round(count / queries, 3), "recall": round(found_by_kind[kind] / count, 4)}
            for kind, count in sorted(kinds.items())
        },
        "by_threshold": {
            str(threshold): {"recall": round(hits / queries, 4), "false_alert_rate": round(alerts / queries, 5)}
            for threshold, (hits, alerts) in found.items()
        },
    }  # fmt: skip


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    queries = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    results = [screening(entries, queries)]
    # Django is set up now (for the single screenings): the scorer's own benchmarks.
    from bench import identities, names, yente

    results += [identities.measure(), yente.measure(), *names.measure()]
    for result in results:
        print(json.dumps(result, ensure_ascii=False))
    write_section("Persons and screening (issue 5)", "python -m bench.screening", results)


if __name__ == "__main__":
    main()
