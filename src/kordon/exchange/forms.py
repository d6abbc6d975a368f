"""Forms of the exchange pages: they parse input into service data; rules live in the services."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kordon.access import policy
from kordon.access.forms import MarkingsForm
from kordon.core.forms import DATE_INPUT, StyledForm
from kordon.core.selectors import units, units_where
from kordon.exchange.models import AlertState, AlertSubject, Priority
from kordon.exchange.services import AlertData, Markings, RequestData


def _sender_units(user: Any) -> Any:
    return units_where(user, policy.ADD)


def unit_with_agency(unit: Any) -> str:
    """A unit named with its agency and country: officers address units of other agencies."""
    return f"{unit} — {unit.agency.short_name or unit.agency} ({unit.agency.country_id})"


class UnitWithAgency(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return unit_with_agency(obj)


class UnitsWithAgency(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return unit_with_agency(obj)


class SenderMixin:
    """The sending unit: chosen for the user when they belong to one unit only."""

    def setup_sender(self, user: Any) -> None:
        field = self.fields["sender_unit"]  # type: ignore[attr-defined]
        field.queryset = _sender_units(user)
        first = field.queryset.first()
        if first is not None:
            field.initial = first.pk
            field.empty_label = None


class AlertForm(SenderMixin, MarkingsForm):
    sender_unit = forms.ModelChoiceField(label=_("From unit"), queryset=units())
    recipients = UnitsWithAgency(
        label=_("To units"),
        queryset=units().select_related("agency"),
        help_text=_("Units of another agency receive the alert only under an agreement that covers alerts."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    subject_kind = forms.ChoiceField(label=_("About"), choices=AlertSubject.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    person_name = forms.CharField(label=_("Person"), max_length=200, required=False)
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=20, required=False)
    container_number = forms.CharField(label=_("Container number"), max_length=15, required=False)
    route = forms.CharField(label=_("Route"), max_length=300, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_sender(user)
        self.fields["valid_until"].initial = timezone.localdate() + datetime.timedelta(days=7)

    def to_data(self) -> AlertData:
        data = self.cleaned_data
        return AlertData(
            subject_kind=data["subject_kind"],
            title=data["title"],
            details=data["details"],
            person_name=data["person_name"],
            vehicle_plate=data["vehicle_plate"],
            container_number=data["container_number"],
            route=data["route"],
            priority=data["priority"],
            valid_until=data["valid_until"],
            markings=Markings(**self.marking_values()),
        )


class RequestForm(SenderMixin, MarkingsForm):
    sender_unit = forms.ModelChoiceField(label=_("From unit"), queryset=units())
    to_unit = UnitWithAgency(
        label=_("To unit"),
        queryset=units().select_related("agency"),
        help_text=_(
            "A unit of another agency receives the request only under an agreement that covers requests."
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    questions = forms.CharField(label=_("Questions"), widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateField(label=_("Answer by"), widget=DATE_INPUT)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_sender(user)
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=10)

    def to_data(self) -> RequestData:
        data = self.cleaned_data
        return RequestData(
            subject=data["subject"],
            questions=data["questions"],
            deadline=data["deadline"],
            priority=data["priority"],
            markings=Markings(**self.marking_values()),
        )


class OutcomeForm(StyledForm):
    state = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (AlertState.ACTED_ON, AlertState.ACTED_ON.label),
            (AlertState.NO_RESULT, AlertState.NO_RESULT.label),
        ],
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LinkSeizureForm(StyledForm):
    seizure = forms.CharField(
        label=_("Seizure reference"),
        help_text=_("A seizure your unit recorded; start typing its reference."),
    )


class AnswerForm(StyledForm):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))


class RefuseForm(StyledForm):
    reason = forms.CharField(label=_("Reason for refusal"), widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("File"))


class PeriodForm(StyledForm):
    date_from = forms.DateField(label=_("From"), widget=DATE_INPUT, required=False)
    date_to = forms.DateField(label=_("To"), widget=DATE_INPUT, required=False)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        start, end = datetime.date(today.year, 1, 1), today
        if self.is_valid():
            start = self.cleaned_data["date_from"] or start
            end = self.cleaned_data["date_to"] or end
        return start, end
