"""Forms of the evaluation pages."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.access import policy
from kordon.core.forms import DATE_INPUT, StyledForm, within_upload_limit
from kordon.core.models import Country
from kordon.core.selectors import region_countries, units, units_where
from kordon.evaluation.models import ParticipantSex


class QuestionnaireUploadForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=units().none(), empty_label=None)
    file = forms.FileField(label=_("XLSForm workbook (.xlsx)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]


class AnswersUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Answers (CSV or XLSX)"),
        help_text=_("Columns respondent, wave (pre, post, follow_up), date, site, and one column per item."),
    )

    def clean_file(self) -> Any:
        return within_upload_limit(self.cleaned_data["file"], "the API")


class EventForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=units().none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT, initial=datetime.date.today)
    ends_on = forms.DateField(label=_("To"), widget=DATE_INPUT, initial=datetime.date.today)
    place = forms.CharField(label=_("Place"), max_length=200)
    country = forms.ModelChoiceField(label=_("Country"), queryset=region_countries())
    organiser = forms.CharField(label=_("Organiser"), max_length=200, required=False)
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]


class ParticipantForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=ParticipantSex.choices)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.order_by("name"))
    agency = forms.CharField(label=_("Agency or organisation"), max_length=200)
