import csv
import datetime
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.access.markings import HandlingCode
from kordon.core.commands import DISTRIBUTION_NAMES, TLP_NAMES, acting_unit, active_user
from kordon.core.downloads import SafeCsvWriter
from kordon.targeting import features, services, simulation
from kordon.targeting.declarations import Declaration, read_declarations
from kordon.targeting.riskmodel import TrainingError


def _read(paths: list[Path], out: Any) -> list[Declaration]:
    """Every good declaration of the files; bad rows are listed and skipped."""
    declarations: list[Declaration] = []
    for path in paths:
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        parsed = read_declarations(path)
        if parsed.failure:
            raise CommandError(f"{path}: {parsed.failure}")
        for problem in parsed.problems[:50]:
            out.write(f"{path.name} row {problem.row} [{problem.column}]: {problem.message} (row skipped)")
        if len(parsed.problems) > 50:
            out.write(f"{path.name}: … and {len(parsed.problems) - 50} more problems.")
        declarations.extend(parsed.declarations)
    return declarations


class Command(BaseCommand):
    help = (
        "Consignment risk targeting. `import FILE` loads declarations (our columns, the KCS benchmark's "
        "or Russian ones; rows with an outcome or Fraud labels bring their inspection); `train --data FILE "
        "[FILE …] --model NAME` trains a model on declarations with known outcomes (or, without --data, on "
        "the unit's inspected consignments); `score --model NAME --data FILE --out SCORES.csv` writes "
        "declaration_id,score for every good row; `select --day DATE --capacity 40` assigns today's lanes; "
        "`simulate --data FILE …` replays history week by week to compare rules, the model and model + random."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="import a CSV or XLSX file of declarations")
        load.add_argument("file", type=Path)
        load.add_argument(
            "--unit", help="code of the unit that owns the consignments (the user's own if only one)"
        )
        load.add_argument("--user", required=True, help="user name of the person importing")
        load.add_argument("--tlp", choices=sorted(TLP_NAMES), default="amber")
        load.add_argument("--distribution", choices=sorted(DISTRIBUTION_NAMES), default="agency")
        load.add_argument("--handling", choices=["H0", "H1", "H2"], default="H0")
        train = verbs.add_parser("train", help="train a risk model; it becomes the model's next version")
        train.add_argument("--model", required=True, help="the model's name")
        train.add_argument("--data", nargs="*", type=Path, default=[], help="declaration files with outcomes")
        train.add_argument("--unit", help="code of the unit that owns the model (the user's own if only one)")
        train.add_argument("--user", required=True)
        train.add_argument("--seed", type=int, default=0)
        score = verbs.add_parser("score", help="score a file of declarations with a model")
        score.add_argument("--model", required=True, help="the model's name (its newest version is used)")
        score.add_argument("--data", required=True, type=Path)
        score.add_argument("--out", required=True, type=Path, help="the CSV to write: declaration_id,score")
        score.add_argument("--user", required=True)
        replay = verbs.add_parser(
            "simulate",
            help="replay labelled declarations week by week: rules only, model only, model + random picks",
        )
        replay.add_argument(
            "--data", nargs="+", type=Path, required=True, help="declaration files with outcomes"
        )
        replay.add_argument("--rate", type=float, default=10.0, help="percent of each week inspected (10)")
        replay.add_argument(
            "--random-share", type=float, default=10.0, help="percent of picks at random (10)"
        )
        replay.add_argument(
            "--warmup-weeks", type=int, default=4, help="weeks labelled in full at the start (4)"
        )
        replay.add_argument("--out", type=Path, help="a CSV with each week's figures")
        replay.add_argument("--user", required=True)
        select = verbs.add_parser("select", help="assess a day's consignments and assign their lanes")
        select.add_argument("--day", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        select.add_argument("--capacity", required=True, help="inspections possible: 40, or 5%%")
        select.add_argument(
            "--random-share", type=float, default=10.0, help="percent kept for random picks (10)"
        )
        select.add_argument("--model", default="", help="the model's name (the newest model by default)")
        select.add_argument("--unit", help="the unit whose consignments (the user's own if only one)")
        select.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        handler = getattr(self, f"_{options['verb']}")
        with action_context(client_address="cli"):
            try:
                handler(user, options)
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            except TrainingError as error:
                raise CommandError(str(error)) from None

    def _import(self, user: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        result = services.import_consignments(
            actor=user,
            unit=acting_unit(user, options["unit"]),
            path=path,
            tlp=TLP_NAMES[options["tlp"]],
            handling_code=HandlingCode(options["handling"]),
            distribution=DISTRIBUTION_NAMES[options["distribution"]],
        )
        outcome = result.as_dict()
        for error in outcome["errors"][:50]:
            self.stdout.write(f"  row {error['row']} [{error['column']}]: {error['message']}")
        if result.failure:
            raise CommandError(result.failure)
        self.stdout.write(
            f"{outcome['rows']} rows read: {outcome['imported']} consignments imported "
            f"({outcome['inspections']} with their inspection), {outcome['rejected']} rows rejected."
        )

    def _train(self, user: Any, options: dict[str, Any]) -> None:
        unit = acting_unit(user, options["unit"])
        if options["data"]:
            declarations = _read(options["data"], self.stdout)
            model = services.save_model(
                actor=user, unit=unit, name=options["model"], declarations=declarations, seed=options["seed"]
            )
        else:
            model = services.train_from_records(
                actor=user, unit=unit, name=options["model"], seed=options["seed"]
            )
        figures = model.metrics
        self.stdout.write(
            f"{model}: trained on {model.rows} declarations ({model.positives} hits), "
            f"{model.trained_from} to {model.trained_until}. On the newest fifth: AUC {figures['auc']}, "
            f"precision at 5 % {figures['precision@5']}, at 10 % {figures['precision@10']}."
        )

    def _score(self, user: Any, options: dict[str, Any]) -> None:
        model = services.newest_model(user, options["model"])
        if model is None:
            raise CommandError(f"There is no model {options['model']!r} that {user} may use; train it first.")
        declarations = _read([options["data"]], self.stderr)
        scores: Any = (
            services.trained(model).probabilities(features.columns_of(declarations)) if declarations else []
        )
        with options["out"].open("w", newline="", encoding="utf-8") as handle:
            writer = SafeCsvWriter(handle)  # declaration ids come from the traders' own files
            writer.writerow(["declaration_id", "score"])
            for declaration, score in zip(declarations, scores, strict=True):
                writer.writerow([declaration.fields["declaration_id"], f"{score:.6f}"])
        self.stdout.write(
            f"{len(declarations)} declarations scored with {model}; written to {options['out']}."
        )

    def _simulate(self, user: Any, options: dict[str, Any]) -> None:
        declarations = _read(options["data"], self.stdout)
        weeks = simulation.simulate(
            declarations,
            rate=options["rate"] / 100,
            random_share=options["random_share"] / 100,
            warmup_weeks=options["warmup_weeks"],
            progress=self.stdout.write if options["verbosity"] > 1 else None,
        )
        if options["out"]:
            with options["out"].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(
                    [
                        "week",
                        "declarations",
                        "base_rate",
                        *(
                            f"{s}_{m}"
                            for s in simulation.STRATEGIES
                            for m in ("picked", "hits", "normalised")
                        ),
                    ]
                )
                for week in weeks:
                    writer.writerow(
                        [week.start, week.declarations, f"{week.base_rate:.4f}"]
                        + [
                            v
                            for s in simulation.STRATEGIES
                            for v in (week.picked[s], week.hits[s], f"{week.normalised[s]:.4f}")
                        ]
                    )
        self.stdout.write(f"{len(weeks)} weeks replayed, {options['rate']:g} % inspected each week.")
        for strategy, figures in simulation.summary(weeks).items():
            self.stdout.write(
                f"  {strategy:13} hit rate {figures['hit_rate']:.3f}, normalised {figures['normalised']:.3f}, "
                f"hits found {figures['hits_found']:.3f} ({figures['inspected']} inspections)"
            )
        estimate = simulation.random_hit_rate(weeks)
        if estimate is not None:
            self.stdout.write(
                f"  random picks' hit rate {estimate:.3f} (the unbiased estimate of the base rate)"
            )

    def _select(self, user: Any, options: dict[str, Any]) -> None:
        unit = acting_unit(user, options["unit"])
        model = services.newest_model(user, options["model"], unit)
        if options["model"] and model is None:
            raise CommandError(f"There is no model {options['model']!r} that {user} may use.")
        try:
            worklist = services.select_day(
                actor=user,
                unit=unit,
                day=options["day"],
                capacity=options["capacity"],
                random_share=options["random_share"] / 100,
                model=model,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            json.dumps(
                {
                    "day": worklist.day.isoformat(),
                    "consignments": worklist.consignments,
                    "capacity": worklist.capacity,
                    "lanes": worklist.lanes,
                }
            )
        )
