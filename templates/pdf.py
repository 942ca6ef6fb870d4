"""The one PDF writer of the product: HTML → PDF with WeasyPrint, then the text layer put
right (templates.pdf_text). RPT reports and the evidence documents (packet front pages,
target memo, stand-in orders, stamps) are all written here.

WeasyPrint fetches only file: and data: URLs (never the network), and the file appears
whole or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_pdf(html: str, out: Path, *, base_url: str) -> Path:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    from templates.pdf_text import fix_text_layer

    fetcher = URLFetcher(allowed_protocols={"file", "data"})  # never the network
    document = HTML(string=html, url_fetcher=fetcher, base_url=base_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    document.write_pdf(partial, finisher=fix_text_layer)
    os.replace(partial, out)  # nobody ever sees half a PDF
    return out
