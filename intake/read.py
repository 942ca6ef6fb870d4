"""Reading a workbook that passed the file gate: its `_meta` and its sheets' raw cells (calamine)."""

from __future__ import annotations

import functools
import html
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast
from xml.etree.ElementTree import ParseError, iterparse

from python_calamine import CalamineError, CalamineWorkbook

from eop.layout import META_SHEET, SheetLayout
from validators.values import read_text

if TYPE_CHECKING:
    import pandas as pd


class UnreadableWorkbook(Exception):
    """The reader gave up on a file that looked like a workbook."""

    permanent = True

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.message_th = (
            f'อ่านไฟล์ "{name}" ไม่ได้ (ไฟล์อาจเสียหาย) กรุณาบันทึกใหม่ใน Excel เป็น .xlsx แล้วส่งอีกครั้ง'
        )
        self.message_en = f'"{name}" cannot be read (it may be damaged); save it again from Excel as .xlsx and send it again ({detail})'


@dataclass
class RawWorkbook:
    """Cells as stored: numbers as float, text as text, blanks as "", formulas by cached value
    (a formula saved without one is its text, "=2+3", so that reading it as a number fails)."""

    name: str
    sheet_names: list[str]
    meta: dict[str, str] | None
    sheets: dict[str, list[list[object]]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list[object]]:
        return self.sheets.get(sheet, [])


def read_workbook(
    path: Path, *, display_name: str, max_rows: int, parts: Mapping[str, bytes] | None = None
) -> RawWorkbook:
    """`parts`: XML parts the file gate has inflated already (check_file_parts), by name."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        sheets = {name: _cells(book, name, max_rows) for name in names}
        formulas = _uncached_formulas(path, names, max_rows + 1, parts or {})
    except (CalamineError, ValueError, OSError, ParseError, zipfile.BadZipFile) as exc:
        raise UnreadableWorkbook(display_name, str(exc)) from exc
    finally:
        if "book" in locals():
            book.close()
    for name, cells in formulas.items():
        _put_formulas(sheets[name], cells)
    meta = _meta(sheets.pop(META_SHEET)) if META_SHEET in sheets else None
    return RawWorkbook(display_name, [n for n in names if n != META_SHEET], meta, sheets)


def _cells(book: CalamineWorkbook, name: str, max_rows: int) -> list[list[object]]:
    sheet = book.get_sheet_by_name(name)
    # A sheet past the row limit is read only up to it (plus one row, so the limit shows).
    cells = sheet.to_python(skip_empty_area=False, nrows=max_rows + 1)
    return cast(list[list[object]], cells)  # a cell is any of calamine's value types


# -- formulas without a cached value ------------------------------------------------------
# calamine reads a formula cell by its cached value and gives "" when there is none (a file
# written by a program, never opened and saved in Excel). Such a cell is not blank: it is a
# number nobody has calculated yet. The sheet XML says which cells those are. (The file gate
# has already refused any DOCTYPE/entity and bounded every part's size.)
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
TEXT_RESULTS = frozenset({"str", "inlineStr"})  # a formula whose cached result is text may be ""


def _uncached_formulas(
    path: Path, names: list[str], max_rows: int, kept: Mapping[str, bytes]
) -> dict[str, list[tuple[str, str]]]:
    """Per sheet, (cell, "=formula") of every formula saved without its calculated value."""
    found: dict[str, list[tuple[str, str]]] = {}
    with ExitStack() as stack:
        opened: list[zipfile.ZipFile] = []

        def part(
            member: str,
        ) -> bytes:  # the gate's copy, else from the zip (KeyError: no such part)
            if member in kept:
                return kept[member]
            if not opened:
                opened.append(stack.enter_context(zipfile.ZipFile(path)))
            return opened[0].read(member)

        try:
            parts = _sheet_parts(part)
        except KeyError:  # no workbook.xml or its relationships: calamine read it some other way
            return {}
        for name in names:
            try:
                data = part(parts[name])
            except KeyError:
                continue
            if b"<![CDATA[" in data or b"<!--" in data:  # rare: the XML parser reads those
                found[name] = list(_formula_cells(io.BytesIO(data), max_rows))
            else:
                found[name] = list(_scan_formula_cells(data, max_rows))
    return {name: cells for name, cells in found.items() if cells}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(part: Callable[[str], bytes]) -> dict[str, str]:
    """Sheet name → its part in the zip, from xl/workbook.xml and its relationships."""
    ids = {}
    for _, element in iterparse(io.BytesIO(part("xl/workbook.xml"))):
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            ids[rid] = element.get("name", "")
    targets = {}
    for _, element in iterparse(io.BytesIO(part("xl/_rels/workbook.xml.rels"))):
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            targets[element.get("Id")] = (
                target[1:]
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    return {name: targets[rid] for rid, name in ids.items() if rid in targets}


def _formula_cells(stream: IO[bytes], max_rows: int) -> Iterator[tuple[str, str]]:
    """Up to the row limit, as calamine reads it."""
    for _, element in iterparse(stream):
        tag = _local(element.tag)
        if tag == "row":
            element.clear()
            if int(element.get("r") or 0) >= max_rows:
                return
        if tag != "c":
            continue
        formula = value = None
        for child in element:
            formula = child if _local(child.tag) == "f" else formula
            value = child if _local(child.tag) == "v" else value
        uncached = value is None or (not value.text and element.get("t") not in TEXT_RESULTS)
        if formula is not None and uncached and CELL.match(element.get("r", "")):
            yield element.get("r", ""), "=" + (formula.text or "…")


# The same answer as _formula_cells, by regular expressions over the part's bytes: about
# five times faster on our sheets (every row holds formulas), which matters at 878 files.
_NAME = rb"(?:[A-Za-z_][\w.\-]*:)?"
_CELL = re.compile(rb"<(" + _NAME + rb")c(\s[^>]*?)?(?<!/)>(.*?)</\1c\s*>", re.S)
_FORMULA = re.compile(rb"<" + _NAME + rb"f(?:\s[^>]*?)?(?:/>|>(.*?)</" + _NAME + rb"f\s*>)", re.S)
_VALUE = re.compile(rb"<" + _NAME + rb"v(?:\s[^>]*?)?(?:/>|>(.*?)</" + _NAME + rb"v\s*>)", re.S)
_ATTRIBUTE = {
    name: re.compile(rb"\s" + name.encode() + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
    for name in ("r", "t")
}
_ROW_NUMBER = re.compile(r"[0-9]+")
_ANY_FORMULA = re.compile(rb"<" + _NAME + rb"f[\s/>]")


def _attribute(attributes: bytes | None, name: str) -> str | None:
    found = _ATTRIBUTE[name].search(attributes or b"")
    return (
        None
        if found is None
        else _text(found.group(1) if found.group(1) is not None else found.group(2))
    )


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


_FORMULA_AT = re.compile(rb"<(" + _NAME + rb")f[\s/>]")
_CELL_OPEN = re.compile(rb"<(" + _NAME + rb")c(\s[^>]*?)?(?<!/)>")
_CELL_CLOSE: dict[bytes, re.Pattern[bytes]] = {}


def _cells_around_formulas(data: bytes) -> list[tuple[bytes | None, bytes]] | None:
    """(attributes, body) of the cells holding a formula, found from the formulas rather than
    by walking every cell: a formula is its cell's first child (as the schema orders them and
    every writer does), so the tag just before it opens its cell. The sheet has been parsed by
    calamine already, so cells close where they should. None when a formula is not right after
    its cell's tag (whitespace, another order): then every cell is walked."""
    cells: list[tuple[bytes | None, bytes]] = []
    taken_to = 0
    for formula in _FORMULA_AT.finditer(data):
        at = formula.start()
        if at < taken_to:  # a second formula in a cell already taken: the first one counts
            continue
        cell = _CELL_OPEN.match(data, data.rfind(b"<", 0, at))
        if cell is None or cell.end() != at:
            return None
        prefix = cell.group(1)
        close = _CELL_CLOSE.get(prefix)
        if close is None:
            close = _CELL_CLOSE[prefix] = re.compile(rb"</" + re.escape(prefix) + rb"c\s*>")
        end = close.search(data, at)
        if end is None:
            return None
        cells.append((cell.group(2), data[cell.end() : end.start()]))
        taken_to = end.end()
    return cells


# How every writer we know saves a formula cell: its position first, plain attributes, the
# formula, then its value if any. When every formula of a sheet is in such a cell, one
# findall reads them all (about ten times faster than taking each formula's cell).
_PLAIN_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}([1-9][0-9]{0,6}))"((?: [a-z]+="[^"<>]*")*)>'
    rb'<f(?: [A-Za-z]+="[^"<>]*")*(?:/>|>([^<]*)</f>)(<v>([^<]*)</v>|<v/>)?</c>'
)
_UNPREFIXED_FORMULA = re.compile(rb"<f[\s/>]")
_TYPE = re.compile(rb' t="([^"]*)"')


def _plain_formula_cells(data: bytes, max_rows: int) -> list[tuple[str, str]] | None:
    """The formulas without a value when all are in plain cells; None when any is not: as
    many plain cells as formula tags, and no namespace prefix (":f") that could hide one."""
    cells = _PLAIN_FORMULA_CELL.findall(data)
    if b":f" in data or len(cells) != len(_UNPREFIXED_FORMULA.findall(data)):
        return None
    uncached = []
    for address, row, attributes, formula, value, text in cells:
        if int(row) > max_rows:
            break
        if (
            not value
            or not text
            and not (b" t=" in attributes and _type(attributes) in TEXT_RESULTS)
        ):
            uncached.append((address, formula or "…".encode()))
    # A sheet of ours has hundreds: their positions and texts decoded all at once, not one by one.
    addresses = b"\0".join(address for address, _ in uncached).decode().split("\0")
    formulas = _text(b"\0".join(formula for _, formula in uncached)).split("\0")
    return (
        [(address, "=" + formula) for address, formula in zip(addresses, formulas)]
        if uncached
        else []
    )


def _type(attributes: bytes) -> str | None:
    found = _TYPE.search(attributes)
    return None if found is None else _text(found.group(1))


def _scan_formula_cells(data: bytes, max_rows: int) -> Iterator[tuple[str, str]]:
    if not _ANY_FORMULA.search(data):
        return
    plain = _plain_formula_cells(data, max_rows)
    if plain is not None:
        yield from plain
        return
    around = _cells_around_formulas(data)
    cells = (
        around
        if around is not None
        else ((cell.group(2), cell.group(3)) for cell in _CELL.finditer(data))
    )
    for attributes, body in cells:
        formula = _FORMULA.search(body)
        if formula is None:
            continue
        address = _attribute(attributes, "r") or ""
        number = _ROW_NUMBER.search(address)
        if number is not None and int(number.group()) > max_rows:
            return
        value = _VALUE.search(body)
        text = None if value is None else value.group(1)
        uncached = value is None or (not text and _attribute(attributes, "t") not in TEXT_RESULTS)
        if uncached and CELL.match(address):
            yield address, "=" + (_text(formula.group(1)) if formula.group(1) else "…")


def _put_formulas(rows: list[list[object]], cells: list[tuple[str, str]]) -> None:
    """Write each uncalculated formula's text where calamine left the cell blank."""
    for address, text in cells:
        number = address.lstrip(_LETTERS)  # a CELL-checked address: letters, then the row
        row, column = int(number) - 1, _index(address[: len(address) - len(number)])
        while len(rows) <= row:
            rows.append([])
        cells_of_row = rows[row]
        if len(cells_of_row) <= column:
            cells_of_row.extend([""] * (column + 1 - len(cells_of_row)))
        if cells_of_row[column] in ("", None):
            cells_of_row[column] = text


def _meta(rows: list[list[object]]) -> dict[str, str]:
    return {read_text(r[0]): read_text(r[1]) for r in rows if len(r) >= 2 and read_text(r[0])}


Columns = dict[str, list[object]]  # field → raw cells, top to bottom (and "row": Excel row numbers)


def sheet_frame(
    rows: list[list[object]], layout: SheetLayout, count: int | None = None
) -> pd.DataFrame:
    """sheet_columns as a pandas frame."""
    import pandas as pd

    return pd.DataFrame(sheet_columns(rows, layout, count))


def sheet_columns(
    rows: list[list[object]], layout: SheetLayout, count: int | None = None
) -> Columns:
    """The data rows of a sheet as raw cells by field, plus `row` (the Excel row number).
    Data rows run from the layout's first row while the activity code is filled
    (or exactly `count` rows when given). Plain lists: a monthly workbook's checks need no
    frame of their own (a batch of them is checked as one)."""
    start = layout.first_row - 1
    if count is None:
        code = _index(layout.column("code").letter)
        count = next(
            (n for n, cells in enumerate(rows[start:]) if not read_text(_at(cells, code))),
            len(rows) - start,
        )
    chosen = rows[start : start + count]
    columns: Columns = {"row": list(range(start + 1, start + 1 + len(chosen)))}
    for c in layout.columns:
        index = _index(c.letter)
        columns[c.field] = [cells[index] if index < len(cells) else "" for cells in chosen]
    return columns


def codes_below(
    rows: list[list[object]], layout: SheetLayout, after_row: int
) -> list[tuple[int, str]]:
    """Activity codes in rows after the expected ones: rows someone added."""
    column = _index(layout.column("code").letter)
    return [
        (i, read_text(r[column]))
        for i, r in enumerate(rows[after_row:], start=after_row + 1)
        if read_text(_at(r, column))
    ]


def data_columns(rows: list[list[object]], layout: SheetLayout) -> Columns:
    """The data rows from the layout's first row down to the last one holding an activity
    code: a row inserted in the middle then shows as one added row (not as the last activity
    removed and added again), a deleted one as one removed."""
    coded = codes_below(rows, layout, layout.first_row - 1)
    return sheet_columns(rows, layout, count=coded[-1][0] - layout.first_row + 1 if coded else 0)


def data_frame(rows: list[list[object]], layout: SheetLayout) -> pd.DataFrame:
    """data_columns as a pandas frame."""
    import pandas as pd

    return pd.DataFrame(data_columns(rows, layout))


def cell_value(rows: list[list[object]], address: str) -> object:
    letters = "".join(ch for ch in address if ch.isalpha())
    number = int("".join(ch for ch in address if ch.isdigit()))
    return _at(rows[number - 1], _index(letters)) if number <= len(rows) else ""


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.lru_cache(maxsize=1024)
def _index(letters: str) -> int:
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    return value - 1


def _at(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else ""
