"""Risk targeting on the KCS benchmark (issue 6): accuracy over five seeds and scoring speed.

Protocol (../shared/reference/risk-targeting.md §6): train on the 2020 declarations of the KCS
training file, hold out the 2021 first quarter (the validation file) in time order; the official
test quarter is not used. Figures on the whole hold-out and on its slice whose (net mass, item
price) pair never occurs in training, which the synthetic data's memorisable pairs do not help.

    .venv/bin/python -m bench.targeting [--data ../shared/data/customs]
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kordon.config.settings_test")
os.environ.setdefault("KORDON_SECRET_KEY", "bench-only-" + "x" * 40)
django.setup()

import numpy as np  # noqa: E402
import pycountry  # noqa: E402

from bench import sharing  # noqa: E402
from bench.node import Node  # noqa: E402
from bench.run import PASSWORD, Client, figures  # noqa: E402
from kordon.targeting import evaluation, features, riskmodel, simulation  # noqa: E402
from kordon.targeting.declarations import DeclarationParser, read_declarations  # noqa: E402
from kordon.targeting.models import HITS, SERIOUS  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
UNIT, OFFICER = "kz-customs-pcu-aktau", "kz.pcu.aktau"
KEYS = (
    "auc",
    "precision@1",
    "precision@2",
    "precision@5",
    "precision@10",
    "recall@1",
    "recall@2",
    "recall@5",
    "recall@10",
    "serious_recall@1",
    "serious_recall@2",
    "serious_recall@5",
    "serious_recall@10",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/customs"))
    parser.add_argument("--no-replay", action="store_true", help="skip the weekly simulation (3 minutes)")
    args = parser.parse_args()
    # The node's country vocabulary without a database: ISO codes are all KCS uses.
    countries = {c.alpha_2.lower(): c.alpha_2 for c in pycountry.countries}
    started = time.perf_counter()
    train = read_declarations(args.data / "df_syn_train_eng.csv", DeclarationParser(countries))
    hold = read_declarations(args.data / "df_syn_valid_eng.csv", DeclarationParser(countries))
    read_seconds = time.perf_counter() - started
    rows = train.rows + hold.rows
    print(
        f"read {rows} rows in {read_seconds:.1f} s ({rows / read_seconds:,.0f} rows/s); problems {len(train.problems) + len(hold.problems)}"
    )
    hits = np.array([d.outcome in HITS for d in hold.declarations])
    serious = np.array([d.outcome in SERIOUS for d in hold.declarations])
    seen = {(d.fields["net_mass"], d.fields["declared_value"]) for d in train.declarations}
    unseen = np.array(
        [(d.fields["net_mass"], d.fields["declared_value"]) not in seen for d in hold.declarations]
    )
    columns = features.columns_of(hold.declarations)
    whole, fresh, train_seconds = [], [], []
    model = None
    for seed in SEEDS:
        started = time.perf_counter()
        model, _figures = riskmodel.train(train.declarations, seed)
        train_seconds.append(time.perf_counter() - started)
        scores = model.probabilities(columns)
        whole.append(evaluation.figures(scores, hits, serious))
        fresh.append(evaluation.figures(scores[unseen], hits[unseen], serious[unseen]))
    print(
        f"hold-out {len(hits)} rows, base rate {hits.mean():.3f}; unseen-pair slice {unseen.sum()} rows, base rate {hits[unseen].mean():.3f}"
    )
    print(f"training {statistics.mean(train_seconds):.1f} s per model ({len(train.declarations)} rows)")
    for label, runs in (("whole hold-out", whole), ("unseen-pair slice", fresh)):
        cells = [
            f"{k} {statistics.mean(r[k] for r in runs):.3f} ± {statistics.pstdev(r[k] for r in runs):.3f}"
            for k in KEYS
            if k in runs[0]
        ]
        print(f"{label}: " + "; ".join(cells))
    assert model is not None
    big = {name: values * 25 for name, values in columns.items()}
    model.probabilities({name: values[:1000] for name, values in big.items()})  # warm up
    started = time.perf_counter()
    model.probabilities(big)
    batch = time.perf_counter() - started
    print(
        f"batch scoring {len(big['hs_code']):,} declarations: {len(big['hs_code']) / batch:,.0f} per s (features and trees)"
    )
    matrix = features.matrix(big, model.vocabulary)
    started = time.perf_counter()
    model.booster.predict(matrix, raw_score=True)
    trees = time.perf_counter() - started
    print(f"trees alone: {len(big['hs_code']) / trees:,.0f} per s")
    single = []
    for index in range(2000):
        one = {name: values[index : index + 1] for name, values in columns.items()}
        started = time.perf_counter()
        model.probabilities(one)
        model.reasons(one)
        single.append(time.perf_counter() - started)
    single.sort()
    print(
        f"one declaration with its reasons, in process: p50 {single[1000] * 1000:.2f} ms, p99 {single[1979] * 1000:.2f} ms"
    )
    api_latency(args.data, hold.declarations)
    if not args.no_replay:
        replay(train.declarations + hold.declarations)


def api_latency(data: Path, held_out: list) -> None:
    """One consignment through POST /api/v1/targeting/score over real HTTP, on a throwaway node
    with the demo and a model trained on both KCS files."""
    with tempfile.TemporaryDirectory() as root:
        node = Node(Path(root) / "node")
        node.run("migrate", "--no-input")
        node.run("demo", "--password", PASSWORD)
        files = [str((data / name).resolve()) for name in ("df_syn_train_eng.csv", "df_syn_valid_eng.csv")]
        node.run("targeting", "train", "--data", *files, "--model", "KCS", "--unit", UNIT, "--user", OFFICER)
        server, base = node.serve(workers=2)
        try:
            api = Client(base)
            api.headers["Authorization"] = f"Bearer {sharing.token(api, OFFICER, PASSWORD)}"
            latencies = []
            for number, declaration in enumerate(held_out[:1200]):
                fields = {key: value for key, value in declaration.fields.items() if value not in ("", None)}
                fields["declared_on"] = declaration.declared_on.isoformat()
                body = json.dumps({"model": "KCS", "declarations": [fields]})
                started = time.perf_counter()
                status, answer = api.request(
                    "POST", "/api/v1/targeting/score", body, {"Content-Type": "application/json"}
                )
                if number >= 200:  # the first requests load the model in each worker
                    latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"score answered {status}: {answer[:300]!r}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"API, one declaration per request ({len(latencies)} requests, 2 workers): {figures(latencies)}")


def replay(declarations: list) -> None:
    """The weekly simulation over both files (2020-01 to 2021-03), at 10 % and 5 % inspected."""
    for rate in (0.10, 0.05):
        for seed in (0, 1):
            started = time.perf_counter()
            weeks = simulation.simulate(declarations, rate=rate, seed=seed)
            cells = "; ".join(
                f"{name} hit rate {f['hit_rate']:.3f} normalised {f['normalised']:.3f} found {f['hits_found']:.3f}"
                for name, f in simulation.summary(weeks).items()
            )
            print(
                f"simulation {rate:.0%} seed {seed}, {len(weeks)} weeks in {time.perf_counter() - started:.0f} s: "
                f"{cells}; random picks' hit rate {simulation.random_hit_rate(weeks):.3f}"
            )


if __name__ == "__main__":
    main()
