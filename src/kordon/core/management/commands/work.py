import time
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections


def pending_work() -> int:
    """Run what every module has waiting (modules offer it as AppConfig.background_work);
    how many jobs were done."""
    done = 0
    for config in apps.get_app_configs():
        work = getattr(config, "background_work", None)
        if work is not None:
            done += work()
    return done


class Command(BaseCommand):
    help = (
        "Run the background jobs waiting in the database (models to train again). `kordon serve` starts "
        "one worker by itself; run `kordon work --loop` as its own service when the web runs elsewhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep looking for work until stopped")
        parser.add_argument("--every", type=float, default=10.0, help="seconds between looks (10)")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            if options["loop"]:
                close_old_connections()  # a database restarted since the last look is reconnected to
            try:
                done = pending_work()
            except Exception as error:  # the database may be away for a moment; look again later
                if not options["loop"]:
                    raise
                self.stderr.write(f"background work failed, trying again: {error}")
                done = 0
            if done:
                self.stdout.write(f"{done} background jobs done")
            if not options["loop"]:
                return
            time.sleep(options["every"])
