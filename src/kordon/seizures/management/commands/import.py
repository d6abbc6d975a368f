import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.core.models import Unit
from kordon.seizures.importing import import_seizures


class Command(BaseCommand):
    help = "Import records from a CSV or XLSX file: `kordon import seizures FILE --unit CODE --user NAME`."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        seizures = kinds.add_parser(
            "seizures",
            help="seizures in the canonical template (Russian headers and Windows-1251 files are fine too)",
        )
        seizures.add_argument("file", type=Path, help="the CSV or XLSX file")
        seizures.add_argument("--unit", required=True, help="code of the unit that will own the seizures")
        seizures.add_argument("--user", required=True, help="user name of the person importing")
        seizures.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
        seizures.add_argument("--json", action="store_true", help="print the outcome as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}.")
        unit = Unit.objects.select_related("agency").filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(
                f"There is no unit with code {options['unit']!r}; see the units page or the admin."
            )
        with action_context(client_address="cli"):
            try:
                result = import_seizures(
                    actor=user, unit=unit, path=path, file_name=path.name, commit=not options["dry_run"]
                )
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._report(result.as_dict(), options["dry_run"])
        if result.batch.status == "failed":
            raise CommandError(result.batch.message)

    def _report(self, outcome: dict[str, Any], dry_run: bool) -> None:
        verb = "would be imported" if dry_run else "imported"
        self.stdout.write(
            f"{outcome['rows']} rows read: {outcome['imported']} {verb} "
            f"({outcome['new_seizures']} new seizures), {outcome['duplicates']} already in Kordon, "
            f"{outcome['rejected']} rejected."
        )
        for error in outcome["errors"][:50]:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stdout.write(f"  row {error['row']}{column}: {error['message']}")
        if len(outcome["errors"]) > 50:
            self.stdout.write(
                f"  … and {len(outcome['errors']) - 50} more; see the import page for all of them."
            )
