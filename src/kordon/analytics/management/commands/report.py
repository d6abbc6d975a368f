from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.analytics.bulletin import write_bulletin
from kordon.analytics.periods import Period, PeriodError
from kordon.core.models import Unit


class Command(BaseCommand):
    help = (
        "Reports. `kordon report bulletin --period 2013-Q3 --user NAME --out FILE.pdf` makes the "
        "bulletin (PDF, or XLSX when FILE ends in .xlsx) over what that user may see or count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        bulletin = verbs.add_parser("bulletin", help="the periodic seizure bulletin, as PDF or XLSX")
        bulletin.add_argument(
            "--period", required=True, help="2013, 2013-H1, 2013-Q3, 2013-07 or 2013-01..2013-09"
        )
        bulletin.add_argument(
            "--user", required=True, help="whose view the bulletin shows (the policy applies)"
        )
        bulletin.add_argument("--unit", help="only the seizures of this unit (its code)")
        bulletin.add_argument(
            "--language", default=settings.LANGUAGE_CODE, choices=[code for code, _name in settings.LANGUAGES]
        )
        bulletin.add_argument("--out", required=True, help="the file to write: .pdf or .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.parse(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(
                f"There is no active user {options['user']!r}. Name the person whose view to report."
            )
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(
                    f"There is no unit {options['unit']!r}; `kordon shell` lists them with Unit.objects.all()."
                )
        out = Path(options["out"])
        if out.suffix.lower() not in (".pdf", ".xlsx"):
            raise CommandError("Write the bulletin to a .pdf or an .xlsx file.")
        with action_context(client_address="cli"):
            content = write_bulletin(
                user=user,
                period=period,
                unit=unit,
                language=options["language"],
                file_format=out.suffix.lower()[1:],
            )
        out.write_bytes(content)
        self.stdout.write(f"Bulletin for {period.code} written to {out} ({len(content):,} bytes).")
