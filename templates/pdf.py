"""The one PDF writer of the product: HTML → PDF with WeasyPrint, then the text layer put
right (templates.pdf_text). RPT reports and the evidence documents (packet front pages,
target memo, stand-in orders, stamps) are all written here.

- WeasyPrint fetches only file: and data: URLs (never the network).
- Sarabun (the pip package fontpkg-sarabun: the machine has no Thai font) and the
  stylesheets are parsed once a process: one FontConfiguration and the weasyprint.CSS
  objects are kept, so a warm render lays out and draws, and nothing more.
- The file appears whole or not at all.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any


@cache
def font_paths() -> dict[int, Path]:
    """weight → the file of Sarabun, shipped by the pip package fontpkg-sarabun."""
    import fontpkg

    return {weight: Path(fontpkg.path("Sarabun", weight)) for weight in (400, 700)}


def font_uris() -> dict[int, str]:
    return {weight: path.as_uri() for weight, path in font_paths().items()}


def font_faces() -> str:
    """The @font-face rules of Sarabun (what an HTML page for the PDF would say)."""
    return "".join(
        f'@font-face {{ font-family: Sarabun; font-weight: {weight}; font-style: normal; src: url("{uri}"); }}\n'
        for weight, uri in font_uris().items()
    )


@cache
def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"})  # never the network


@cache
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _stylesheet(path: Path | None) -> Any:
    """A stylesheet parsed once (None: the fonts alone), its fonts in the shared config."""
    from weasyprint import CSS

    text = font_faces() if path is None else path.read_text(encoding="utf-8")
    base = (path.parent if path else Path(__file__).parent).as_uri() + "/"
    return CSS(string=text, font_config=_font_config(), url_fetcher=_fetcher(), base_url=base)


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic collector paused while WeasyPrint lays out: its boxes are freed by
    reference counting, but their numbers make the collector walk every object of the
    process (~0.08 s of a report, measured). It runs as usual afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def write_pdf(html: str, out: Path, *, base_url: str, stylesheets: Sequence[Path] = ()) -> Path:
    """`html` as a PDF at `out`. `stylesheets` (CSS files) apply as user stylesheets (the
    page's own <style> wins over them); Sarabun is always there."""
    from weasyprint import HTML

    from templates.pdf_text import fix_text_layer

    sheets = [_stylesheet(None), *(_stylesheet(Path(p)) for p in stylesheets)]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    try:
        with _no_collection():
            document = HTML(string=html, url_fetcher=_fetcher(), base_url=base_url)
            document.write_pdf(
                partial, stylesheets=sheets, font_config=_font_config(), finisher=fix_text_layer
            )
        os.replace(partial, out)  # nobody ever sees half a PDF
    finally:
        partial.unlink(missing_ok=True)  # a failed write leaves nothing behind
    return out
