from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.core.commands import active_user
from kordon.core.tabular import TableError
from kordon.entities.screening import screen_file


class Command(BaseCommand):
    help = (
        "Screen a file of people against the watchlists the user may use: "
        "`kordon screen FILE --user NAME --out RESULTS.csv`. The file has the columns of a watchlist "
        "file (name required); the result adds the best match, its score and the explanation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV or XLSX file of people")
        parser.add_argument("--user", required=True, help="user name of the person screening")
        parser.add_argument("--out", required=True, type=Path, help="where to write the results (CSV)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        user = active_user(options["user"])
        with action_context(client_address="cli"):
            try:
                outcome = screen_file(actor=user, path=path, out=options["out"])
            except TableError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            f"{outcome.rows} rows read: {outcome.screened} people screened, {outcome.alerts} with a possible "
            f"match. Results: {options['out']}"
        )
        for number, problem in outcome.problems[:50]:
            self.stdout.write(f"  row {number}: {problem}")
