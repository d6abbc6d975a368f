from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.audit import audit_verify
from kordon.access.context import action_context


class Command(BaseCommand):
    help = "Work with the audit trail. `kordon audit verify` proves that no line was changed or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("verify", help="recompute the hash chain and name the first broken line")

    def handle(self, *args: Any, **options: Any) -> None:
        with action_context(client_address="cli"):
            report = audit_verify(actor=None)
        if not report.ok:
            raise CommandError(
                f"The audit trail is broken at line {report.first_broken}: {report.reason}. "
                f"{report.checked} lines before it are intact. Keep a copy of the database and "
                f"tell the node's security officer."
            )
        self.stdout.write(f"The audit trail is intact: {report.checked} lines verified.")
