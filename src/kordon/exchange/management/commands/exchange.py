from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kordon.access.context import action_context
from kordon.exchange.services import alerts_expire, requests_remind_overdue


class Command(BaseCommand):
    help = "Alerts and requests for information: `kordon exchange daily` runs the daily job."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser(
            "daily",
            help="expire alerts past their validity and remind units of overdue requests (run once a day, e.g. from cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with action_context(client_address="cli"):
            expired = alerts_expire()
            reminded = requests_remind_overdue()
        self.stdout.write(f"Alerts expired: {expired}. Overdue requests reminded: {reminded}.")
