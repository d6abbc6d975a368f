"""Forms of the cooperation pages: they parse and offer choices; the services decide."""

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.access import policy
from kordon.cooperation.models import (
    AgeBand,
    AssetStage,
    CaseType,
    DataCategory,
    Direction,
    Exploitation,
    LegalBasis,
    Measure,
    RequestStatus,
    ServiceType,
    Sex,
)
from kordon.core.forms import DATE_INPUT, StyledForm
from kordon.core.models import Agency, Country
from kordon.core.selectors import region_countries, units, units_where


class UnitForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=units().none(), empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]


def _countries() -> Any:
    return Country.objects.order_by("name")


class RequestForm(UnitForm):
    reference = forms.CharField(label=_("Our reference"), max_length=60)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    requesting_country = forms.ModelChoiceField(label=_("Requesting state"), queryset=_countries())
    requested_country = forms.ModelChoiceField(label=_("Requested state"), queryset=_countries())
    requesting_authority = forms.CharField(label=_("Requesting authority"), max_length=200)
    requested_authority = forms.CharField(label=_("Requested authority"), max_length=200, required=False)
    counterpart_reference = forms.CharField(label=_("Their reference"), max_length=60, required=False)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    treaty = forms.CharField(label=_("Treaty"), max_length=300, required=False)
    offences = forms.CharField(label=_("Offences"), max_length=500)
    measures = forms.MultipleChoiceField(
        label=_("Assistance requested"), choices=Measure.choices, widget=forms.CheckboxSelectMultiple
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT, required=False)
    received_on = forms.DateField(label=_("Received on (incoming)"), widget=DATE_INPUT, required=False)
    persons = forms.CharField(
        label=_("Persons and companies concerned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("Summary of the facts"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["measures"].widget.attrs = {}


class TransitionForm(StyledForm):
    status = forms.ChoiceField(label=_("New status"), choices=RequestStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=datetime.date.today)
    refusal_ground = forms.CharField(label=_("Ground for refusal"), required=False, max_length=2000)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ReminderForm(StyledForm):
    on = forms.DateField(label=_("Reminder sent on"), widget=DATE_INPUT, initial=datetime.date.today)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class AssetForm(StyledForm):
    description = forms.CharField(label=_("Asset"), max_length=300)
    stage = forms.ChoiceField(label=_("Stage"), choices=AssetStage.choices)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3, initial="USD")
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=datetime.date.today)


class DocumentForm(StyledForm):
    file = forms.FileField(label=_("Document"))


class CaseForm(UnitForm):
    case_type = forms.ChoiceField(label=_("Case"), choices=CaseType.choices)
    exploitation = forms.ChoiceField(label=_("Form of exploitation"), choices=Exploitation.choices)
    age_band = forms.ChoiceField(label=_("Age"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationality = forms.ModelChoiceField(label=_("Nationality"), queryset=region_countries(), required=False)
    needs = forms.CharField(
        label=_("Needs and history"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    full_name = forms.CharField(
        label=_("Full name (only your unit sees it; leave empty if not needed)"),
        max_length=200,
        required=False,
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT, required=False)
    documents = forms.CharField(label=_("Identity documents"), max_length=200, required=False)
    contact = forms.CharField(label=_("Contact details"), max_length=300, required=False)


class ConsentForm(StyledForm):
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=[("person", _("the person")), ("guardian", _("guardian"))]
    )
    method = forms.ChoiceField(label=_("How"), choices=[("written", _("in writing")), ("oral", _("orally"))])
    organisations = forms.ModelMultipleChoiceField(
        label=_("May be shared with"), queryset=Agency.objects.order_by("country_id", "name")
    )
    categories = forms.MultipleChoiceField(
        label=_("What may be shared"),
        choices=DataCategory.choices,
        initial=[DataCategory.ATTRIBUTES],
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    given_on = forms.DateField(label=_("Given on"), widget=DATE_INPUT, initial=datetime.date.today)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].widget.attrs = {}
        if organisations is not None:
            self.fields["organisations"].queryset = organisations  # type: ignore[attr-defined]


class ReferralForm(StyledForm):
    consent = forms.ChoiceField(label=_("Under the consent"))
    to_unit = forms.ModelChoiceField(label=_("Refer to"), queryset=units())
    service = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)

    def __init__(self, *args: Any, consents: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].choices = consents  # type: ignore[attr-defined]


class CloseForm(StyledForm):
    reason = forms.CharField(label=_("Reason for closing"), max_length=300)
