from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrisonsConfig(AppConfig):
    name = "kordon.prisons"
    label = "prisons"
    verbose_name = _("Prison security")

    def build_demo(self) -> list[str]:
        from kordon.prisons.demo import build_prisons

        return [build_prisons()]
