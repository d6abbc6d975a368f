import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from kordon.access.context import action_context
from kordon.cases.bundle import case_bundle
from kordon.cases.selectors import cases
from kordon.core.commands import active_user


class Command(BaseCommand):
    help = (
        "Investigation cases: `kordon case export NUMBER --user NAME --out FILE.zip [--language ru|en|ky|kk|uz|tg]` writes "
        "the case as a bundle (its data as JSON, each exhibit's chain of custody as PDF, the exhibits' "
        "documents), as far as the user may see it; `kordon case list --user NAME` lists the cases."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        export = verbs.add_parser("export", help="a case as a ZIP bundle")
        export.add_argument("reference", help="the case number, such as 2013/17")
        export.add_argument("--user", required=True, help="user name of the person exporting")
        export.add_argument("--out", required=True, type=Path, help="the ZIP file to write")
        export.add_argument(
            "--language",
            default="ru",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the PDFs (ru)",
        )
        show = verbs.add_parser("list", help="the cases the user may see")
        show.add_argument("--user", required=True, help="user name")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        found = cases(user=user)
        if options["verb"] == "list":
            for case in found:
                self.stdout.write(
                    f"{case.reference}\t{case.get_status_display()}\t{case.title}\t{case.owner_unit.code}"
                )
            return
        matching = list(found.filter(reference=options["reference"])[:2])
        if len(matching) != 1:
            raise CommandError(
                f"{user} may see no case numbered {options['reference']!r} (or several: ask by agency)."
            )
        with action_context(client_address="cli"):
            try:
                counts = case_bundle(
                    actor=user, case_id=matching[0].pk, out=options["out"], language=options["language"]
                )
            except Http404:
                raise CommandError("The case is not yours to export.") from None
        self.stdout.write(json.dumps({"written": str(options["out"]), **counts}))
