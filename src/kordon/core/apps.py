from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kordon.core"
    label = "core"
    verbose_name = _("Organisations and places")

    def load_reference(self) -> list[str]:
        from kordon.core.reference import load_countries, load_places

        return [str(load_countries()), str(load_places())]
