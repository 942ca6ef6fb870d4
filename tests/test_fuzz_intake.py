"""Fuzzing the whole intake path (DESIGN §12: no file can crash the service, whatever arrives
gets an answer). Hypothesis mutates one of OUR filled workbooks — so that the reader, the
structure checks and the validators are reached, not only the file gate (tests/test_sniff.py
fuzzes the gate alone) — drops it, and runs a real pass: the file must be recorded once,
judged, answered and its mail sent, no exception may escape the pass, and no answer may be
"internal-error" (a fault of ours). Cell values as offices might type anything; XML parts
edited at random inside a sound zip; bytes flipped or cut.

`make test-slow` runs 400 examples of each mutation instead of 20–25.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import time
import zipfile
from xml.sax.saxutils import escape

import pytest
from conftest import at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_service import Template, batch_files, build_march

from eop.clock import Clock
from eop.config import load_config
from eop.layout import BUDGET, META_SHEET, PERFORMANCE
from intake.folders import drop_dir
from jobs.deployment import Deployment, open_deployment
from ledger import records
from service.process import run_pass

SECONDS_PER_FILE = 20.0


def examples(default: int) -> settings:
    return settings(
        max_examples=default,
        deadline=None,
        derandomize=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    base = tmp_path_factory.mktemp("march-template")
    build_march(base)
    return Template(base, batch_files(base))


@pytest.fixture(scope="module")
def march(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    where = tmp_path_factory.mktemp("fuzzed")
    shutil.copytree(template.base / "var", where / "var")
    shutil.copy(template.base / "config.yaml", where / "config.yaml")
    return open_deployment(load_config(where / "config.yaml"), Clock(at(2015, 3, 25, 10)))


@pytest.fixture(scope="module")
def own(template: Template) -> bytes:
    path = next(
        p for office, name, p in template.files if office == "7105" and name == "มีนาคม-7105.xlsx"
    )
    return path.read_bytes()


_names = itertools.count()
TRIED = {"files": 0}


@pytest.fixture(scope="module", autouse=True)
def tally():
    yield
    if TRIED["files"]:
        print(f"\nfuzzed files through the intake path: {TRIED['files']}")


def answered(dep: Deployment, data: bytes) -> str:
    """Drop `data` for 7105, run a pass; the file's result (every invariant asserted)."""
    name = f"fuzz-{next(_names)}.xlsx"
    path = drop_dir(dep.root, "7105") / name
    path.write_bytes(data)
    old = (
        time.time() - 3600
    )  # an hour ago: a zip without its end is then a truncated copy, not one in progress
    os.utime(path, (old, old))
    started = time.monotonic()
    run_pass(dep)  # nothing may escape
    assert time.monotonic() - started < SECONDS_PER_FILE
    with dep.ledger.atomic() as conn:
        rows = [
            r
            for r in conn.exec_driver_sql(
                "SELECT id, status, answered_at FROM files WHERE name = ?", (name,)
            )
        ]
        assert len(rows) == 1, rows
        file_id, status, answered_at = rows[0]
        found = records.findings_of(conn, file_id)
        mail = list(
            conn.exec_driver_sql(
                "SELECT state FROM outbox WHERE dedupe_key = ?", (f"answer:{file_id}",)
            )
        )
    assert status in ("accepted", "rejected", "duplicate") and answered_at, (status, answered_at)
    assert mail == [("sent",)]
    assert "internal-error" not in {f["code"] for f in found}, found
    assert list(drop_dir(dep.root, "7105").iterdir()) == []
    TRIED["files"] += 1
    return status


def rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced; the zip itself sound (CRCs right)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            zout.writestr(info.filename, change.get(info.filename, zin.read(info)))
    return out.getvalue()


def parts_by_sheet(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update(
        {
            k: v
            for v, k in re.findall(r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    sheets = {
        name: rid
        for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', book)
    }
    return {
        name: (t.lstrip("/") if t.startswith("/") else f"xl/{t}")
        for name, rid in sheets.items()
        for t in [targets[rid]]
    }


# -- what an office might type into any cell ---------------------------------------------------
TYPED = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="0123456789๐๑๒๓๔๕๖๗๘๙,.-+ eE—–", max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**30), 10**30),
    st.sampled_from(
        [
            "-",
            "—",
            "๑,๒๓๔.๕",
            " 12 ",
            "1,2,3",
            "=1+1",
            "=SUM(G9:G20)",
            "#N/A",
            "#DIV/0!",
            "TRUE",
            "ยืนยันส่ง",
            "ร่าง",
            "",
            " ",
            "\u200b",
            "1e309",
            "-0",
            "0x10",
            "½",
            "²",
        ]
    ),
)


def cell_xml(ref: str, value: object, raw_text: bool) -> str:
    if isinstance(value, bool) or value is None:
        return f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = (
        str(value)
        if raw_text
        else escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", str(value)))
    )
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


@examples(25)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(["perf", "budget", "meta"]), st.integers(0, 10_000), TYPED),
        min_size=1,
        max_size=6,
    ),
    raw_text=st.booleans(),
)
def test_whatever_is_typed_in_any_cell_gets_an_answer(march, own, edits, raw_text):
    parts = parts_by_sheet(own)
    members = {
        "perf": parts[PERFORMANCE.name],
        "budget": parts[BUDGET.name],
        "meta": parts[META_SHEET],
    }
    with zipfile.ZipFile(io.BytesIO(own)) as zf:
        xml = {key: zf.read(member).decode() for key, member in members.items()}
    for sheet, pick, value in edits:
        cells = list(
            re.finditer(r'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', xml[sheet], re.DOTALL)
        )
        if not cells:
            continue
        cell = cells[pick % len(cells)]
        xml[sheet] = (
            xml[sheet][: cell.start()]
            + cell_xml(cell.group(1), value, raw_text)
            + xml[sheet][cell.end() :]
        )
    answered(march, rezip(own, {members[k]: v.encode() for k, v in xml.items()}))


XML_BITS = st.sampled_from(
    [
        "<",
        ">",
        "</c>",
        '<c r="Z99">',
        "<v>",
        "</v>",
        '<row r="3">',
        "</row>",
        "&amp;",
        "&#0;",
        "&lol;",
        '"',
        'r="A1"',
        "<![CDATA[",
        "]]>",
        "<!--",
        "-->",
        "<?xml?>",
        't="s"',
        "<v>99999999</v>",
        'xmlns=""',
        "กก",
        "\x00",
        "\ud7ff",
        "A1048576",
        "XFD1",
    ]
)


@examples(25)
@given(
    part=st.sampled_from(
        [
            "perf",
            "budget",
            "meta",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "[Content_Types].xml",
            "xl/styles.xml",
            "docProps/core.xml",
        ]
    ),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1, exclude_max=True),
            st.integers(0, 40),
            st.one_of(XML_BITS, st.text(max_size=12)),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_an_edited_xml_part_gets_an_answer(march, own, part, edits):
    parts = parts_by_sheet(own)
    member = {
        "perf": parts[PERFORMANCE.name],
        "budget": parts[BUDGET.name],
        "meta": parts[META_SHEET],
    }.get(part, part)
    with zipfile.ZipFile(io.BytesIO(own)) as zf:
        text = zf.read(member).decode()
    for where, cut, insert in edits:
        at_ = int(where * len(text))
        text = text[:at_] + insert + text[at_ + cut :]
    answered(march, rezip(own, {member: text.encode("utf-8", "surrogatepass")}))


@examples(20)
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=6),
    cut=st.one_of(st.none(), st.floats(0.5, 1)),
)
def test_flipped_or_cut_bytes_get_an_answer(march, own, flips, cut):
    data = bytearray(own)
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    if cut is not None:
        data = data[: max(1, int(cut * len(data)))]
    answered(march, bytes(data))


@pytest.mark.slow
@examples(400)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(["perf", "budget", "meta"]), st.integers(0, 10_000), TYPED),
        min_size=1,
        max_size=12,
    ),
    raw_text=st.booleans(),
)
def test_many_more_typed_cells(march, own, edits, raw_text):
    test_whatever_is_typed_in_any_cell_gets_an_answer.hypothesis.inner_test(
        march, own, edits, raw_text
    )


@pytest.mark.slow
@examples(400)
@given(
    part=st.sampled_from(
        [
            "perf",
            "budget",
            "meta",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "[Content_Types].xml",
            "xl/styles.xml",
            "docProps/core.xml",
        ]
    ),
    edits=st.lists(
        st.tuples(
            st.floats(0, 1, exclude_max=True),
            st.integers(0, 400),
            st.one_of(XML_BITS, st.text(max_size=40)),
        ),
        min_size=1,
        max_size=10,
    ),
)
def test_many_more_xml_edits(march, own, part, edits):
    test_an_edited_xml_part_gets_an_answer.hypothesis.inner_test(march, own, part, edits)


def test_the_unmutated_workbook_is_accepted(march, own):
    """The fuzzers start from a workbook the service accepts."""
    assert answered(march, own) in ("accepted", "duplicate")
