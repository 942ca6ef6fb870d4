"""The checking process of an evidence PDF (run by intake.pdf_gate, never in the service).

`python -I -m intake.pdf_probe` reads a request (JSON on stdin: the file, the limits, where to
write the clean copy), caps its own address space and CPU time first, then opens the PDF with
pypdf under those limits and answers on stdout with JSON: the page count, the active content
found, the first page's text — or a refusal (a code and the facts for its message).

Checked, each against a key of `limits:`: the objects in the cross-reference (max_pdf_objects),
the page count before the page tree is walked and after (max_pdf_pages), nesting of arrays,
dictionaries, page tree and bookmarks (max_pdf_nesting), loops in the page tree and the
bookmarks, and every stream inflated once, counted and dropped (max_pdf_decompressed_bytes:
a flate bomb is stopped at the budget, holding one chunk at a time).

The clean copy (the one merged into a packet) is the pages alone, copied into a new document:
no catalogue (so no /OpenAction, /Names JavaScript, embedded files, AcroForm/XFA, bookmarks),
and every key and annotation that acts is removed from what the pages reach. Links to web
addresses (URI) stay. Only the standard library and pypdf are imported: it starts fast.
"""

from __future__ import annotations

import json
import resource
import sys
import zlib
from typing import Any

CHUNK = 1 << 20
IMAGE_CODECS = frozenset({"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"})
SAFE_ACTIONS = frozenset({"/URI", "/GoTo"})
# key → kind of active content. Removing these keys (and unsafe /A, /Next) from every object
# the clean pages reach leaves nothing that runs, opens, submits or embeds.
ACTIVE_KEYS = {
    "/AA": "additional-actions",
    "/OpenAction": "open-action",
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded-files",
    "/EmbeddedFile": "embedded-files",
    "/XFA": "xfa",
    "/RichMediaContent": "rich-media",
    "/RichMediaSettings": "rich-media",
}
ACTIONS = {  # an action's /S → kind
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "submit-form",
    "/ImportData": "submit-form",
    "/GoToR": "remote-go-to",
    "/GoToE": "embedded-files",
    "/RichMediaExecute": "rich-media",
    "/Rendition": "rich-media",
    "/Movie": "rich-media",
    "/Sound": "rich-media",
}
ANNOTATIONS = {  # annotations that carry or play content → kind
    "/FileAttachment": "embedded-files",
    "/RichMedia": "rich-media",
    "/Screen": "rich-media",
    "/Movie": "rich-media",
    "/Sound": "rich-media",
    "/3D": "rich-media",
}


class Refused(Exception):
    """The document is refused: `code` and the facts its message names."""

    def __init__(self, code: str, **facts: Any) -> None:
        super().__init__(code)
        self.code, self.facts = code, facts


def cap_resources(memory: int, seconds: float) -> None:
    """The first thing the process does: past these the kernel stops it, whatever the file."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def open_reader(path: str, limits: dict[str, Any]) -> Any:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Refused("evidence-encrypted")
    declared_pages(reader, limits)
    objects = sum(len(numbers) for numbers in reader.xref.values()) + len(reader.xref_objStm)
    if objects > limits["max_pdf_objects"]:
        raise Refused("evidence-too-many-objects", count=objects, limit=limits["max_pdf_objects"])
    return reader


def declared_pages(reader: Any, limits: dict[str, Any]) -> None:
    """The page count the file declares, before anything else is read: 20,000 is refused at once."""
    root = reader.trailer["/Root"].get_object()
    declared = root["/Pages"].get_object().get("/Count", 0)
    if isinstance(declared, int) and declared > limits["max_pdf_pages"]:
        raise Refused("evidence-too-many-pages", count=declared, limit=limits["max_pdf_pages"])


def count_pages(reader: Any, limits: dict[str, Any]) -> int:
    """The pages found by walking the page tree without recursion (its declared count is not
    trusted): a node met twice is a loop, a tree deeper than the nesting limit is refused."""
    from pypdf.generic import ArrayObject

    root = reader.trailer["/Root"].get_object()
    stack, seen, pages = [(root.raw_get("/Pages"), 1)], set(), 0
    while stack:
        ref, depth = stack.pop()
        key = getattr(ref, "idnum", id(ref))
        if key in seen:
            raise Refused("evidence-loop", where="pages")
        seen.add(key)
        if depth > limits["max_pdf_nesting"]:
            raise Refused("evidence-too-deep", limit=limits["max_pdf_nesting"])
        kids = ref.get_object().get("/Kids")
        if isinstance(kids, ArrayObject):
            stack.extend((kid, depth + 1) for kid in kids)
        else:
            pages += 1
    if pages > limits["max_pdf_pages"]:
        raise Refused("evidence-too-many-pages", count=pages, limit=limits["max_pdf_pages"])
    if pages == 0 or len(reader.pages) == 0:
        raise Refused("evidence-no-pages")
    return pages


def check_outline(reader: Any, limits: dict[str, Any]) -> None:
    """Bookmarks (never copied) walked without recursion: a loop or a tower is refused."""
    root = reader.trailer["/Root"].get_object()
    outlines = root.get("/Outlines")
    if outlines is None:
        return
    seen: set[int] = set()
    stack = [(outlines.get_object().get("/First"), 1)]
    while stack:
        item, depth = stack.pop()
        while item is not None:
            key = id(item) if not hasattr(item, "idnum") else item.idnum
            if key in seen:
                raise Refused("evidence-loop", where="outline")
            seen.add(key)
            if depth > limits["max_pdf_nesting"]:
                raise Refused("evidence-too-deep", limit=limits["max_pdf_nesting"])
            node = item.get_object()
            stack.append((node.get("/First"), depth + 1))
            item = node.get("/Next")


def walk_objects(reader: Any, limits: dict[str, Any]) -> tuple[set[str], int]:
    """Every object of the file, once, by its number (so no reference can loop): the active
    content it holds, and the bytes its streams inflate to."""
    found: set[str] = set()
    budget = Budget(limits["max_pdf_decompressed_bytes"])
    from pypdf.generic import IndirectObject

    numbers = [(n, g) for g, table in reader.xref.items() for n in table]
    numbers += [(n, 0) for n in reader.xref_objStm]
    for number, generation in numbers:
        obj = IndirectObject(number, generation, reader).get_object()
        _walk_one(obj, found, budget, limits["max_pdf_nesting"])
    return found, budget.used


def _walk_one(obj: Any, found: set[str], budget: Budget, max_depth: int) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise Refused("evidence-too-deep", limit=max_depth)
        if isinstance(item, DictionaryObject):
            found.update(_active_in(item))
            if isinstance(item, StreamObject):
                budget.inflate(item)
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, ArrayObject):
            stack.extend((value, depth + 1) for value in item)


def _active_in(item: Any) -> set[str]:
    kinds = {ACTIVE_KEYS[key] for key in item if key in ACTIVE_KEYS}
    action = item.get("/S")
    if action in ACTIONS:
        kinds.add(ACTIONS[action])
    if item.get("/Type") == "/Annot" and item.get("/Subtype") in ANNOTATIONS:
        kinds.add(ANNOTATIONS[item["/Subtype"]])
    return kinds


class Budget:
    """The bytes every stream of a document inflates to, together: past the budget, refused."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def inflate(self, stream: Any) -> None:
        filters = stream.get("/Filter", [])
        chain = [filters] if isinstance(filters, str) else list(filters)
        while chain and chain[-1] in IMAGE_CODECS:
            chain.pop()  # a picture's own codec: bounded by its size, decoded only to show it
        if not chain:
            self.add(len(stream._data or b""))
        elif chain == ["/FlateDecode"]:
            self._inflate_flate(stream._data or b"")
        else:  # other filters, or several: pypdf's decoders under the configured limits
            self.add(len(stream.get_data()))

    def _inflate_flate(self, data: bytes) -> None:
        inflater = zlib.decompressobj()
        pending = data
        try:
            while pending:
                self.add(len(inflater.decompress(pending, CHUNK)))
                pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
        except zlib.error:
            return  # damaged: a viewer shows what inflated; nothing more to count

    def add(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise Refused("evidence-bomb", limit=self.limit)


def first_text(reader: Any) -> str:
    try:
        return (reader.pages[0].extract_text() or "")[:4000]
    except Exception:  # noqa: BLE001 — a scan without text is as good as one with
        return ""


def clean_copy(reader: Any, out: str) -> None:
    """The pages alone in a new document, with everything that acts taken out, rotation
    turned into content (a stamp laid over it then lands at the foot as read)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
    for obj in list(writer._objects):
        if obj is not None:
            _scrub(obj)
    with open(out, "wb") as handle:
        writer.write(handle)


def _scrub(obj: Any) -> None:
    """Active keys and unsafe actions out of `obj` and every direct object inside it."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):
            for key in [k for k in item if k in ACTIVE_KEYS]:
                del item[key]
            for key in ("/A", "/Next"):
                if key in item and _unsafe_action(item[key]):
                    del item[key]
            if "/Annots" in item:
                item[NameObject("/Annots")] = _safe_annotations(item["/Annots"])
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _unsafe_action(value: Any) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject

    action = value.get_object()
    if isinstance(action, ArrayObject):
        return True  # a chain of actions: never needed to show a page
    return isinstance(action, DictionaryObject) and action.get("/S") not in SAFE_ACTIONS


def _safe_annotations(value: Any) -> Any:
    from pypdf.generic import ArrayObject

    annotations = value.get_object()
    if not isinstance(annotations, ArrayObject):
        return ArrayObject()
    return ArrayObject(a for a in annotations if a.get_object().get("/Subtype") not in ANNOTATIONS)


def probe(request: dict[str, Any]) -> dict[str, Any]:
    from pypdf import apply_configuration

    limits = request["limits"]
    nesting = limits["max_pdf_nesting"]
    with apply_configuration(
        page_tree_maximum_depth=nesting,
        outline_maximum_depth=nesting,
        form_fields_maximum_depth=nesting,
        page_tree_maximum_entries=limits["max_pdf_pages"] * 4 + 64,
        page_tree_maximum_page_entries=limits["max_pdf_pages"] * 4 + 64,
    ):
        reader = open_reader(request["path"], limits)
        pages = count_pages(reader, limits)
        check_outline(reader, limits)
        active, inflated = walk_objects(reader, limits)
        text = first_text(reader)
        if request.get("clean_to"):
            clean_copy(reader, request["clean_to"])
    return {"pages": pages, "active": sorted(active), "text": text, "inflated": inflated}


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The probe's outcome as data; what went wrong named, never raised."""
    try:
        return probe(request)
    except Refused as refused:
        return {"refused": refused.code, **refused.facts}
    except Exception as exc:  # noqa: BLE001 — whatever is wrong with it, the province gets an answer
        return _failure(exc, request["limits"])


def _failure(exc: BaseException, limits: dict[str, Any]) -> dict[str, Any]:
    """What broke, from the exception and its causes: a loop, a tower, memory, or damage."""
    from pypdf.errors import LimitReachedError

    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 20:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    texts = " ".join(str(c) for c in chain).lower()
    if any(isinstance(c, RecursionError) for c in chain):
        return {"refused": "evidence-too-deep", "limit": limits["max_pdf_nesting"]}
    if any(isinstance(c, MemoryError) for c in chain):
        return {"refused": "evidence-too-much-memory"}
    if "cycl" in texts or "loop" in texts:  # pypdf's own finding of a structure that loops
        return {"refused": "evidence-loop", "where": "pages"}
    why = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    if isinstance(exc, LimitReachedError):
        return {"refused": "evidence-too-complex", "why": why}
    return {"refused": "evidence-unreadable", "why": why}


def peak_kb() -> int:
    """This process's own peak resident memory (VmHWM: not the parent's, as ru_maxrss is)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmHWM:"))
        return int(line.split()[1])
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    request = json.loads(sys.stdin.read())
    limits = request["limits"]
    cap_resources(limits["max_pdf_memory_bytes"], limits["max_pdf_seconds"])
    result = answer(request)
    result["peak_rss_kb"] = peak_kb()
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
