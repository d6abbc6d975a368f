from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeizuresConfig(AppConfig):
    name = "kordon.seizures"
    label = "seizures"
    verbose_name = _("Seizures")

    def load_reference(self) -> list[str]:
        from kordon.seizures.reference import load_substances

        return [str(load_substances())]

    def build_demo(self) -> list[str]:
        from kordon.seizures.demo import build_contraband, build_seizures

        return [f"seizures: {build_seizures()}", build_contraband()]
