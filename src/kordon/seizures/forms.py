"""Forms of the seizure pages. They parse input into service data; rules live in the services."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kordon.access import policy
from kordon.access.forms import MarkingsForm
from kordon.access.markings import Distribution, HandlingCode, Tlp
from kordon.core.countries import normalise
from kordon.core.forms import DATE_INPUT, StyledForm, within_upload_limit
from kordon.core.models import Agency, Country, Unit
from kordon.core.selectors import places, region_countries, units, units_where
from kordon.seizures import commodities
from kordon.seizures.models import (
    CommodityFamily,
    Concealment,
    DetectionMethod,
    SeizureStatus,
    Substance,
    SubstanceGroup,
    TransportMode,
    UnitOfMeasure,
)
from kordon.seizures.rules import parse_decimal
from kordon.seizures.selectors import SeizureFilters
from kordon.seizures.services import ItemData, SeizureData


def _blank(choices: Any) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


class RegionCountrySelect(forms.Select):
    """The region's countries and its neighbours, plus the chosen country when it is elsewhere (a
    link from the analytics can name any country). Two hundred options per select took longer to
    render than the list's query."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        chosen = value[0] if isinstance(value, list | tuple) and value else value
        offered = [(country.code, country.label) for country in region_countries()]
        if chosen and chosen not in {code for code, _label in offered}:
            country = Country.objects.filter(code=chosen).first()
            offered.append((chosen, country.label if country else chosen))
        self.choices = [("", "—"), *offered]
        return super().get_context(name, value, attrs)


def _country_filter(label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label, queryset=Country.objects.all(), required=False, widget=RegionCountrySelect
    )


class SeizureFilterForm(StyledForm):
    """The list's filters; the same names are the API's query parameters."""

    q = forms.CharField(label=_("Search"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    country = _country_filter(_("Country"))
    family = forms.ChoiceField(
        label=_("Commodity family"), choices=_blank(CommodityFamily.choices), required=False
    )
    substance_group = forms.ChoiceField(
        label=_("Drug group"), choices=_blank(SubstanceGroup.choices), required=False
    )
    substance = forms.ModelChoiceField(label=_("Substance"), queryset=Substance.objects.all(), required=False)
    place = forms.ModelChoiceField(label=_("Place"), queryset=places(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=units(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=_blank(SeizureStatus.choices), required=False)
    transport_mode = forms.ChoiceField(
        label=_("Transport"), choices=_blank(TransportMode.choices), required=False
    )
    # Further filters, folded away on the page; the analytics pages link to the list with them.
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all(), required=False)
    detection_method = forms.ChoiceField(
        label=_("Detection"), choices=_blank(DetectionMethod.choices), required=False
    )
    concealment = forms.ChoiceField(
        label=_("Concealment"), choices=_blank(Concealment.choices), required=False
    )
    origin_country = _country_filter(_("Origin"))
    destination_country = _country_filter(_("Destination"))
    followed_alert = forms.NullBooleanField(
        label=_("After an alert"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("yes")), ("false", _("no"))]),
    )
    MORE = (
        "agency",
        "detection_method",
        "concealment",
        "origin_country",
        "destination_country",
        "followed_alert",
    )

    @property
    def more_used(self) -> bool:
        """Whether one of the folded filters is set (the page then shows them unfolded)."""
        return any(self.data.get(name) for name in self.MORE)

    def to_filters(self) -> SeizureFilters:
        if not self.is_valid():
            return SeizureFilters()
        data = self.cleaned_data
        return SeizureFilters(
            agency=data["agency"].pk if data["agency"] else None,
            detection_method=data["detection_method"] or None,
            concealment=data["concealment"] or None,
            origin_country=data["origin_country"].code if data["origin_country"] else None,
            destination_country=data["destination_country"].code if data["destination_country"] else None,
            followed_alert=data["followed_alert"],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            country=data["country"].code if data["country"] else None,
            substance_group=data["substance_group"] or None,
            family=data["family"] or None,
            substance=data["substance"].pk if data["substance"] else None,
            place=data["place"].pk if data["place"] else None,
            unit=data["unit"].pk if data["unit"] else None,
            status=data["status"] or None,
            transport_mode=data["transport_mode"] or None,
            q=data["q"] or None,
        )


class CountryListField(forms.CharField):
    """Countries in travel order, written as names or ISO codes separated by commas."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return []
        lookup = {normalise(word): code for code, word in _country_words()}
        codes: list[str] = []
        unknown: list[str] = []
        for part in text.replace(";", ",").replace("→", ",").split(","):
            if part.strip():
                code = lookup.get(normalise(part))
                if code:
                    codes.append(code)
                else:
                    unknown.append(part.strip())
        if unknown:
            raise ValidationError(_("Unknown countries: %(names)s.") % {"names": ", ".join(unknown)})
        return codes

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


def _country_words() -> list[tuple[str, str]]:
    words = []
    for code, code3, name, names in Country.objects.values_list("code", "code3", "name", "names"):
        words.extend(
            [(code, code), (code, code3), (code, name), *((code, other) for other in names.values())]
        )
    return words


class SeizureForm(MarkingsForm):
    owner_unit = forms.ModelChoiceField(label=_("Recorded for unit"), queryset=Unit.objects.none())
    reference = forms.CharField(
        label=_("Reference"), max_length=60, help_text=_("The case or report number; unique in your agency.")
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    occurred_at = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    country = forms.ModelChoiceField(label=_("Country of seizure"), queryset=region_countries())
    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=places(),
        required=False,
        help_text=_("A known border crossing point, port or airport."),
    )
    place_description = forms.CharField(label=_("Or describe the place"), max_length=300, required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    detection_method = forms.ChoiceField(
        label=_("Detection method"), choices=_blank(DetectionMethod.choices), required=False
    )
    transport_mode = forms.ChoiceField(
        label=_("Transport mode"), choices=_blank(TransportMode.choices), required=False
    )
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=20, required=False)
    container_number = forms.CharField(
        label=_("Container number"),
        max_length=13,
        required=False,
        help_text=_("ISO 6346, e.g. MSKU1234565; the check digit is verified."),
    )
    flight = forms.CharField(label=_("Flight"), max_length=12, required=False)
    train = forms.CharField(label=_("Train"), max_length=20, required=False)
    concealment = forms.ChoiceField(
        label=_("Concealment"), choices=_blank(Concealment.choices), required=False
    )
    concealment_details = forms.CharField(label=_("How it was hidden"), max_length=300, required=False)
    origin_country = forms.ModelChoiceField(label=_("Origin"), queryset=region_countries(), required=False)
    transit_countries = CountryListField(
        label=_("Transit countries, in order"),
        required=False,
        help_text=_("Names or codes separated by commas, e.g. TJ, KG."),
    )
    destination_country = forms.ModelChoiceField(
        label=_("Destination"), queryset=region_countries(), required=False
    )
    persons_arrested = forms.IntegerField(label=_("Persons arrested"), min_value=0, initial=0)
    arrested_nationalities = CountryListField(label=_("Their nationalities"), required=False)
    narrative = forms.CharField(
        label=_("Narrative"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=SeizureStatus.choices, initial=SeizureStatus.SUBMITTED
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices = units_where(user, policy.ADD)
        owner = self.fields["owner_unit"]
        owner.queryset = unit_choices  # type: ignore[attr-defined]
        # Most officers belong to one unit: choose it for them.
        first = unit_choices.first()
        if first is not None:
            owner.initial = first.pk
            owner.empty_label = None  # type: ignore[attr-defined]
        if editing:
            del self.fields["owner_unit"]

    MARKING_FIELDS = ("status", *MarkingsForm.MARKING_FIELDS)

    def to_data(self, items: list[ItemData]) -> SeizureData:
        data = self.cleaned_data
        return SeizureData(
            reference=data["reference"],
            occurred_on=data["occurred_on"],
            occurred_at=data["occurred_at"],
            country_id=data["country"].code,
            place_id=data["place"].pk if data["place"] else None,
            place_description=data["place_description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            detection_method=data["detection_method"],
            transport_mode=data["transport_mode"],
            vehicle_plate=data["vehicle_plate"],
            container_number=data["container_number"],
            flight=data["flight"],
            train=data["train"],
            concealment=data["concealment"],
            concealment_details=data["concealment_details"],
            origin_country_id=data["origin_country"].code if data["origin_country"] else None,
            transit_countries=data["transit_countries"],
            destination_country_id=data["destination_country"].code if data["destination_country"] else None,
            persons_arrested=data["persons_arrested"],
            arrested_nationalities=data["arrested_nationalities"],
            narrative=data["narrative"],
            status=data["status"],
            **self.marking_values(),
            items=items,
        )

    def show_errors(self, error: ValidationError) -> None:
        """Put the service's validation errors next to the fields they belong to."""
        for name, messages in error.message_dict.items():
            field_name = {"country_id": "country", "place_id": "place"}.get(name, name)
            for message in messages:
                self.add_error(field_name if field_name in self.fields else None, message)


class QuantityField(forms.DecimalField):
    """Takes 12,5 and 12.5 alike, whatever the interface language: officers type both. A text box
    with a decimal keypad, because a number box refuses the comma in some browsers."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # the stubs follow IntegerField
        if isinstance(value, str) and value.strip():
            try:
                return parse_decimal(value)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)


class ItemForm(StyledForm):
    substance = forms.ModelChoiceField(label=_("Commodity"), queryset=Substance.objects.all())
    quantity = QuantityField(
        label=_("Quantity"), min_value=Decimal("0.000001"), decimal_places=6, max_digits=16
    )
    unit = forms.ChoiceField(
        label=pgettext_lazy("unit of measure", "Unit"),
        choices=UnitOfMeasure.choices,
        initial=UnitOfMeasure.KG,
    )
    purity_percent = QuantityField(
        label=_("Purity, %"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    value = QuantityField(label=_("Value"), required=False, min_value=0, decimal_places=2, max_digits=18)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    details = forms.CharField(
        label=_("Details"),
        max_length=500,
        required=False,
        help_text=_("calibre: 9 mm; serial numbers: …; CITES species: …; HS code: …"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs.update({"placeholder": "USD", "size": 4})
        self.fields["details"].widget.attrs["placeholder"] = str(self.fields["details"].help_text)

    def clean_details(self) -> dict[str, str]:
        found, unknown = commodities.parse_attributes(self.cleaned_data.get("details", ""))
        if unknown:
            raise ValidationError(
                _(
                    "Write details as “name: value” separated by “;”, with names such as calibre, serial numbers, CITES species, HS code: %(parts)s"
                )
                % {"parts": "; ".join(unknown)}
            )
        return found

    def to_item(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            data["substance"].pk,
            data["quantity"],
            data["unit"],
            data["purity_percent"],
            data["value"],
            data["currency"],
            data["details"],
        )


ItemFormSet = formset_factory(ItemForm, extra=3, max_num=20, min_num=1, validate_min=True)


class ImportForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Import for unit"), queryset=Unit.objects.none())
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    tlp = forms.TypedChoiceField(
        label=_("TLP for the imported seizures"), choices=Tlp.choices, coerce=int, initial=Tlp.AMBER
    )
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices[:3], initial=HandlingCode.H0
    )
    distribution = forms.TypedChoiceField(
        label=_("Distribution"), choices=Distribution.choices, coerce=int, initial=Distribution.AGENCY
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_choices = units_where(user, policy.ADD)
        unit = self.fields["unit"]
        unit.queryset = unit_choices  # type: ignore[attr-defined]
        first = unit_choices.first()
        if first is not None:
            unit.initial = first.pk
            unit.empty_label = None  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        return within_upload_limit(self.cleaned_data["file"], "`kordon import seizures`")
