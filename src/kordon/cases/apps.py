from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kordon.cases"
    label = "cases"
    verbose_name = _("Investigation cases")

    def build_demo(self) -> list[str]:
        from kordon.cases.demo import build_cases

        return [build_cases()]
