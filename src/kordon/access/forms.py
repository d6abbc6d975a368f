from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.access.models import AUDIT_ACTION_LABELS
from kordon.access.selectors import AuditFilters

DATE_INPUT = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)
TEXT_INPUT = forms.TextInput(attrs={"class": "form-control form-control-sm"})
ACTIONS = [("", "—"), *AUDIT_ACTION_LABELS.items()]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False, widget=TEXT_INPUT)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=ACTIONS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    object_type = forms.CharField(label=_("Object type"), required=False, widget=TEXT_INPUT)
    object_id = forms.CharField(label=_("Object id"), required=False, widget=TEXT_INPUT)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def to_filters(self) -> AuditFilters:
        if not self.is_valid():
            return AuditFilters()
        data: dict[str, Any] = {name: value or None for name, value in self.cleaned_data.items()}
        return AuditFilters(**data)
