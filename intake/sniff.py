"""The first gate of intake: is this a file we can open, safely?

`check_file` looks at the bytes before any workbook reader does: what kind of file it
is (an old .xls, a PDF, an .ods, a CSV renamed .xlsx ...), a password, a damaged zip,
a zip bomb, unsafe member names, XML entity declarations, macros, too many sheets.

Nothing is ever expanded on trust: sizes and counts come from the zip directory and
are checked before a byte is inflated; parts are then streamed in chunks (so zipfile
checks each CRC and size) and XML goes through expat with DOCTYPE and ENTITY handlers
that refuse, only up to the root element except for the two small parts we read.

A refused file raises `UnreadableFile`: a permanent answer for the office. `OSError`
(the file vanished, no permission) propagates: that one is the caller's to retry.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

import msoffcrypto
import olefile  # type: ignore[import-untyped]

from eop.config import Limits
from intake.refusal import MiB, UnreadableFile, refuse, size_text
from intake.sheet_extent import SheetExtent
from intake.xml_parts import (
    CHUNK,
    CONTENT_TYPES,
    WORKBOOK_PART,
    check_sheet_count,
    content_types,
    prolog_reader,
)

__all__ = ["UnreadableFile", "check_file", "check_file_parts"]

KEPT_BYTES = 4 * MiB  # XML parts kept for the reader, at most (a workbook of ours: about 120 KB)
HEAD = 64 * 1024  # bytes looked at to recognise a file that is not a zip
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # not b"PK": a CSV may start "PK,"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MACRO_TYPES = frozenset(
    t.lower()
    for t in (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
        "application/vnd.ms-excel.addin.macroEnabled.main+xml",
    )
)
RATIO_MIN_BYTES = MiB  # a small part may legitimately compress very well
DIRECTORY_BYTES_PER_PART = 1024  # generous: a real central directory entry is ~100 bytes
EXCEL_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # all Excel/LibreOffice write
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # never in a text file people save
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
EOCD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")

# What a damaged zip or XML part makes zipfile, zlib and expat raise.
DAMAGED: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    expat.ExpatError,
    ValueError,  # includes UnicodeDecodeError of a member name flagged UTF-8
    struct.error,
    LookupError,  # expat, for an unknown encoding="…" in an XML declaration
    NotImplementedError,
    RuntimeError,
)


def check_file(path: Path, limits: Limits, *, display_name: str | None = None) -> None:
    """Return if `path` is an .xlsx we can open safely; raise UnreadableFile saying why not.

    Messages name `display_name` (the name the office gave, when `path` is an archived
    copy), else the file's own name.
    """
    check_file_parts(path, limits, display_name=display_name)


def check_file_parts(
    path: Path, limits: Limits, *, display_name: str | None = None
) -> dict[str, bytes]:
    """check_file, returning the XML parts it read whole on the way (each one chunk, KEPT_BYTES
    in all), so that the reader need not inflate them again."""
    name = display_name or path.name
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size  # of the file we read, even if the name is replaced
        if size == 0:
            raise refuse("empty-file", name)
        if size > limits.max_file_bytes:
            raise refuse(
                "too-large", name, size=size_text(size), limit=size_text(limits.max_file_bytes)
            )
        head = f.read(HEAD)
        if not head.startswith(ZIP_MAGICS):
            raise refuse(_foreign_kind(f, head, size, path.suffix.lower()), name)
        return _check_zip(f, size, name, limits)


# -- not a zip: say what it is, so the office knows what to do -------------------------


def _foreign_kind(f: BinaryIO, head: bytes, size: int, suffix: str) -> str:
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(f)
    if b"%PDF-" in head[:1024]:  # the header may follow a little junk
        return "not-xlsx-pdf"
    text = _as_text(head, whole=size <= len(head))
    if text is None:
        return "not-xlsx"
    return "not-xlsx-csv" if suffix in (".csv", ".tsv") or _delimited(text) else "not-xlsx-text"


def _ole2_kind(f: BinaryIO) -> str:
    """An OLE2 compound file: a password-protected .xlsx/.xls, an old .xls, or another old Office file."""
    streams = _ole2_streams(f)
    if "encryptedpackage" in streams or _ole2_encrypted(f):
        return "encrypted"
    return "not-xlsx-xls" if streams & {"workbook", "book"} else "not-xlsx"


def _ole2_streams(f: BinaryIO) -> set[str]:
    # olefile raises many kinds of errors on a damaged compound file; any of them only
    # means we cannot list its streams, and the file is refused all the same.
    try:
        f.seek(0)
        with olefile.OleFileIO(f) as ole:
            return {"/".join(entry).lower() for entry in ole.listdir()}
    except Exception:
        return set()


def _ole2_encrypted(f: BinaryIO) -> bool:
    # Same reason as above: msoffcrypto's parsers fail in many ways on odd files.
    try:
        f.seek(0)
        return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:
        return False


def _as_text(head: bytes, whole: bool) -> str | None:
    """The head decoded as text people save (UTF-8/16/32 or Thai Windows cp874), else None."""
    by_bom = [codec for bom, codec in BOMS if head.startswith(bom)]
    candidates = by_bom[:1] or ([] if b"\x00" in head else ["utf-8", "cp874"])
    for codec in candidates:
        text = _decode(head, codec, whole)
        if text is not None and not CONTROL.search(text):
            return text
    return None


def _decode(data: bytes, codec: str, whole: bool) -> str | None:
    try:  # incremental: a head cut inside a multi-byte character is still text
        return codecs.getincrementaldecoder(codec)().decode(data, final=whole)
    except UnicodeDecodeError:
        return None


def _delimited(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    return bool(lines) and any(all(sep in line for line in lines) for sep in ",;\t|")


# -- a zip: bounded, safe, and an Excel workbook ----------------------------------------


def _check_zip(f: BinaryIO, size: int, name: str, limits: Limits) -> dict[str, bytes]:
    try:
        _check_directory(f, size, name, limits)
        with zipfile.ZipFile(f) as zf:
            return _check_package(zf, size, name, limits)
    except DAMAGED as exc:
        raise refuse("corrupt-zip", name, why=_why(exc)) from exc


def _why(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:200]


def _check_directory(f: BinaryIO, size: int, name: str, limits: Limits) -> None:
    """Bound the central directory from the end record, before zipfile loads all of it."""
    entries, directory_bytes = _end_record(f, size)
    if entries > limits.max_parts or directory_bytes > limits.max_parts * DIRECTORY_BYTES_PER_PART:
        raise _too_many_parts(name, entries, limits)


def _end_record(f: BinaryIO, size: int) -> tuple[int, int]:
    """(parts, directory bytes) the end-of-central-directory record declares."""
    tail_len = min(size, EOCD.size + 0xFFFF)  # the record, then at most a 64 KiB comment
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + EOCD.size > len(tail):
        raise zipfile.BadZipFile("no end-of-central-directory record: the file is cut short")
    _, _, _, _, entries, directory_bytes, _, _ = EOCD.unpack_from(tail, at)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # the real values are in a zip64 record
        return _zip64_end_record(f, size - tail_len + at) or (entries, directory_bytes)
    return entries, directory_bytes


def _zip64_end_record(f: BinaryIO, end_record_at: int) -> tuple[int, int] | None:
    if end_record_at < ZIP64_LOCATOR.size:
        return None
    f.seek(end_record_at - ZIP64_LOCATOR.size)
    signature, _, record_at, _ = ZIP64_LOCATOR.unpack(f.read(ZIP64_LOCATOR.size))
    if signature != b"PK\x06\x07":
        return None
    f.seek(record_at)
    record = f.read(ZIP64_EOCD.size)
    if len(record) < ZIP64_EOCD.size or not record.startswith(b"PK\x06\x06"):
        raise zipfile.BadZipFile("the zip64 end record is missing")
    fields = ZIP64_EOCD.unpack(record)
    return fields[7], fields[8]


def _check_package(zf: zipfile.ZipFile, size: int, name: str, limits: Limits) -> dict[str, bytes]:
    infos = zf.infolist()
    _check_members(infos, size, name, limits)
    names = set(zf.namelist())
    if "mimetype" in names and _is_ods(zf):
        raise refuse("not-xlsx-ods", name)
    kept: dict[str, bytes] = {}
    for info in infos:
        _verify_part(zf, info, name, limits, kept)
    if CONTENT_TYPES in names and content_types(zf, name, kept) & MACRO_TYPES:
        raise refuse("macro-enabled", name)
    for required in (WORKBOOK_PART, CONTENT_TYPES):
        if required not in names:
            raise refuse("not-a-workbook", name, why=f"it has no {required}")
    check_sheet_count(zf, name, limits, kept)
    return kept


def _check_members(infos: list[zipfile.ZipInfo], size: int, name: str, limits: Limits) -> None:
    """Everything the central directory alone tells: nothing is inflated yet."""
    if len(infos) > limits.max_parts:
        raise _too_many_parts(name, len(infos), limits)
    for info in infos:
        if _unsafe_path(info.filename):
            raise refuse("unsafe-path", name, member=info.filename)
    _check_sizes(infos, name, limits)
    _check_storage(infos, size, name)


def _unsafe_path(member: str) -> bool:
    if member.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member):
        return True
    return ".." in re.split(r"[/\\]", member)


def _check_sizes(infos: list[zipfile.ZipInfo], name: str, limits: Limits) -> None:
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise refuse(
            "zip-bomb",
            name,
            why_th=f"เมื่อขยายจะมีขนาด {size_text(total)} เกินขีดจำกัด {size_text(limits.max_uncompressed_bytes)}",
            why_en=f"would expand to {size_text(total)}, over the limit of "
            f"{size_text(limits.max_uncompressed_bytes)} (limits.max_uncompressed_bytes)",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > limits.max_part_ratio:
            raise refuse(
                "zip-bomb",
                name,
                why_th=f'มีส่วน "{info.filename}" ที่ขยายได้ {ratio:,.0f} เท่า ({size_text(info.file_size)}) '
                f"เกินขีดจำกัด {limits.max_part_ratio:g} เท่า",
                why_en=f'has a part "{info.filename}" that expands {ratio:,.0f} times (to '
                f"{size_text(info.file_size)}), over the limit of {limits.max_part_ratio:g} (limits.max_part_ratio)",
            )


def _too_many_parts(name: str, count: int, limits: Limits) -> UnreadableFile:
    return refuse(
        "zip-bomb",
        name,
        why_th=f"มีส่วนภายในมากผิดปกติ ({count} ส่วน หรือสารบัญใหญ่ผิดปกติ) เกินขีดจำกัด {limits.max_parts} ส่วน",
        why_en=f"has too many parts inside ({count}, or an oversized directory), over the limit of "
        f"{limits.max_parts} (limits.max_parts)",
    )


def _check_storage(infos: list[zipfile.ZipInfo], size: int, name: str) -> None:
    seen: set[str] = set()
    for info in infos:
        # zipfile would seek to a negative offset (OSError) or read past the end.
        if not 0 <= info.header_offset < size - info.compress_size:
            raise zipfile.BadZipFile(f"{info.filename} points outside the file")
        if info.flag_bits & 0x41:  # zip-level encryption (traditional or strong)
            raise refuse("encrypted", name)
        if info.compress_type not in EXCEL_METHODS:
            raise zipfile.BadZipFile(f"{info.filename}: compression method {info.compress_type}")
        # Part names are case-insensitive in a package: two readers could pick different twins.
        if info.filename.lower() in seen:
            raise zipfile.BadZipFile(f"{info.filename} appears twice")
        seen.add(info.filename.lower())


def _is_ods(zf: zipfile.ZipFile) -> bool:
    with zf.open("mimetype") as stream:
        return stream.read(len(ODS_MIMETYPE)) == ODS_MIMETYPE


def _is_xml(member: str) -> bool:
    return member.lower().endswith((".xml", ".rels"))


def _verify_part(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, kept: dict[str, bytes]
) -> None:
    """Read a part to its end so zipfile checks its CRC and size; refuse a DOCTYPE in XML,
    and a sheet reaching past the row or column limit. An XML part that came in one chunk
    is kept (while `kept` holds less than KEPT_BYTES): the reader takes it from there.

    Chunks are dropped as they come: a nested zip is only bytes here, never opened.
    """
    if info.is_dir():
        return
    xml = _is_xml(info.filename)
    prolog = prolog_reader(name, info.filename) if xml else None
    extent = SheetExtent(name, info.filename, limits) if xml else None
    chunks, whole = 0, b""
    with zf.open(info) as stream:
        while chunk := stream.read(CHUNK):
            chunks += 1
            whole = chunk if chunks == 1 else b""
            if prolog is not None and prolog(chunk, False):
                prolog = None
            if extent is not None:
                extent.feed(chunk)
    if prolog is not None:
        prolog(b"", True)  # the part ended before a root element: expat says it is not XML
    if xml and chunks == 1 and sum(map(len, kept.values())) + len(whole) <= KEPT_BYTES:
        kept[info.filename] = whole
