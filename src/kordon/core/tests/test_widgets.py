"""The project's renderer writes the same select markup as Django's own templates (it only writes
it in Python instead of through a template per option)."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates

from kordon.core.renderers import KordonRenderer


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("x", "X & Y"), ("y", "Ӯ")], initial="x")
    grouped = forms.ChoiceField(choices=[("a", "A"), ("G", [("g1", "G1"), ("g2", "G2")])], initial="g2")
    several = forms.MultipleChoiceField(
        choices=[("1", "one"), ("2", "two"), ("3", "three")], initial=["1", "3"]
    )
    disabled = forms.ChoiceField(choices=[("1", "one")], disabled=True)
    hostile = forms.ChoiceField(choices=[('"><script>', "<b>&amp;</b>")], initial='"><script>')


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_renderer_writes_djangos_select_markup() -> None:
    form = Choices()
    for field in form:
        attrs = field.build_widget_attrs({"id": field.auto_id})
        ours, djangos = (
            field.field.widget.render(field.html_name, field.value(), attrs, renderer=renderer)
            for renderer in (KordonRenderer(), DjangoTemplates())
        )
        assert _squeezed(ours) == _squeezed(djangos), field.name
    # And the settings use ours.
    assert 'value="g2" selected' in str(form["grouped"])
    assert '<option value="1" selected>one</option><option value="2">two</option>' in _squeezed(
        str(form["several"])
    )
