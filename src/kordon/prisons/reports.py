"""Files made from prison security records: the audit report (PDF) and a framework version
as an XLSForm workbook."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from kordon.core.pdf import html_to_pdf
from kordon.prisons import services, xlsform
from kordon.prisons.models import Audit, Component, Framework


def framework_xlsx(framework: Framework) -> bytes:
    return xlsform.write_framework(framework)


def audit_pdf(audit: Audit, language: str) -> bytes:
    """The audit report in `language`: scores by section, gaps with the auditor's findings,
    recommendations with their answers."""
    findings = {answer.item_id: answer for answer in audit.answers.all()}
    gaps = [
        {
            "gap": gap,
            "item": item,
            "label": item.labels.get(language) or item.labels.get("en", ""),
            "finding": findings[item.pk].finding if item.pk in findings else "",
        }
        for gap, item in services.audit_gaps(audit)
    ]
    context: dict[str, Any] = {
        "audit": audit,
        "language": language,
        "components": Component.choices,
        "gaps": gaps,
        "recommendations": audit.recommendations.select_related("item").order_by("due_on", "id"),
        "answered": len(findings),
        "made_at": timezone.localtime(),
    }
    with translation.override(language):
        html = render_to_string("prisons/report.html", context)
    return html_to_pdf(html)
