from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "kordon.exchange"
    label = "exchange"
    verbose_name = _("Alerts and requests")

    def build_demo(self) -> list[str]:
        from kordon.exchange.demo import build_exchange

        return build_exchange()
