"""The Content Security Policy is on every page, and no template needs it loosened.

The browser tests (kordon.browser) fail on any script or style the policy refuses while they run;
these tests keep templates from needing one in the first place.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from kordon.core.headers import CONTENT_SECURITY_POLICY

PACKAGE = Path(__file__).resolve().parents[2]
# Templates rendered only into PDFs by WeasyPrint, never served to a browser.
PDF_TEMPLATES = {
    "analytics/bulletin.html",
    "cases/custody_report.html",
    "evaluation/certificate.html",
    "evaluation/report.html",
    "prisons/report.html",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def served_templates() -> list[Path]:
    templates = sorted(PACKAGE.glob("**/templates/**/*.html"))
    return [t for t in templates if t.as_posix().split("/templates/", 1)[1] not in PDF_TEMPLATES]


def test_the_policy_refuses_inline_script_eval_and_foreign_sources() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in directives["style-src"]


@pytest.mark.django_db
def test_pages_and_the_api_carry_the_policy() -> None:
    for path in ("/login/", "/api/v1/docs", "/health/live"):
        response = Client().get(path)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "camera=()" in response["Permissions-Policy"]


def test_no_served_template_has_inline_script_or_handlers() -> None:
    templates = served_templates()
    assert len(templates) > 50  # the glob found the project's templates
    offenders = []
    for template in templates:
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, JAVASCRIPT_URL, STYLE_ELEMENT):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(PACKAGE)}: {pattern.pattern}")
    assert offenders == []


def test_the_lint_catches_what_it_is_for() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="data">{}</script>')
    assert HANDLER_ATTRIBUTE.search('<form onsubmit="return confirm()">')
    assert not HANDLER_ATTRIBUTE.search('<form data-confirm="Delete?">')
