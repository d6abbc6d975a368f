"""Headers Django's SecurityMiddleware does not set: a strict Content Security Policy and a
Permissions Policy.

The pages load scripts and styles only from the node's own static files: no inline script, no
event-handler attribute, no eval, no CDN. An injected `<script>` or `onerror=` in any text field
would therefore not run even if escaping failed somewhere. Style attributes stay allowed because
score bars and chart sizes are set per row; CSS cannot run code.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Cytoscape (the link chart) adds one fixed style element to the page it draws in; its hash lets
# exactly that rule in and nothing else. A new Cytoscape version that changes the rule makes the
# chart's browser test fail on the refusal.
CYTOSCAPE_CONTAINER_STYLE = "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {CYTOSCAPE_CONTAINER_STYLE}",
        "style-src-attr 'unsafe-inline'",
        # Charts and maps are server-drawn images, some embedded as data: URLs.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Nothing in Kordon needs the camera, microphone, location or payment; a hostile script that
# got in anyway should not get them either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A view may set a stricter policy of its own (an uploaded photo is served sandboxed).
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
