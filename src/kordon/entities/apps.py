from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    name = "kordon.entities"
    label = "entities"
    verbose_name = _("Persons and watchlists")

    def background_work(self) -> int:
        from kordon.entities.services import run_linking_runs

        return run_linking_runs()

    def build_demo(self) -> list[str]:
        from kordon.entities.demo import build_persons, build_watchlists

        return [build_watchlists(), build_persons()]
