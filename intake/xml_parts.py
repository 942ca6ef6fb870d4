"""XML parts of a package read safely: expat with DOCTYPE and entity declarations refused the
moment they start (as defusedxml does), so nothing is ever expanded or fetched."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from eop.config import Limits
from intake.refusal import refuse

CHUNK = 64 * 1024  # bytes inflated at a time: memory stays flat whatever a part declares
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_PART = "xl/workbook.xml"


class _RootReached(Exception):
    """Internal: an XML part's root element started, so its prolog (where a DOCTYPE goes) is over."""


def guarded_parser(name: str, member: str, namespaces: bool = False) -> Any:
    """An expat parser that refuses DOCTYPE, entity declarations and external references
    the moment they start (as defusedxml does), so nothing is ever expanded or fetched."""
    parser: Any = expat.ParserCreate(namespace_separator=" " if namespaces else None)

    def declared(*_: object) -> None:
        raise refuse("xml-entities", name, member=member)

    parser.StartDoctypeDeclHandler = declared
    parser.EntityDeclHandler = declared
    parser.UnparsedEntityDeclHandler = declared
    parser.ExternalEntityRefHandler = declared
    return parser


def prolog_reader(name: str, member: str) -> Callable[[bytes, bool], bool]:
    """Feed a part's bytes; True once its root element starts (no DOCTYPE can follow)."""
    parser = guarded_parser(name, member)

    def root(*_: object) -> None:
        raise _RootReached

    parser.StartElementHandler = root

    def feed(chunk: bytes, final: bool) -> bool:
        try:
            parser.Parse(chunk, final)
        except _RootReached:
            return True
        return False

    return feed


def _stream_xml(
    zf: zipfile.ZipFile,
    member: str,
    name: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    kept: dict[str, bytes] | None = None,
) -> None:
    """Parse a whole part in chunks (its size is already bounded), tags as "namespace local"."""
    parser = guarded_parser(name, member, namespaces=True)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if kept and member in kept:
        parser.Parse(kept[member], False)
    else:
        with zf.open(member) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
    parser.Parse(b"", True)


def content_types(zf: zipfile.ZipFile, name: str, kept: dict[str, bytes] | None = None) -> set[str]:
    types: set[str] = set()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if "ContentType" in attrs:
            types.add(attrs["ContentType"].strip().lower())

    _stream_xml(zf, CONTENT_TYPES, name, start, kept=kept)
    return types


def check_sheet_count(
    zf: zipfile.ZipFile, name: str, limits: Limits, kept: dict[str, bytes] | None = None
) -> None:
    sheets: list[str] = []
    inside: list[bool] = [False]  # within <sheets>; defined names etc. do not count

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "sheets":
            inside[0] = True
        elif local == "sheet" and inside[0]:
            sheets.append(attrs.get("name", ""))

    def end(tag: str) -> None:
        if tag.rpartition(" ")[2] == "sheets":
            inside[0] = False

    _stream_xml(zf, WORKBOOK_PART, name, start, end, kept)
    if len(sheets) > limits.max_sheets:
        raise refuse("too-many-sheets", name, count=len(sheets), limit=limits.max_sheets)
