"""The form renderer: the project's templates for every widget, except that a select is written
in Python. The filter forms have over 300 options; through a template they took 13 ms per page
even with each option written in place (29 ms with Django's include per option), in Python a
fraction of that. The markup is Django's own (select.html, select_option.html, attrs.html); a test
compares the two."""

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"


def _attrs(attrs: dict[str, Any]) -> str:
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_markup(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
        parts.extend(
            f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f"{conditional_escape(str(option['label']))}</option>"
            for option in group_choices
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class KordonRenderer(TemplatesSetting):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            return select_markup(context["widget"])
        return super().render(template_name, context, request)
