from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kordon.access.markings import Distribution, Tlp
from kordon.core.forms import DATE_INPUT, StyledForm, within_upload_limit
from kordon.core.models import Unit
from kordon.targeting.models import Lane, Outcome
from kordon.targeting.profiles import parse_conditions


class UnitForm(StyledForm):
    """A form acting for one of the units the user may act in (the only one, chosen already)."""

    unit = forms.ModelChoiceField(Unit.objects.none(), label=gettext_lazy("Unit"))

    def __init__(self, units: list[Unit], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units])  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["unit"].initial = units[0]


class SelectionForm(UnitForm):
    day = forms.DateField(label=gettext_lazy("Day"), widget=DATE_INPUT)
    capacity = forms.CharField(
        label=gettext_lazy("Capacity"),
        max_length=10,
        help_text=gettext_lazy("Inspections possible: 40, or 5%"),
    )
    random_share = forms.FloatField(
        label=gettext_lazy("Random picks, %"), min_value=0, max_value=100, initial=10
    )


class InspectionForm(StyledForm):
    outcome = forms.ChoiceField(choices=Outcome.choices, label=gettext_lazy("Found"))
    inspected_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE_INPUT)
    seizure_id = forms.IntegerField(required=False, label=gettext_lazy("Seizure number"), min_value=1)
    notes = forms.CharField(required=False, max_length=2000, label=gettext_lazy("Notes"))


class ProfileForm(UnitForm):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=gettext_lazy("Owner unit"))
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Description")
    )
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Conditions, one per line"),
        help_text=gettext_lazy(
            "field operation values, e.g. “hs_code starts_with 2915”, “route_ports contains TMKRW”, "
            "“importer_days_known below 90”. Several values are separated by commas. All lines must hold."
        ),
    )
    weight = forms.IntegerField(min_value=0, max_value=100, label=gettext_lazy("Weight, 0–100"))
    lane = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("by weight and capacity")),
            (Lane.RED, Lane.RED.label),
            (Lane.YELLOW, Lane.YELLOW.label),
        ],
        required=False,
        label=gettext_lazy("Lane"),
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), widget=DATE_INPUT)
    valid_until = forms.DateField(
        required=False,
        label=gettext_lazy("Valid until"),
        widget=DATE_INPUT,
    )
    distribution = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (d.value, d.label)
            for d in (Distribution.UNIT, Distribution.AGENCY, Distribution.PARTNERS, Distribution.ALL)
        ],
        initial=Distribution.AGENCY,
        label=gettext_lazy("Shared with"),
        help_text=gettext_lazy(
            "Partners: the ports of agencies with an agreement covering consignments use it too."
        ),
    )
    tlp = forms.TypedChoiceField(coerce=int, choices=Tlp.choices, initial=Tlp.AMBER, label="TLP")

    def clean_conditions(self) -> list[dict[str, Any]]:
        conditions = []
        for line in self.cleaned_data["conditions"].splitlines():
            parts = line.split(None, 2)
            if not parts:
                continue
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("“%(line)s” needs a field, an operation and a value.") % {"line": line.strip()}
                )
            field, op, value = parts
            values = [word.strip() for word in value.split(",") if word.strip()]
            conditions.append(
                {
                    "field": field,
                    "op": op,
                    "value": values[0] if op in ("below", "above") and len(values) == 1 else values,
                }
            )
        _parsed, problems = parse_conditions(conditions)
        if problems:
            raise forms.ValidationError(problems)
        return conditions


class DeclarationFileForm(UnitForm):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=gettext_lazy("Owner unit"))
    file = forms.FileField(
        label=gettext_lazy("Declarations (CSV or XLSX)"),
        help_text=gettext_lazy("Kordon's columns, Russian headers or the KCS files as they are."),
    )

    def clean_file(self) -> Any:
        return within_upload_limit(self.cleaned_data["file"], "`kordon targeting import`")


class RetrainForm(UnitForm):
    name = forms.CharField(max_length=100, label=gettext_lazy("Model"))
