import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kordon.access.context import action_context
from kordon.core.commands import active_user
from kordon.entities import services
from kordon.entities.exports import entities_ftm
from kordon.entities.models import LinkingRun


class Command(BaseCommand):
    help = (
        "Persons, vehicles, companies, phones and documents: `kordon entities link --user NAME` compares "
        "all the person records the user may see and queues the likely pairs for review (as the page's "
        "button does, but here and now); `kordon entities export --user NAME --out FILE` writes every "
        "record the user may export as FollowTheMoney JSON lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        link = verbs.add_parser("link", help="a linking run, now, in this process")
        link.add_argument("--user", required=True, help="user name of the person the run is for")
        export = verbs.add_parser("export", help="the records the user may export, as FtM JSON lines")
        export.add_argument("--user", required=True, help="user name of the person exporting")
        export.add_argument("--out", required=True, type=Path, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        user = active_user(options["user"])
        with action_context(client_address="cli"):
            if options["verb"] == "export":
                with options["out"].open("w", encoding="utf-8") as handle:
                    handle.writelines(entities_ftm(user=user))
                self.stdout.write(f"written to {options['out']}")
                return
            try:
                run = services.linking_request(actor=user)
            except PermissionDenied as error:
                raise CommandError(str(error)) from None
            # Runs waiting before this one are done first, as the worker would.
            while LinkingRun.objects.filter(pk=run.pk, status__in=[LinkingRun.Status.QUEUED]).exists():
                if not services.run_linking_runs(limit=1):
                    break
            run.refresh_from_db()
            if run.status != LinkingRun.Status.DONE:
                raise CommandError(f"The linking run did not finish: {run.error or run.get_status_display()}")
            fields = ("records", "suggested", "queued", "clusters")
            self.stdout.write(json.dumps({"run": run.pk, **{name: getattr(run, name) for name in fields}}))
