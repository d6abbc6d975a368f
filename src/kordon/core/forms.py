"""Form helpers shared by the modules' pages."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates stay plain."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else css

    def show_errors(self, error: ValidationError) -> None:
        """Put a service's validation errors next to the fields they belong to."""
        for name, messages in (
            error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
        ):
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def within_upload_limit(upload: Any, command: str) -> Any:
    """The uploaded file, or a ValidationError when it is over the node's limit, naming the
    server command that takes a file of any size."""
    limit = settings.KORDON_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(megabytes)s MB. Split it, or use %(command)s on the server.")
            % {"megabytes": limit // (1024 * 1024), "command": command}
        )
    return upload
