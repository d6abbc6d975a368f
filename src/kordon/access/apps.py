from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "kordon.access"
    label = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from kordon.access import auth_audit  # noqa: F401  (connects the log-in receivers)

    def build_demo(self) -> list[str]:
        from kordon.access.demo import build_sharing

        return build_sharing()
