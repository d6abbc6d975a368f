"""The officer's screening form: a name in any script, and what else the document says."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kordon.core.countries import country_codes
from kordon.core.forms import StyledForm, within_upload_limit
from kordon.entities.importing import person_described
from kordon.entities.matching import Person


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
