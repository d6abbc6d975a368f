"""Form helpers shared by the modules' pages."""

from typing import Any

from django import forms

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
