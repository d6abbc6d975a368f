"""HTML to PDF for the reports (bulletins, audit reports, evaluations, certificates)."""


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`. A report carries its images inside (data: URIs) and fetches nothing
    else: a node may be offline, and a report must not call out."""
    # Imported here: WeasyPrint loads Pango, which only reports need.
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return bytes(HTML(string=html, url_fetcher=fetcher).write_pdf())
