import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.access.markings import HandlingCode
from kordon.core.commands import DISTRIBUTION_NAMES, TLP_NAMES, active_user, unit_by_code
from kordon.entities.exports import watchlist_ftm
from kordon.entities.importing import watchlist_import
from kordon.entities.models import Watchlist
from kordon.entities.selectors import watchlist_history


class Command(BaseCommand):
    help = (
        "Watchlists: `kordon watchlist import FILE --name NAME --unit CODE --user NAME` imports a list "
        "(a new version if the list exists); `kordon watchlist list --user NAME` shows the lists and versions; "
        "`kordon watchlist export ID --user NAME --out FILE` writes one as FollowTheMoney JSON lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser(
            "import",
            help="import a CSV or XLSX file with the columns id, name, alt_names, birth_date, nationality, "
            "document_number, gender, notes (alt_names separated by ';')",
        )
        load.add_argument("file", type=Path, help="the CSV or XLSX file")
        load.add_argument("--name", required=True, help="the list's name; the same name makes a new version")
        load.add_argument("--unit", required=True, help="code of the unit that owns the list")
        load.add_argument("--user", required=True, help="user name of the person importing")
        load.add_argument(
            "--tlp", choices=sorted(TLP_NAMES), default="amber", help="a new list's TLP (amber)"
        )
        load.add_argument(
            "--distribution",
            choices=sorted(DISTRIBUTION_NAMES),
            default="agency",
            help="who a new list is for (agency); 'partners' lets agencies with an agreement screen against it",
        )
        load.add_argument(
            "--handling", choices=["H0", "H1", "H2"], default="H0", help="a new list's handling code"
        )
        load.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
        show = verbs.add_parser("list", help="the lists the user may use, with their versions")
        show.add_argument("--user", required=True, help="user name")
        export = verbs.add_parser("export", help="a list's current version as FollowTheMoney JSON lines")
        export.add_argument("id", type=int, help="the list's number (see `kordon watchlist list`)")
        export.add_argument("--user", required=True, help="user name of the person exporting")
        export.add_argument("--out", required=True, type=Path, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        if options["verb"] == "list":
            self._list(user)
            return
        if options["verb"] == "export":
            self._export(user, options["id"], options["out"])
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        unit = unit_by_code(options["unit"])
        with action_context(client_address="cli"):
            try:
                result = watchlist_import(
                    actor=user,
                    unit=unit,
                    path=path,
                    name=options["name"],
                    tlp=TLP_NAMES[options["tlp"]],
                    handling_code=HandlingCode(options["handling"]),
                    distribution=DISTRIBUTION_NAMES[options["distribution"]],
                )
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        outcome = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
        else:
            self._report(outcome, options["name"])
        if result.failure:
            raise CommandError(result.failure)

    def _report(self, outcome: dict[str, Any], name: str) -> None:
        if outcome["version"]:
            self.stdout.write(
                f"{name}: version {outcome['version']}, {outcome['rows']} rows read: {outcome['imported']} "
                f"people imported, {outcome['rejected']} rows rejected."
            )
        for error in outcome["errors"][:50]:
            self.stdout.write(f"  row {error['row']} [{error['column']}]: {error['message']}")
        if len(outcome["errors"]) > 50:
            self.stdout.write(f"  … and {len(outcome['errors']) - 50} more (--json lists them all).")

    def _export(self, user: Any, watchlist_id: int, out: Path) -> None:
        with action_context(client_address="cli"):
            try:
                watchlist, lines = watchlist_ftm(user=user, watchlist_id=watchlist_id)
            except Watchlist.DoesNotExist:
                raise CommandError(f"There is no watchlist {watchlist_id} that {user} may export.") from None
            with out.open("w", encoding="utf-8") as handle:
                handle.writelines(lines)
        self.stdout.write(f"{watchlist.name}: written to {out}")

    def _list(self, user: Any) -> None:
        for watchlist in watchlist_history(user=user):
            self.stdout.write(
                f"{watchlist.pk}: {watchlist.name} ({watchlist.owner_unit.code}, {watchlist.get_tlp_display()})"
            )
            for version in watchlist.history:  # type: ignore[attr-defined]
                current = " (current)" if version.pk == watchlist.current_version_id else ""
                self.stdout.write(
                    f"  v{version.number}{current}: {version.entry_count} people from {version.file_name}, "
                    f"{version.imported_at:%Y-%m-%d %H:%M}"
                )
