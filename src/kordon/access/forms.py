from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.access.markings import GRADING_CHOICES, Distribution, GradingScheme, HandlingCode, Tlp
from kordon.access.models import AUDIT_ACTION_LABELS, SharingGroup
from kordon.access.selectors import AuditFilters
from kordon.core.forms import StyledForm

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


def grading_fields() -> tuple[forms.ChoiceField, forms.ChoiceField]:
    """Source and information grading in the node's scheme."""
    from kordon.access.services import node_grading_scheme

    source_codes, information_codes = GRADING_CHOICES[GradingScheme(node_grading_scheme())]
    return (
        forms.ChoiceField(label=_("Source"), choices=[("", "—"), *source_codes.choices], required=False),
        forms.ChoiceField(
            label=_("Information"), choices=[("", "—"), *information_codes.choices], required=False
        ),
    )


def add_grading_fields(form: forms.Form) -> None:
    """The grading fields depend on the node's scheme, so they are added per form."""
    for name, field in zip(("source_reliability", "information_credibility"), grading_fields(), strict=True):
        field.widget.attrs["class"] = "form-select"
        form.fields[name] = field


class MarkingsForm(StyledForm):
    """The markings every shared record carries; the services check them (access.services)."""

    tlp = forms.TypedChoiceField(label=_("TLP"), choices=Tlp.choices, coerce=int, initial=Tlp.AMBER)
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_note = forms.CharField(label=_("Handling restrictions (H3)"), max_length=300, required=False)
    distribution = forms.TypedChoiceField(
        label=_("Distribution"), choices=Distribution.choices, coerce=int, initial=Distribution.AGENCY
    )
    sharing_group = forms.ModelChoiceField(
        label=_("Sharing group"),
        queryset=SharingGroup.objects.filter(active=True),
        required=False,
        help_text=_("Only with the distribution 'sharing group'."),
    )

    MARKING_FIELDS: tuple[str, ...] = (
        "tlp",
        "handling_code",
        "handling_note",
        "distribution",
        "sharing_group",
        "source_reliability",
        "information_credibility",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_grading_fields(self)

    def marking_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "tlp": data["tlp"],
            "handling_code": data["handling_code"],
            "handling_note": data["handling_note"],
            "distribution": data["distribution"],
            "sharing_group_id": data["sharing_group"].pk if data["sharing_group"] else None,
            "source_reliability": data["source_reliability"],
            "information_credibility": data["information_credibility"],
        }

    def event_fields(self) -> list[Any]:
        return [field for field in self if field.name not in self.MARKING_FIELDS]

    def marking_fields(self) -> list[Any]:
        return [field for field in self if field.name in self.MARKING_FIELDS]
