from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetingConfig(AppConfig):
    name = "kordon.targeting"
    label = "targeting"
    verbose_name = _("Consignment risk targeting")

    def background_work(self) -> int:
        from kordon.targeting.services import run_training_requests

        return run_training_requests()

    def build_demo(self) -> list[str]:
        from kordon.targeting.demo import build_targeting

        return [build_targeting()]
