from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.audit import EXPORT, audit_read
from kordon.access.context import action_context
from kordon.core.commands import acting_unit, active_user
from kordon.prisons import reports, services
from kordon.prisons.models import Framework


class Command(BaseCommand):
    help = (
        "Prison security. `framework import FILE.xlsx --user NAME` stores an XLSForm as the next version "
        "of the security framework (every problem is listed by row and column, and nothing is stored "
        "while there is one); without FILE it installs the framework that ships with Kordon. "
        "`framework export --out FILE.xlsx --user NAME` writes the newest version back as an XLSForm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subjects = parser.add_subparsers(dest="subject", required=True)
        framework = subjects.add_parser("framework", help="the security framework (XLSForm)")
        verbs = framework.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="store an XLSForm as the next framework version")
        load.add_argument(
            "file", type=Path, nargs="?", help="the .xlsx (the default framework when left out)"
        )
        load.add_argument("--user", required=True, help="user name of the person importing")
        load.add_argument("--unit", help="code of the unit that owns it (the user's own if only one)")
        export = verbs.add_parser("export", help="write the newest framework version as an XLSForm")
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        with action_context(client_address="cli"):
            try:
                if options["verb"] == "import":
                    self._import(user, options)
                else:
                    self._export(user, options)
            except PermissionDenied as error:
                raise CommandError(str(error)) from None

    def _import(self, user: Any, options: dict[str, Any]) -> None:
        unit = acting_unit(user, options["unit"])
        path: Path | None = options["file"]
        if path is None:
            result = services.framework_import_default(actor=user, unit=unit)
        elif not path.is_file():
            raise CommandError(f"There is no file {path}.")
        else:
            result = services.framework_import(
                actor=user, unit=unit, content=path.read_bytes(), file_name=path.name
            )
        for problem in result.problems:
            where = f"row {problem.row}" if problem.row else "file"
            self.stdout.write(f"  {where} [{problem.column}]: {problem.message}")
        if result.framework is None:
            raise CommandError(
                f"{len(result.problems)} problems: nothing was stored. Fix them and import again."
            )
        framework = result.framework
        self.stdout.write(
            f"Stored {framework.title} as version {framework.version} with {framework.items.count()} questions "
            f"({framework.items.filter(kind='compliance').count()} scored standards)."
        )

    def _export(self, user: Any, options: dict[str, Any]) -> None:
        framework = Framework.objects.restrict(user).order_by("-created_at", "-version").first()
        if framework is None:
            raise CommandError("You see no security framework: import one first.")
        options["out"].write_bytes(reports.framework_xlsx(framework))
        audit_read(user, framework, EXPORT, format="xlsx", file=str(options["out"]))
        self.stdout.write(f"Wrote {framework} to {options['out']}.")
