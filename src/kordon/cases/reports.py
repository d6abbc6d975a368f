"""The printable chain of custody of an exhibit (PDF, Russian or English)."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kordon.access.audit import EXPORT, audit_read
from kordon.cases.selectors import ExhibitView
from kordon.core.pdf import html_to_pdf


def custody_report(*, actor: Any, view: ExhibitView, language: str = "") -> bytes:
    """The exhibit, every event of its chain, the laboratory's results, the documents and the
    chain's flags, as a PDF; the export is audited."""
    languages = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in languages else translation.get_language()):
        html = render_to_string(
            "cases/custody_report.html",
            {"view": view, "exhibit": view.exhibit, "printed_at": timezone.localtime(), "by": actor},
        )
    audit_read(actor, view.exhibit, EXPORT, format="pdf", events=len(view.events), flags=len(view.flags))
    return html_to_pdf(html)
