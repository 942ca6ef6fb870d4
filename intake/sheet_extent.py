"""How far a sheet reaches, read from its XML as it streams past (intake.sniff), before any
reader sees it: a reader makes a sheet one dense block from A1 to its last cell."""

from __future__ import annotations

import re
import zipfile
from operator import itemgetter

from eop.config import Limits
from intake.refusal import UnreadableFile
from validators.catalogue import finding

_R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ROW_REF = re.compile(rb"[1-9][0-9]{0,6}")
_CELL_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})")
_LONGEST_TAG = 64 * 1024  # an unfinished start tag kept over a chunk boundary
# A cell or a row start tag (any namespace prefix) with its position `r` (the first ` r=`
# among its attributes) captured in the same match.
_CELL_TAG_AND_R = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])(?:[^<>]*?\sr\s*(=)\s*(?:\"([^\"<>]*)\"|'([^'<>]*)'))?[^<>]*>"
)
# How every writer we know starts them: no prefix, the position first and well formed. When
# all of a chunk's tags are such (as many as _ANY_TAG counts), one findall reads them all.
_PLAIN_TAG = re.compile(
    rb'<(?:row r="|c r="\$?([A-Za-z]{1,3})\$?)([1-9][0-9]{0,6})"[^<>]*>'
)  # (column letters or "", row)
_ANY_TAG = re.compile(rb"<(?:row|c)[\s/>]")
_PREFIXED_TAG = re.compile(rb":(?:row|c)[\s/>]")


class SheetExtent:
    """The rows and columns a sheet's cells reach, from their positions (`<row r>`, `<c r>`,
    or their order when `r` is left out), checked as the part streams past. A reader makes
    a sheet one dense block from A1 to its last cell: one cell at XFD1048576 in a 14 KB file
    is 17 billion cells. So the extent is bounded here, before any reader sees the file."""

    def __init__(self, name: str, member: str, limits: Limits) -> None:
        self.name, self.member, self.limits = name, member, limits
        self.row = 0
        self.column = 0
        self.rest = b""

    def feed(self, chunk: bytes) -> None:
        data = self.rest + chunk
        last = (
            data.rfind(b">") + 1
        )  # no tag ends after the last ">": the rest waits for the next chunk
        if not self._plain_within(
            data, last
        ):  # else one by one: the first tag past a limit, or a bad position, is named
            for local, equals, double, single in _CELL_TAG_AND_R.findall(data, 0, last):
                self._tag(local, None, (double or single) if equals else None)
        tail = data[last:]
        start = tail.rfind(b"<")
        self.rest = tail[start:] if start >= 0 else b""
        if len(self.rest) > _LONGEST_TAG:
            raise zipfile.BadZipFile(f"{self.member}: a tag longer than {_LONGEST_TAG} bytes")

    def _plain_within(self, data: bytes, last: int) -> bool:
        """The usual chunk at once: every tag plain (see _PLAIN_TAG) and all within the limits;
        the state left as walking them one by one leaves it. False, nothing changed, otherwise."""
        if _PREFIXED_TAG.search(data, 0, last):  # perhaps a namespace prefix: walk
            return False
        tags = _PLAIN_TAG.findall(data, 0, last)  # a row tag has no column letters
        if len(tags) != len(_ANY_TAG.findall(data, 0, last)):
            return False
        if not tags:  # no row or cell here (another part, or a long text): nothing changes
            return True
        if max(map(int, map(itemgetter(1), tags))) > self.limits.max_rows:
            return False
        columns = {
            letters: _column_number(letters) for letters in set(map(itemgetter(0), tags)) if letters
        }
        if max(columns.values(), default=0) > self.limits.max_columns:
            return False
        at = len(tags) - 1
        while at >= 0 and tags[at][0]:  # the last row tag sets the row; cells after it can raise it
            at -= 1
        self.row = max(
            [
                int(tags[at][1]) if at >= 0 else self.row,
                *(int(number) for _, number in tags[at + 1 :]),
            ]
        )
        self.column = columns[tags[-1][0]] if tags[-1][0] else 0
        return True

    def _tag(self, local: bytes, attributes: bytes | None, ref: bytes | None = None) -> None:
        if attributes is not None:
            found = _R_ATTRIBUTE.search(attributes)
            ref = (
                None
                if found is None
                else (found.group(1) if found.group(1) is not None else found.group(2))
            )
        if local == b"row":
            if ref is not None and not _ROW_REF.fullmatch(ref):
                raise zipfile.BadZipFile(f"{self.member}: row position {ref[:20]!r}")
            self.row = int(ref) if ref is not None else self.row + 1
            self.column = 0
        else:
            if ref is not None:
                cell = _CELL_REF.fullmatch(ref)
                if cell is None:
                    raise zipfile.BadZipFile(f"{self.member}: cell position {ref[:20]!r}")
                self.column = _column_number(cell.group(1))
                self.row = max(self.row, int(cell.group(2)))
            else:
                self.column += 1
        for code, reach, limit in (
            ("too-many-rows", self.row, self.limits.max_rows),
            ("too-many-columns", self.column, self.limits.max_columns),
        ):
            if reach > limit:
                raise UnreadableFile(
                    finding(code, file=self.name, value=f"{reach:,}", expected=f"{limit:,}")
                )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number
