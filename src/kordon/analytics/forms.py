"""The analytics pages' filters: the seizure list's, plus a period."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kordon.analytics.periods import Period, PeriodError
from kordon.seizures.forms import SeizureFilterForm


class AnalyticsFilterForm(SeizureFilterForm):
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=40,
        help_text=_("2013, 2013-H1, 2013-Q3, 2013-07 or 2013-01..2013-09"),
    )

    field_order = ["period"]

    def __init__(self, *args: Any, default_period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_period = default_period
        self.fields["period"].widget.attrs["placeholder"] = default_period.code
        # The period replaces the dates: one way to say when.
        del self.fields["date_from"], self.fields["date_to"]

    def clean_period(self) -> Period:
        text = self.cleaned_data["period"].strip()
        try:
            return Period.parse(text) if text else self.default_period
        except PeriodError as error:
            raise ValidationError(str(error)) from None

    def chosen_period(self) -> Period:
        if self.is_valid():
            period: Period = self.cleaned_data["period"]
            return period
        return self.default_period
