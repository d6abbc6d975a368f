"""Forms of the case pages: they parse and offer choices; the services decide."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access import policy
from kordon.access.forms import MarkingsForm
from kordon.cases.kinds import CASE_RECORDS
from kordon.cases.models import CaseOutcome, CaseStatus, CaseType, CustodyKind, ExhibitDocument, TeamRole
from kordon.core.forms import DATE_INPUT, StyledForm
from kordon.core.selectors import units, units_where
from kordon.seizures.models import Substance, UnitOfMeasure

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CaseForm(MarkingsForm):
    unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=units().none(), empty_label=None)
    reference = forms.CharField(label=_("Case number"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200)
    case_type = forms.ChoiceField(label=_("Type"), choices=CaseType.choices)
    opened_on = forms.DateField(label=_("Opened"), widget=DATE_INPUT, initial=datetime.date.today)
    summary = forms.CharField(
        label=pgettext_lazy("case", "Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]


class StatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *CaseOutcome.choices], required=False)


class ItemForm(StyledForm):
    record_type = forms.ChoiceField(
        label=_("Kind of record"), choices=[(kind, linkable.label) for kind, linkable in CASE_RECORDS.items()]
    )
    reference = forms.CharField(label=_("Reference or number"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    shared = forms.BooleanField(label=_("Share with partners"), required=False)


class NoteForm(StyledForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    shared = forms.BooleanField(label=_("Share with partners"), required=False)


class TaskForm(StyledForm):
    title = forms.CharField(label=_("Task"), max_length=300)
    assignee = forms.ChoiceField(label=_("Assigned to"))
    due_on = forms.DateField(label=_("Deadline"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, team: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (member.user.get_username(), member.user.display_name) for member in team
        ]


class MemberForm(StyledForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.INVESTIGATOR)


class ExhibitForm(StyledForm):
    seizure_item = forms.TypedChoiceField(
        label=_("From a seizure of the case"), coerce=int, required=False, empty_value=None
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    commodity = forms.ModelChoiceField(
        label=_("Commodity"), queryset=Substance.objects.order_by("name"), required=False
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=16, decimal_places=6, required=False
    )
    unit = forms.ChoiceField(
        label=_("Unit of measure"), choices=[("", "—"), *UnitOfMeasure.choices], required=False
    )
    seal_number = forms.CharField(label=_("Seal number"), max_length=60, required=False)
    location = forms.CharField(label=_("Where seized"), max_length=200, required=False)
    shared = forms.BooleanField(label=_("Share with partners"), required=False)

    def __init__(self, *args: Any, seizure_items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— described here —")), *seizure_items]
        self.fields["seizure_item"].choices = choices  # type: ignore[attr-defined]


class CustodyForm(StyledForm):
    kind = forms.ChoiceField(label=pgettext_lazy("custody", "Event"), choices=CustodyKind.choices)
    at = forms.DateTimeField(
        label=_("When"),
        widget=DATETIME_INPUT,
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    from_user = forms.CharField(label=_("Handed over by (user name)"), max_length=150, required=False)
    holder = forms.CharField(label=_("Held by (user name)"), max_length=150, required=False)
    holder_name = forms.CharField(label=_("Or held by (outside Kordon)"), max_length=200, required=False)
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    condition = forms.CharField(label=_("Condition"), max_length=200, required=False)
    seal_number = forms.CharField(label=_("Seal number"), max_length=60, required=False)
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0, max_digits=16, decimal_places=6, required=False
    )
    weight_reason = forms.CharField(label=_("Why the weight changed"), max_length=300, required=False)
    witnesses = forms.CharField(
        label=_("Witnesses (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class LabForm(StyledForm):
    laboratory = forms.CharField(label=_("Laboratory"), max_length=200)
    lab_reference = forms.CharField(label=_("Laboratory reference"), max_length=60)
    analysed_on = forms.DateField(label=_("Analysed on"), widget=DATE_INPUT, initial=datetime.date.today)
    confirmed = forms.ModelChoiceField(
        label=_("Confirmed substance"), queryset=Substance.objects.order_by("name")
    )
    net_weight = forms.DecimalField(label=_("Net weight"), min_value=0, max_digits=16, decimal_places=6)
    purity_percent = forms.DecimalField(
        label=_("Purity, %"), min_value=0, max_value=100, max_digits=5, decimal_places=2, required=False
    )
    method = forms.CharField(label=_("Method"), max_length=200, required=False)


class DocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Document"), choices=ExhibitDocument.Kind.choices)
    file = forms.FileField(label=_("File"))
