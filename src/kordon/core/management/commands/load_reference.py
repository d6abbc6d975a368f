from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from kordon.access.context import action_context


class Command(BaseCommand):
    help = (
        "Add the reference data every node starts with (countries, the gazetteer of border crossing "
        "points and ports, the substance catalogue). Safe to run again: existing rows are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with action_context(client_address="cli"):
            for config in apps.get_app_configs():
                loader = getattr(config, "load_reference", None)
                if loader is None:
                    continue
                for line in loader():
                    self.stdout.write(line)
