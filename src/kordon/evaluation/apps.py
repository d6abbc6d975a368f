from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kordon.evaluation"
    label = "evaluation"
    verbose_name = _("Programme evaluation and training")

    def build_demo(self) -> list[str]:
        from kordon.evaluation.demo import build_evaluation

        return [build_evaluation()]
