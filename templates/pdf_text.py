"""The text layer of the product's PDFs, put right after WeasyPrint has drawn them.

WeasyPrint (70) gives each glyph one meaning for the whole font (ToUnicode), taken from
the first cluster it drew the glyph in, and gives nothing to the other glyphs of a
cluster. Thai shaping with Sarabun breaks that (NOTES-STACK):
- SARA AM (ำ) is drawn as NIKHAHIT + SARA AA (HarfBuzz decomposes it and moves the
  NIKHAHIT before a tone mark; Sarabun then ligates NIKHAHIT + mai ek/mai tho). The AA
  glyph is the glyph of า: every า of a document reads ำ, or every ำ reads า; the
  NIKHAHIT (+ tone) glyph reads nothing, so น้ำ reads นำ.
- a tone mark raised by GPOS is drawn by its own text operator (with a text rise):
  poppler then takes it out of its word (สิ้น → "สิน" and "้" on a line of its own).

The fix is a WeasyPrint `finisher` (it edits the pydyf objects before they are written,
so it costs no re-parse), in three steps:
1. every glyph means what the font says it is (its cmap; an unencoded alternate or
   ligature through the GSUB rules that make it);
2. where a glyph means something else in its place (NIKHAHIT [+ tone] then AA = tone + ำ)
   it is drawn with a second code for the same glyph (CIDToGIDMap or the encoding CMap,
   and its width), whose ToUnicode says what it means there: the glyphs read in order
   then give the text as typed, for any extractor (pypdf, pdf.js, poppler);
3. a cluster whose glyphs are drawn by more than one operator is wrapped in a
   /Span <</ActualText …>> marked-content sequence, which poppler and viewers read
   instead of the glyphs, so the cluster stays in its word.
The picture is untouched: same glyphs, same widths, same positions.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# A decomposed vowel: (its mark, what follows the tone marks, the vowel it reads as, tones).
SARA_AM = {
    "\u0e4d": ("\u0e32", "\u0e33", frozenset("\u0e48\u0e49\u0e4a\u0e4b")),  # Thai ำ
    "\u0ecd": ("\u0eb2", "\u0eb3", frozenset("\u0ec8\u0ec9\u0eca\u0ecb")),  # Lao ຳ
}
JOINS_CLUSTER = frozenset("\u0e33\u0eb3")  # spacing vowels that still belong to the cluster
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


def _derive(rules: list[tuple[tuple[str, ...], str]], gid: dict[str, int], found: dict) -> None:
    """Give unencoded glyphs the meaning of what makes them, until nothing changes
    (an alternate of an alternate)."""
    encoded = set(found)
    changed = True
    while changed:
        changed = False
        for inputs, output in rules:
            target = gid.get(output)
            parts = [found.get(gid.get(name, -1)) for name in inputs]
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


def is_mark(text: str) -> bool:
    """A glyph that belongs to the cluster before it (an empty one too)."""
    return all(unicodedata.category(c)[0] == "M" or c in JOINS_CLUSTER for c in text)


# -- the glyphs of a content stream ---------------------------------------------------


@dataclass
class Shown:
    """One `[…] TJ` operator of a content stream, cut into raw bytes and glyph codes."""

    tokens: list[bytes | int]
    cuts: dict[int, list[bytes]] = field(default_factory=dict)  # before token i: operators
    changed: bool = False

    @classmethod
    def parse(cls, item: bytes) -> Shown:
        parts = HEX.split(item[1:-4])  # b'[' … b'] TJ'
        tokens: list[bytes | int] = []
        for number, part in enumerate(parts):
            if number % 2 and not part:
                tokens.append(b"<>")  # WeasyPrint's separator between two numbers
            elif number % 2:
                tokens.extend(int(part[i : i + 4], 16) for i in range(0, len(part), 4))
            elif part:
                tokens.append(part)
        return cls(tokens)

    def write(self) -> list[bytes]:
        out: list[bytes] = []
        piece: list[bytes | int] = []
        for number, token in enumerate([*self.tokens, b""]):
            if number in self.cuts:
                out.extend([_array(piece)] if piece else [])
                out.extend(self.cuts[number])
                piece = []
            piece.append(token)
        out.extend([_array(piece)] if piece != [b""] else [])
        return out


def _array(tokens: list[bytes | int]) -> bytes:
    out, run = [b"["], []
    for token in [*tokens, b""]:
        if isinstance(token, int):
            run.append(f"{token:04x}")
            continue
        if run:
            out.append(b"<" + "".join(run).encode() + b">")
            run = []
        out.append(token)
    return b"".join(out) + b"] TJ"


@dataclass
class Glyph:
    shown: Shown
    token: int  # index in shown.tokens
    font: str  # the font's resource name (WeasyPrint's font hash)
    text: str  # what it means here

    @property
    def code(self) -> int:
        return self.shown.tokens[self.token]  # type: ignore[return-value]


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
        """A second code drawing `glyph` that reads `text`; None when codes run out."""
        if (glyph, text) not in self.aliases:
            code = self.font.glyph_count + len(self.font.missing) + len(self.aliases)
            if code > 0xFFFF:
                return None
            self.aliases[(glyph, text)] = code
        return self.aliases[(glyph, text)]


# -- one content stream -----------------------------------------------------------------


def fix_stream(items: list[Any], fonts: dict[str, FontText]) -> list[Any]:
    """The stream's operators with glyph codes and spans fixed (the same list if nothing
    changed). Glyphs are looked at one line (text matrix set) at a time."""
    shown_at: dict[int, Shown] = {}
    line: list[Glyph] = []
    font = ""
    for number, item in enumerate(items):
        if not isinstance(item, bytes):
            continue
        if item.endswith(b" Tf"):
            font = item[1 : item.index(b" ")].decode()
        elif item in (b"BT", b"ET") or item.endswith(b" Tm"):  # WeasyPrint: a Tm per line
            _fix_line(line, fonts)
            line = []
        elif item.endswith(b"] TJ") and font in fonts:
            shown = shown_at[number] = Shown.parse(item)
            text = fonts[font].text
            line.extend(
                Glyph(shown, i, font, text(t)) for i, t in enumerate(shown.tokens) if type(t) is int
            )
    _fix_line(line, fonts)
    if not any(shown.changed for shown in shown_at.values()):
        return items
    out: list[Any] = []
    for number, item in enumerate(items):
        shown = shown_at.get(number)
        out.extend(shown.write() if shown and shown.changed else [item])
    return out


def _fix_line(line: list[Glyph], fonts: dict[str, FontText]) -> None:
    _read_sara_am(line)
    for glyph in line:
        if glyph.text != fonts[glyph.font].text(glyph.code):
            code = fonts[glyph.font].alias(glyph.code, glyph.text)
            if code is not None:
                glyph.shown.tokens[glyph.token] = code
                glyph.shown.changed = True
    clusters = list(_clusters(line))
    start = 0
    while start < len(clusters):
        end = start + 1
        if len({id(glyph.shown) for glyph in clusters[start]}) > 1:
            while end < len(clusters) and len({id(g.shown) for g in clusters[end]}) > 1:
                end += 1
            if end < len(clusters) and not clusters[end][0].text.isspace():
                end += 1  # up to a base drawn where the raised mark's shift is undone
            _span([glyph for cluster in clusters[start:end] for glyph in cluster])
        start = end


def _read_sara_am(line: list[Glyph]) -> None:
    """NIKHAHIT [+ tone] (one glyph or two) then AA: the tone, then SARA AM."""
    for number, glyph in enumerate(line):
        for mark, (aa, am, tones) in SARA_AM.items():
            if mark not in glyph.text or set(glyph.text) - tones - {mark}:
                continue
            after = number + 1
            while after < len(line) and line[after].text and set(line[after].text) <= tones:
                after += 1
            if after < len(line) and line[after].text == aa and line[after].font == glyph.font:
                glyph.text = glyph.text.replace(mark, "", 1)
                line[after].text = am


def _clusters(line: list[Glyph]) -> Iterator[list[Glyph]]:
    cluster: list[Glyph] = []
    for glyph in line:
        if cluster and not is_mark(glyph.text):
            yield cluster
            cluster = []
        cluster.append(glyph)
    if cluster:
        yield cluster


def _span(cluster: list[Glyph]) -> None:
    """/ActualText around a cluster drawn by several operators (a raised mark)."""
    text = "".join(glyph.text for glyph in cluster)
    first, last = cluster[0], cluster[-1]
    actual = b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"
    first.shown.cuts.setdefault(first.token, []).append(
        b"/Span <</ActualText " + actual + b">> BDC"
    )
    last.shown.cuts.setdefault(last.token + 1, []).append(b"EMC")
    first.shown.changed = last.shown.changed = True


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
