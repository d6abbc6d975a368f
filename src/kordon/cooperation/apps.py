from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "kordon.cooperation"
    label = "cooperation"
    verbose_name = _("International cooperation and referrals")

    def build_demo(self) -> list[str]:
        from kordon.cooperation.demo import build_cooperation

        return [build_cooperation()]

    def background_work(self) -> int:
        """Delete the referral cases whose retention period is over."""
        from kordon.cooperation.services import cases_purge

        return cases_purge()
