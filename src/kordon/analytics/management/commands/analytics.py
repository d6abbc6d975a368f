import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.analytics import mirror


class Command(BaseCommand):
    help = (
        "The analytics mirror. `kordon analytics refresh` copies the seizures into the mirror the "
        "dashboard counts from (run it once a day, e.g. from cron, and after a large import)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser(
            "refresh",
            help="take a new snapshot of the seizures for the dashboard, pivot tables and bulletin",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if mirror.mirror_path() is None:
            raise CommandError(
                "KORDON_ANALYTICS_MIRROR is empty, so the mirror is switched off and figures are "
                "counted in the database. Set it to a file path to use the mirror."
            )
        started = time.perf_counter()
        marks = mirror.build()
        self.stdout.write(
            f"Analytics mirror refreshed in {time.perf_counter() - started:.1f} s: seizures up to id "
            f"{marks.seizure:,}, written to {mirror.mirror_path()}."
        )
