from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "kordon.analytics"
    verbose_name = _("Analytics")

    def load_reference(self) -> list[str]:
        """The published UNODC series, loaded when the node has none (`kordon load_reference`)."""
        from kordon.analytics.models import ReferenceFigure
        from kordon.analytics.reference import UNODC_SOURCE, load_unodc

        if ReferenceFigure.objects.filter(source=UNODC_SOURCE).exists():
            return ["published figures (UNODC): already loaded"]
        return load_unodc()
