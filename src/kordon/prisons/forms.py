"""Forms of the prison security pages. They parse and offer choices; the services decide."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access import policy
from kordon.access.markings import Distribution, Tlp
from kordon.core.forms import DATE_INPUT, StyledForm, within_upload_limit
from kordon.core.models import Agency
from kordon.core.selectors import units, units_where
from kordon.prisons.models import (
    ContrabandKind,
    Detection,
    FacilityKind,
    IncidentType,
    Notified,
    PersonRole,
    Priority,
    RecommendationStatus,
    Route,
    SecurityLevel,
)
from kordon.prisons.selectors import facilities
from kordon.seizures.models import Seizure, Substance, UnitOfMeasure

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UnitForm(StyledForm):
    """A form whose record is owned by one of the units where the user may add records; the
    unit is chosen for the many who belong to one."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Agency.objects.none(), empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]


class FrameworkUploadForm(UnitForm):
    file = forms.FileField(
        label=_("XLSForm workbook (.xlsx)"),
        help_text=_(
            "Sheets survey, choices and settings; one group per section; columns criticality, evidence, area and rules."
        ),
    )

    def clean_file(self) -> Any:
        return within_upload_limit(self.cleaned_data["file"], "kordon prisons framework import")


class FacilityForm(UnitForm):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=FacilityKind.choices)
    security_level = forms.ChoiceField(label=_("Security level"), choices=SecurityLevel.choices)
    capacity = forms.IntegerField(label=_("Official capacity"), min_value=1)
    population = forms.IntegerField(label=_("Current population"), min_value=0)
    population_on = forms.DateField(label=_("Counted on"), widget=DATE_INPUT, initial=datetime.date.today)
    region = forms.CharField(label=_("Region / town"), max_length=200, required=False)


class PlanAuditForm(UnitForm):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Agency.objects.none())
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE_INPUT, initial=datetime.date.today)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["facility"].queryset = facilities(user)  # type: ignore[attr-defined]


class ReviewForm(StyledForm):
    summary = forms.CharField(label=_("Summary of the audit"), widget=forms.Textarea(attrs={"rows": 3}))


class RecommendationForm(StyledForm):
    item = forms.ChoiceField(label=_("Gap"), required=False)
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.DAYS_30)
    owner = forms.CharField(label=_("Responsible"), max_length=200)
    due_on = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)

    def __init__(self, *args: Any, gaps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("— general —")), *gaps]  # type: ignore[attr-defined]


class ResponseForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(s.value, s.label) for s in RecommendationStatus if s != RecommendationStatus.PROPOSED],
    )
    response = forms.CharField(label=_("Comment (the reason, if rejected)"), required=False, max_length=2000)


class IncidentForm(UnitForm):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Agency.objects.none())
    reference = forms.CharField(label=_("Reference"), max_length=50)
    kind = forms.ChoiceField(label=_("Type"), choices=IncidentType.choices)
    occurred_at = forms.DateTimeField(label=_("Began"), widget=DATETIME_INPUT)
    location = forms.CharField(label=_("Place in the facility"), max_length=200, required=False)
    severity = forms.TypedChoiceField(
        label=_("Severity (1 low – 4 grave)"),
        choices=[(n, str(n)) for n in range(1, 5)],
        coerce=int,
        initial=2,
    )
    detected_through = forms.ChoiceField(label=_("Came to light through"), choices=Detection.choices)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    injuries = forms.CharField(label=_("Injuries"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    actions_taken = forms.CharField(
        label=_("Actions taken"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    notified = forms.MultipleChoiceField(
        label=_("Notified"), choices=Notified.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tlp = forms.TypedChoiceField(label=_("TLP"), choices=Tlp.choices, coerce=int, initial=Tlp.AMBER)
    distribution = forms.TypedChoiceField(
        label=_("Distribution"),
        choices=[(d.value, d.label) for d in (Distribution.UNIT, Distribution.AGENCY, Distribution.PARTNERS)],
        coerce=int,
        initial=Distribution.AGENCY,
        help_text=_(
            "Drug-related incidents marked 'partners' reach the drug-control service under an agreement; others never leave your service."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["facility"].queryset = facilities(user)  # type: ignore[attr-defined]
        self.fields["notified"].widget.attrs = {}


class ContrabandForm(StyledForm):
    # A blank first choice: an extra row left empty is not a row.
    kind = forms.ChoiceField(label=_("Contraband"), choices=[("", "—"), *ContrabandKind.choices])
    substance = forms.ModelChoiceField(
        label=_("Substance"), queryset=Substance.objects.order_by("name"), required=False
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_digits=14, decimal_places=3
    )
    unit = forms.ChoiceField(
        label=pgettext_lazy("unit of measure", "Unit"), choices=UnitOfMeasure.choices, initial=UnitOfMeasure.G
    )
    route = forms.ChoiceField(label=_("How it got in"), choices=Route.choices, initial=Route.UNKNOWN)
    found_where = forms.CharField(label=_("Where found"), max_length=200, required=False)
    seizure_reference = forms.CharField(
        label=_("or link the seizure already recorded (its reference)"), max_length=60, required=False
    )
    record_seizure = forms.BooleanField(
        label=_("Record the drugs in the seizure registry"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_seizure_reference(self) -> int | None:
        """The id of the seizure named by its reference, among those the user may see."""
        reference = self.cleaned_data["seizure_reference"].strip()
        if not reference:
            return None
        found = (
            Seizure.objects.restrict(self.user)
            .filter(reference=reference)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                _("No seizure you may see has the reference: %(references)s.") % {"references": reference}
            )
        return int(found)


class PersonForm(StyledForm):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *PersonRole.choices])
    name = forms.CharField(label=_("Name"), max_length=200)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE_INPUT, required=False)
    identifier = forms.CharField(label=_("Prisoner number or document"), max_length=50, required=False)


ContrabandFormSet = forms.formset_factory(ContrabandForm, extra=2, max_num=20)
PersonFormSet = forms.formset_factory(PersonForm, extra=2, max_num=50)


class OperationForm(UnitForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("From"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("To"), widget=DATE_INPUT)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Participating agencies"), queryset=Agency.objects.order_by("country_id", "name")
    )
    units = forms.ModelMultipleChoiceField(label=_("Participating units"), queryset=units(), required=False)
    facilities = forms.ModelMultipleChoiceField(
        label=_("Facilities"), queryset=Agency.objects.none(), required=False
    )
    officers = forms.IntegerField(label=_("Officers"), min_value=0, max_value=1_000_000, initial=0)
    dogs = forms.IntegerField(label=_("Dogs"), min_value=0, max_value=1_000_000, initial=0)
    vehicles = forms.IntegerField(label=_("Vehicles"), min_value=0, max_value=1_000_000, initial=0)
    crimes_detected = forms.IntegerField(
        label=_("Crimes detected"), min_value=0, max_value=1_000_000, initial=0
    )
    drug_crimes_detected = forms.IntegerField(
        label=_("Drug-related crimes"), min_value=0, max_value=1_000_000, initial=0
    )
    drugs_seized_kg = forms.DecimalField(
        label=_("Drugs seized, kg"), min_value=0, initial=0, max_digits=12, decimal_places=3
    )
    seizures = forms.CharField(
        label=_("Seizures it made (references, separated by commas)"), required=False, max_length=2000
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        self.fields["facilities"].queryset = facilities(user)  # type: ignore[attr-defined]

    def clean_seizures(self) -> list[int]:
        """The seizures' ids; a reference the user cannot see is an error, not a silent skip."""
        references = [part.strip() for part in self.cleaned_data["seizures"].split(",") if part.strip()]
        found = dict(
            Seizure.objects.restrict(self.user)
            .filter(reference__in=references)
            .values_list("reference", "pk")
        )
        unknown = [reference for reference in references if reference not in found]
        if unknown:
            raise forms.ValidationError(
                _("No seizure you may see has the reference: %(references)s.")
                % {"references": ", ".join(unknown)}
            )
        return sorted(set(found.values()))


class PeriodsForm(StyledForm):
    """Two periods to compare (by default the first nine months of two years)."""

    first_from = forms.DateField(label=_("First period from"), widget=DATE_INPUT)
    first_to = forms.DateField(label=_("to"), widget=DATE_INPUT)
    second_from = forms.DateField(label=_("Second period from"), widget=DATE_INPUT)
    second_to = forms.DateField(label=_("to"), widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("first_from", "first_to"), ("second_from", "second_to")):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("A period cannot end before it starts."))
        return data
