import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.core.models import Unit, User
from kordon.federation.misp import export_events, import_events


class Command(BaseCommand):
    help = (
        "MISP core format, for partners that run MISP. `kordon misp export --user NAME --out FILE.json` "
        "writes the seizures and alerts that user may export as MISP events (with TLP tags); "
        "`kordon misp import FILE.json --user NAME --unit CODE --to CODE` turns MISP events into alerts "
        "from a unit to the units named."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="seizures and alerts as MISP events")
        export.add_argument("--user", required=True, help="whose view to export (and who is audited)")
        export.add_argument("--out", required=True, type=Path)
        export.add_argument(
            "--since", type=datetime.date.fromisoformat, help="only from this day (YYYY-MM-DD)"
        )
        load = verbs.add_parser("import", help="MISP events as alerts")
        load.add_argument("file", type=Path)
        load.add_argument("--user", required=True, help="the officer who sends the alerts")
        load.add_argument("--unit", required=True, help="code of the sending unit")
        load.add_argument("--to", action="append", required=True, help="code of a recipient unit (repeat)")
        load.add_argument("--valid-days", type=int, default=30, help="how long the alerts stay valid (30)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']!r}. Check the spelling.")
        with action_context(client_address="cli"):
            if options["verb"] == "export":
                document = export_events(actor=user, since=options["since"])
                options["out"].write_text(
                    json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                self.stdout.write(f"{options['out']}: {len(document['response'])} MISP events.")
                return
            self._import(user, options)

    def _import(self, user: User, options: dict[str, Any]) -> None:
        codes = [options["unit"], *options["to"]]
        units = dict(Unit.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = [code for code in codes if code not in units]
        if missing:
            raise CommandError(f"Unknown unit codes: {', '.join(missing)}.")
        try:
            document = json.loads(options["file"].read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{options['file']} is not a readable JSON file: {error}") from None
        outcome = import_events(
            document,
            actor=user,
            sender_unit_id=units[options["unit"]],
            recipient_unit_ids=[units[code] for code in options["to"]],
            valid_days=options["valid_days"],
        )
        self.stdout.write(
            f"Alerts sent: {len(outcome.imported)} ({', '.join(outcome.imported) or '-'}). "
            f"Already imported: {len(outcome.already)}. Refused: {len(outcome.refused)}."
        )
        for event, reason in outcome.refused:
            self.stderr.write(f"  {event}: {reason}")
