"""The text layer of the product's PDFs, put right after WeasyPrint has drawn them.

WeasyPrint (70) gives each glyph one meaning for the whole font (ToUnicode), taken from
the first cluster it drew the glyph in, and gives nothing to the other glyphs of a
cluster. Thai shaping with Sarabun breaks that (NOTES-STACK):
- SARA AM (ำ) is drawn as NIKHAHIT + SARA AA (HarfBuzz decomposes it and moves the
  NIKHAHIT before a tone mark; Sarabun then ligates NIKHAHIT + mai ek/mai tho). The AA
  glyph is the glyph of า: every า of a document reads ำ, or every ำ reads า; the
  NIKHAHIT (+ tone) glyph reads nothing, so น้ำ reads นำ.
- a mark placed by GPOS is drawn shifted, a raised one by its own text operator (with
  a text rise): poppler takes it out of its word (สิ้น → "สิน" and "้" on a line of its
  own, ขุ่ → "ขุ" and "่" after the next character).

The fix is a WeasyPrint `finisher` (it edits the pydyf objects before they are written,
so it costs no re-parse), in three steps:
1. every glyph means what the font says it is (its cmap; an unencoded alternate or
   ligature through the GSUB rules that make it);
2. where a glyph means something else in its place (NIKHAHIT [+ tone] then AA = tone + ำ)
   it is drawn with a second code for the same glyph (CIDToGIDMap or the encoding CMap,
   and its width), whose ToUnicode says what it means there: the glyphs read in order
   then give the text as typed, for any extractor (pypdf, pdf.js, poppler);
3. each word (glyphs between white space) holding a mark is wrapped in a
   /Span <</ActualText …>> marked-content sequence, which poppler and viewers read
   instead of its glyphs: a mark drawn off its base (shifted past the base's right edge,
   or raised by its own operator) otherwise leaves its word in poppler's reading.
The picture is untouched: same glyphs, same widths, same positions.
"""

from __future__ import annotations

import binascii
import hashlib
import io
import itertools
import re
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# A decomposed vowel: (its mark, what follows the tone marks, the vowel it reads as, tones).
SARA_AM = {
    "\u0e4d": ("\u0e32", "\u0e33", frozenset("\u0e48\u0e49\u0e4a\u0e4b")),  # Thai ำ
    "\u0ecd": ("\u0eb2", "\u0eb3", frozenset("\u0ec8\u0ec9\u0eca\u0ecb")),  # Lao ຳ
}
JOINS_CLUSTER = frozenset("\u0e33\u0eb3")  # spacing vowels that still belong to the cluster
# Code points of category Cf (format characters), lowest first.
INVISIBLE = (0xAD, *range(0x600, 0x606), 0x61C, 0x6DD, 0x70F, 0x8E2, 0x180E, *range(0x200B, 0x2010))
HEX = re.compile(rb"<([0-9a-fA-F]*)>")

_MEANINGS: dict[bytes, dict[int, tuple[str, ...]]] = {}  # font file digest → glyph → meanings


# -- what each glyph of a font means --------------------------------------------------


def _substitutions(gsub: Any) -> Iterator[tuple[tuple[str, ...], str]]:
    """(glyphs in, glyph out) of every single, alternate, ligature and reverse rule."""
    for lookup in gsub.LookupList.Lookup if gsub.LookupList else ():
        for sub in lookup.SubTable:
            kind = lookup.LookupType
            if kind == 7:  # extension: the real subtable is inside
                sub, kind = sub.ExtSubTable, sub.ExtensionLookupType
            if kind == 1:
                yield from (((a,), b) for a, b in sub.mapping.items())
            elif kind == 3:
                yield from (((a,), b) for a, alts in sub.alternates.items() for b in alts)
            elif kind == 4:
                for first, ligatures in sub.ligatures.items():
                    yield from (((first, *lig.Component), lig.LigGlyph) for lig in ligatures)
            elif kind == 8:
                yield from zip(((g,) for g in sub.Coverage.glyphs), sub.Substitute)


def glyph_meanings(blob: bytes, index: int = 0) -> dict[int, tuple[str, ...]]:
    """Glyph id → the texts it can stand for: its cmap code points; for a glyph with none,
    what the GSUB rules that produce it were given (an alternate means its base, a
    ligature its parts). Cached by the font file's digest: fontTools takes ~0.1 s."""
    digest = hashlib.sha1(blob).digest() + bytes([index])
    if digest in _MEANINGS:
        return _MEANINGS[digest]
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(blob), fontNumber=index, lazy=True)
    gid = {name: number for number, name in enumerate(font.getGlyphOrder())}
    found: dict[int, list[str]] = {}
    for table in font["cmap"].tables:
        if table.isUnicode():
            for point, name in sorted(table.cmap.items()):
                texts = found.setdefault(gid[name], [])
                texts.extend([chr(point)] if chr(point) not in texts else [])
    if "GSUB" in font:
        _derive(list(_substitutions(font["GSUB"].table)), gid, found)
    _MEANINGS[digest] = {glyph: tuple(texts) for glyph, texts in found.items()}
    return _MEANINGS[digest]


def _derive(
    rules: list[tuple[tuple[str, ...], str]], gid: dict[str, int], found: dict[int, list[str]]
) -> None:
    """Give unencoded glyphs the meaning of what makes them, until nothing changes
    (an alternate of an alternate)."""
    encoded = set(found)
    changed = True
    while changed:
        changed = False
        for inputs, output in rules:
            target = gid.get(output)
            parts = [found.get(gid.get(name, -1), []) for name in inputs]
            if target is None or target in encoded or not all(parts):
                continue
            text = "".join(part[0] for part in parts)
            if text not in found.setdefault(target, []):
                found[target].append(text)
                changed = True


def meaning(glyph: int, drawn: str, meanings: dict[int, tuple[str, ...]]) -> str:
    """What a glyph says in the text layer: WeasyPrint's text if the font agrees (a space
    and a no-break space share a glyph; the fi ligature is also U+FB01), else the font's
    first meaning, else WeasyPrint's."""
    known = meanings.get(glyph, ())
    same = unicodedata.normalize("NFKC", drawn)
    if not known or any(unicodedata.normalize("NFKC", text) == same for text in known):
        return drawn
    return known[0]


@cache
def is_mark(text: str) -> bool:
    """A glyph that belongs to the cluster before it (an empty one too)."""
    return all(unicodedata.category(c)[0] == "M" or c in JOINS_CLUSTER for c in text)


@dataclass
class FontText:
    """One font of the document: what its codes mean, and the second codes given out."""

    font: Any  # weasyprint.pdf.fonts.Font
    meanings: dict[int, tuple[str, ...]]
    aliases: dict[tuple[int, str], int] = field(default_factory=dict)  # (glyph, text) → code
    known: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, font: Any) -> FontText:
        from weasyprint.text.fonts import get_hb_object_data

        return cls(font, glyph_meanings(get_hb_object_data(font.hb_face), font.index))

    def text(self, code: int) -> str:
        if code not in self.known:
            drawn = self.font.to_unicode.get(code, "")
            self.known[code] = meaning(code, drawn, self.meanings)
        return self.known[code]

    def alias(self, glyph: int, text: str) -> int | None:
        """A second code drawing `glyph` that reads `text`; None when codes run out. A code
        that reads nothing is the value of an invisible format character: pdf.js takes an
        empty ToUnicode entry for the code itself as a code point, and skips those."""
        if (glyph, text) not in self.aliases:
            taken = self.font.to_unicode.keys() | set(self.aliases.values())
            start = self.font.glyph_count + len(self.font.missing)
            codes = iter(INVISIBLE) if not text else itertools.count(start)
            code = next((c for c in codes if c not in taken), 0x10000)
            if code > 0xFFFF:
                return None
            self.aliases[(glyph, text)] = code
        return self.aliases[(glyph, text)]


# -- one content stream -----------------------------------------------------------------


@dataclass
class Line:
    """The glyphs of one line (WeasyPrint sets the text matrix once a line) in the order
    drawn: the stream item each is in, its font and its code."""

    items: list[int] = field(default_factory=list)
    fonts: list[FontText] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    shown: dict[int, tuple[bytes, int]] = field(default_factory=dict)  # item → (it, 1st glyph)
    offsets: dict[int, list[int]] = field(default_factory=dict)  # item → its glyphs' offsets

    def add(self, number: int, item: bytes, font: FontText) -> None:
        digits = b"".join(HEX.findall(item))
        count = len(digits) // 4
        self.shown[number] = (item, len(self.codes))
        self.codes += struct.unpack(f">{count}H", binascii.unhexlify(digits))
        self.items += [number] * count
        self.fonts += [font] * count

    def offset(self, at: int) -> int:
        """Where glyph `at`'s four hex digits are in its item."""
        number = self.items[at]
        item, first = self.shown[number]
        if number not in self.offsets:
            self.offsets[number] = [
                start
                for match in HEX.finditer(item)
                for start in range(match.start(1), match.end(1), 4)
            ]
        return self.offsets[number][at - first]


@dataclass
class Edits:
    """What to change in a stream's `[…] TJ` items: codes to replace, operators to put in
    (both at a glyph's offset)."""

    codes: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)
    cuts: dict[int, list[tuple[int, bytes]]] = field(default_factory=dict)

    def apply(self, items: list[Any]) -> list[Any]:
        if not self.codes and not self.cuts:
            return items
        out: list[Any] = []
        done = 0
        for number in sorted(self.codes.keys() | self.cuts.keys()):
            out += items[done:number]
            out += self._rewrite(items[number], number)
            done = number + 1
        return out + items[done:]

    def _rewrite(self, item: bytes, number: int) -> list[bytes]:
        """The item with its codes replaced, cut where operators go in: each piece is a
        `[…] TJ` of its own (a cut inside a hex string closes and reopens it)."""
        if number in self.codes:
            changed = bytearray(item)
            for offset, code in self.codes[number]:
                changed[offset : offset + 4] = code
            item = bytes(changed)
        out: list[bytes] = []
        done = 0
        for offset, operator in sorted(self.cuts.get(number, ()), key=lambda cut: cut[0]):
            if offset > done:
                out.append((b"[<" if done else b"") + item[done:offset] + b">] TJ")
                done = offset
            out.append(operator)
        out.append((b"[<" if done else b"") + item[done:])
        return [piece for piece in out if piece != b"[<>] TJ"]


def fix_stream(items: list[Any], fonts: dict[str, FontText]) -> list[Any]:
    """The stream's items with glyph codes and spans fixed (the same list if nothing
    changed), looking at one line at a time."""
    edits, line, font = Edits(), Line(), None
    for number, item in enumerate(items):
        if type(item) is not bytes:
            continue
        end = item[-2:]
        if end == b"TJ":
            if font is not None:
                line.add(number, item, font)
        elif end == b"Tf":
            font = fonts.get(item[1 : item.index(b" ")].decode())
        elif end in (b"Tm", b"BT", b"ET"):
            _fix_line(line, edits)
            line = Line()
    _fix_line(line, edits)
    return edits.apply(items)


def _fix_line(line: Line, edits: Edits) -> None:
    texts = [font.text(code) for font, code in zip(line.fonts, line.codes)]
    if "\u0e4d" in "".join(texts) or "\u0ecd" in "".join(texts):
        _read_sara_am(line, texts)
        for at, (font, code, text) in enumerate(zip(line.fonts, line.codes, texts)):
            alias = font.alias(code, text) if text != font.text(code) else None
            if alias is not None:
                edits.codes.setdefault(line.items[at], []).append(
                    (line.offset(at), b"%04x" % alias)
                )
    start = 0
    for at, text in enumerate([*texts, " "]):
        if text.isspace():
            if any(map(is_mark, texts[start:at])):
                _span(line, edits, start, at - 1, "".join(texts[start:at]))
            start = at + 1


def _read_sara_am(line: Line, texts: list[str]) -> None:
    """NIKHAHIT [+ tone] (one glyph or two) then AA: the tone, then SARA AM."""
    for at, text in enumerate(texts):
        for mark, (aa, am, tones) in SARA_AM.items():
            if mark not in text or set(text) - tones - {mark}:
                continue
            after = at + 1
            while after < len(texts) and texts[after] and set(texts[after]) <= tones:
                after += 1
            if after < len(texts) and texts[after] == aa and line.fonts[after] is line.fonts[at]:
                texts[at] = text.replace(mark, "", 1)
                texts[after] = am


def _span(line: Line, edits: Edits, first: int, last: int, text: str) -> None:
    """/ActualText around a word: poppler and pdf.js then read its text as one, wherever
    its marks are drawn."""
    actual = b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
    edits.cuts.setdefault(line.items[first], []).append(
        (line.offset(first), b"/Span <</ActualText " + actual + b">> BDC")
    )
    edits.cuts.setdefault(line.items[last], []).append((line.offset(last) + 4, b"EMC"))


# -- the document ---------------------------------------------------------------------


def fix_text_layer(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: `document.write_pdf(target, finisher=fix_text_layer)`."""
    import pydyf
    from weasyprint.pdf.stream import Stream

    fonts = {
        font.hash: FontText.of(font)
        for font in document.fonts.values()
        if not font.bitmap and font.to_unicode
    }
    for obj in pdf.objects:
        if isinstance(obj, Stream):  # pages and their XObjects; fonts are plain pydyf
            obj.stream = fix_stream(obj.stream, fonts)
    by_name = {text.font.name: text for text in fonts.values()}
    for obj in list(pdf.objects):
        if isinstance(obj, pydyf.Dictionary) and obj.get("BaseFont") in by_name:
            if obj.get("Subtype") == "/Type0":
                _fix_font(pdf, obj, by_name[obj["BaseFont"]])


def _object(pdf: Any, reference: Any) -> Any:
    return pdf.objects[int(bytes(reference).split()[0])]


def _fix_font(pdf: Any, font_dict: Any, text: FontText) -> None:
    """ToUnicode from the font's own meanings, then the second codes: their widths and the
    glyph each one draws."""
    codes = {code: text.text(code) for code in text.font.to_unicode}
    codes |= {code: said for (_, said), code in text.aliases.items()}
    _write_to_unicode(_object(pdf, font_dict["ToUnicode"]), codes)
    if not text.aliases:
        return
    import pydyf

    subfont = _object(pdf, font_dict["DescendantFonts"][0])
    for (glyph, _), code in text.aliases.items():
        subfont["W"].extend([code, pydyf.Array([text.font.widths.get(glyph, 0)])])
    if font_dict["Encoding"] == "/Identity-H":
        _map_cids(pdf, subfont, text)
    else:  # WeasyPrint's own CMap (it has .notdef stand-ins): code → CID, CID = glyph
        encoding = _object(pdf, font_dict["Encoding"])
        lines = [f"<{code:04x}> {glyph}".encode() for (glyph, _), code in text.aliases.items()]
        at = encoding.stream.index(b"endcmap")
        encoding.stream[at:at] = _batches(lines, b"begincidchar", b"endcidchar")


def _map_cids(pdf: Any, subfont: Any, text: FontText) -> None:
    """CIDToGIDMap: the identity, and each second code to its glyph (TrueType only)."""
    import pydyf

    if subfont["Subtype"] != "/CIDFontType2":
        return  # a CFF font has no CIDToGIDMap: its second codes would draw .notdef
    top = max(text.aliases.values())
    glyph_of = list(range(top + 1))
    for (glyph, _), code in text.aliases.items():
        glyph_of[code] = glyph
    stream = pydyf.Stream([b"".join(g.to_bytes(2, "big") for g in glyph_of)], compress=True)
    pdf.add_object(stream)
    subfont["CIDToGIDMap"] = stream.reference


def _write_to_unicode(cmap: Any, codes: dict[int, str]) -> None:
    head = cmap.stream[: cmap.stream.index(b"endcodespacerange") + 1]
    lines = [
        f"<{code:04x}> <{said.encode('utf-16-be').hex()}>".encode() for code, said in codes.items()
    ]
    tail = [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    cmap.stream = head + _batches(lines, b"beginbfchar", b"endbfchar") + tail


def _batches(lines: list[bytes], begin: bytes, end: bytes) -> list[bytes]:
    out: list[bytes] = []
    for start in range(0, len(lines), 100):  # a CMap section holds at most 100 entries
        batch = lines[start : start + 100]
        out += [str(len(batch)).encode() + b" " + begin, *batch, end]
    return out
