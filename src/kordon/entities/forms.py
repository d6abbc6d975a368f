"""Forms of the persons pages: the screening form, a person or object with its markings, links
and the review decisions. They parse; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.access import policy
from kordon.access.forms import MarkingsForm
from kordon.core.countries import country_codes
from kordon.core.forms import StyledForm, within_upload_limit
from kordon.core.selectors import units, units_where
from kordon.entities.importing import person_described
from kordon.entities.matching import Person
from kordon.entities.models import DocumentType, EntityKind, LinkRole, Verdict
from kordon.entities.records import LINKABLE
from kordon.entities.services import DETAILS, EntityData


class ScreeningForm(StyledForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        help_text=_("In any script, as the document writes it: Султанов Алимбай, SULTANOV<<ALIMBAI."),
    )
    birth_date = forms.CharField(label=_("Birth date"), max_length=10, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=60, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), ("male", _("male")), ("female", _("female"))], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs["placeholder"] = "12.03.1975"
        self.fields["nationality"].widget.attrs["placeholder"] = "KG"
        self.fields["name"].widget.attrs["autofocus"] = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fields = {name: str(data.get(name) or "") for name in self.fields}
        self.described, problems = person_described(fields, country_codes())
        for name, message in problems.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def person(self) -> Person:
        """The person asked about (once the form is valid)."""
        return self.described


class ScreeningFileForm(StyledForm):
    file = forms.FileField(
        label=_("File of people (CSV or XLSX)"),
        help_text=_("The columns of a watchlist file; only name is required."),
    )

    def clean_file(self) -> Any:
        return within_upload_limit(self.cleaned_data["file"], "`kordon screen`")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# The details each kind of record asks for, with their labels.
DETAIL_LABELS = {
    "registration_number": _("Registration number"),
    "legal_form": _("Legal form"),
    "vin": _("VIN"),
    "make": _("Make"),
    "model": _("Model"),
    "colour": _("Colour"),
    "imo_number": _("IMO number"),
    "flag": _("Flag"),
    "container_type": _("Container type"),
    "operator": _("Operator"),
    "document_type": _("Document type"),
    "valid_until": _("Valid until"),
}
PERSON_ONLY = ("birth_date", "gender", "documents")
NAME_LABELS = {
    EntityKind.PERSON: _("Full name, as the record writes it"),
    EntityKind.COMPANY: _("Name"),
    EntityKind.VEHICLE: _("Registration plate"),
    EntityKind.VESSEL: _("Vessel name or container number"),
    EntityKind.PHONE: _("Phone number"),
    EntityKind.DOCUMENT: _("Document number"),
}


class EntityForm(MarkingsForm):
    """A person, company, vehicle, vessel or container, phone or document: the fields of its kind."""

    unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=units().none(), empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=300)
    alt_names = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: the name in another script, a nickname, the name in the passport."),
    )
    birth_date = forms.CharField(label=_("Birth date"), max_length=10, required=False)
    country = forms.CharField(label=_("Nationality or country"), max_length=60, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), ("male", _("male")), ("female", _("female"))], required=False
    )
    documents = forms.CharField(
        label=_("Identity documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: number; country; type (passport, id_card, driving_licence...). Example: AC1234567; KG; passport"
        ),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    addresses = forms.CharField(
        label=_("Addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, kind: str, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in DETAILS[EntityKind(kind)]:
            self.fields[name] = forms.CharField(label=DETAIL_LABELS[name], max_length=100, required=False)
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        if creating:
            self.fields["unit"].queryset = units_where(user, policy.ADD)  # type: ignore[attr-defined]
        else:
            del self.fields["unit"]
        if kind != EntityKind.PERSON:
            for name in PERSON_ONLY:
                del self.fields[name]
        if kind in (EntityKind.PHONE, EntityKind.DOCUMENT, EntityKind.VEHICLE, EntityKind.VESSEL):
            del self.fields["phones"]
            del self.fields["addresses"]
        self.fields["name"].label = NAME_LABELS[EntityKind(kind)]
        if "birth_date" in self.fields:
            self.fields["birth_date"].widget.attrs["placeholder"] = "12.03.1975"

    @classmethod
    def initial_from(cls, data: EntityData) -> dict[str, Any]:
        values: dict[str, Any] = {
            "name": data.name,
            "alt_names": "\n".join(data.alt_names),
            "birth_date": data.birth_date,
            "country": data.country,
            "gender": data.gender,
            "documents": "\n".join(
                "; ".join(filter(None, [document["number"], document.get("country", ""), document["type"]]))
                for document in data.documents
            ),
            "phones": "\n".join(data.phones),
            "addresses": "\n".join(data.addresses),
            "notes": data.notes,
            "tlp": data.tlp,
            "handling_code": data.handling_code,
            "handling_note": data.handling_note,
            "distribution": data.distribution,
            "sharing_group": data.sharing_group_id,
            "source_reliability": data.source_reliability,
            "information_credibility": data.information_credibility,
        }
        values.update(data.details)
        return values

    def entity_data(self) -> EntityData:
        """The values entered (once the form is valid); the service checks them."""
        data = self.cleaned_data
        types = {str(label).lower(): value for value, label in DocumentType.choices}
        documents = []
        for line in _lines(data.get("documents", "")):
            parts = [part.strip() for part in line.split(";")]
            kind = parts[2].lower() if len(parts) > 2 and parts[2] else DocumentType.PASSPORT
            documents.append(
                {
                    "number": parts[0],
                    "country": parts[1] if len(parts) > 1 else "",
                    "type": types.get(kind, kind),
                }
            )
        return EntityData(
            kind=self.kind,
            name=data["name"],
            alt_names=_lines(data["alt_names"]),
            birth_date=data.get("birth_date", ""),
            country=data["country"],
            gender=data.get("gender", ""),
            documents=documents,
            phones=_lines(data.get("phones", "")),
            addresses=_lines(data.get("addresses", "")),
            details={name: data[name] for name in DETAILS[EntityKind(self.kind)]},
            notes=data["notes"],
            **self.marking_values(),
        )

    def detail_fields(self) -> list[Any]:
        return [field for field in self if field.name not in self.MARKING_FIELDS and field.name != "unit"]


class EntityLinkForm(StyledForm):
    other = forms.IntegerField(
        label=_("Number of the other record"),
        min_value=1,
        help_text=_("Shown on its page, after the №."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=LinkRole.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RecordLinkForm(StyledForm):
    record_type = forms.ChoiceField(
        label=_("Kind of record"), choices=[(kind, linkable.label) for kind, linkable in LINKABLE.items()]
    )
    reference = forms.CharField(label=_("Reference or number"), max_length=60)
    role = forms.ChoiceField(label=_("Role"), choices=LinkRole.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecisionForm(StyledForm):
    verdict = forms.ChoiceField(
        choices=[
            (Verdict.SAME, Verdict.SAME.label),
            (Verdict.NOT_SAME, Verdict.NOT_SAME.label),
            (Verdict.UNSURE, Verdict.UNSURE.label),
        ]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
