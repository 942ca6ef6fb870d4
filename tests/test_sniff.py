"""The file gate: every bad file gets its own code and an answer an office can act on."""

from __future__ import annotations

import io
import re
import shutil
import time
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eop.config import Limits
from eop.findings import Severity
from intake.sniff import UnreadableFile, check_file

THAI = re.compile(r"[\u0e00-\u0e7f]")
LIMITS = Limits()
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def refusal(path: Path, limits: Limits = LIMITS) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        check_file(path, limits)
    return caught.value


def assert_answer(exc: UnreadableFile, path: Path, code: str) -> None:
    """The code, and a Thai-then-English answer naming the file."""
    assert exc.code == code, exc.message_en
    assert THAI.search(exc.message_th) and path.name in exc.message_th
    assert exc.message_en and path.name in exc.message_en
    assert exc.permanent is True
    finding = exc.finding()
    assert (finding.severity, finding.code, finding.sheet, finding.cell) == (
        Severity.ERROR,
        code,
        None,
        None,
    )
    assert (finding.message_th, finding.message_en) == (exc.message_th, exc.message_en)


CASES: list[tuple[Callable[[Path], Path], str]] = [
    (hostile.empty_file, "empty-file"),
    (hostile.encrypted_workbook, "encrypted"),
    (hostile.zip_encrypted_member, "encrypted"),
    (hostile.pdf_renamed, "not-xlsx-pdf"),
    (hostile.ods_file, "not-xlsx-ods"),
    (partial(hostile.ods_file, name="calc-renamed.xlsx"), "not-xlsx-ods"),
    (hostile.csv_renamed, "not-xlsx-csv"),
    (partial(hostile.csv_renamed, encoding="utf-8"), "not-xlsx-csv"),
    (partial(hostile.csv_renamed, encoding="cp874"), "not-xlsx-csv"),
    (partial(hostile.csv_renamed, encoding="utf-16"), "not-xlsx-csv"),
    (hostile.text_renamed, "not-xlsx-text"),
    (hostile.image_renamed, "not-xlsx"),
    (hostile.random_bytes, "not-xlsx"),
    (hostile.truncated_zip, "corrupt-zip"),
    (hostile.bad_crc, "corrupt-zip"),
    (hostile.forged_small_size, "corrupt-zip"),
    (hostile.macro_workbook, "macro-enabled"),
    (hostile.docx_like, "not-a-workbook"),
    (hostile.plain_zip, "not-a-workbook"),
    (hostile.declared_bomb, "zip-bomb"),
    (hostile.ratio_bomb, "zip-bomb"),
    (hostile.many_parts, "zip-bomb"),
    (hostile.path_traversal, "unsafe-path"),
    (hostile.xxe_workbook, "xml-entities"),
    (hostile.billion_laughs, "xml-entities"),
    (hostile.doctype_after_comment, "xml-entities"),
    (hostile.many_sheets, "too-many-sheets"),
]


@pytest.mark.parametrize(
    ("build", "code"), CASES, ids=[f"{code}-{i}" for i, (_, code) in enumerate(CASES)]
)
def test_bad_file_gets_its_code(tmp_path: Path, build: Callable[[Path], Path], code: str) -> None:
    path = build(tmp_path)
    assert_answer(refusal(path), path, code)


@pytest.mark.parametrize(
    "member",
    ["../evil.txt", "xl/../../evil.txt", "/etc/cron.d/evil", "C:/evil.txt", "..\\evil.txt"],
)
def test_unsafe_member_names(tmp_path: Path, member: str) -> None:
    path = hostile.path_traversal(tmp_path, member)
    assert refusal(path).code == "unsafe-path"


@pytest.mark.parametrize(
    "part",
    [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/worksheets/sheet1.xml",
    ],
)
def test_external_entity_in_any_xml_part(tmp_path: Path, part: str) -> None:
    exc = refusal(hostile.xxe_workbook(tmp_path, part))
    assert exc.code == "xml-entities" and part in exc.message_en


# -- good files pass --------------------------------------------------------------------


def test_valid_workbook_passes(tmp_path: Path) -> None:
    assert check_file(hostile.valid_workbook(tmp_path), LIMITS) is None


def test_as_many_sheets_as_allowed_pass(tmp_path: Path) -> None:
    assert check_file(hostile.many_sheets(tmp_path, count=LIMITS.max_sheets), LIMITS) is None


def test_embedded_zip_is_never_opened(tmp_path: Path) -> None:
    # The inner zip declares 1 GiB; the outer gate sees only a few KB of bytes.
    assert check_file(hostile.workbook_with_nested_zip(tmp_path), LIMITS) is None


@needs_soffice
def test_workbook_resaved_by_libreoffice_passes(tmp_path: Path) -> None:
    path = hostile.resaved_by_libreoffice(tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()  # really LibreOffice's, not openpyxl's
    assert check_file(path, LIMITS) is None


@needs_soffice
def test_old_excel_97_2003(tmp_path: Path) -> None:
    path = hostile.old_excel(tmp_path)
    assert_answer(refusal(path), path, "not-xlsx-xls")


def test_messages_name_the_display_name(tmp_path: Path) -> None:
    # An archived copy is checked, but the office must read the name it sent.
    with pytest.raises(UnreadableFile) as caught:
        check_file(hostile.pdf_renamed(tmp_path), LIMITS, display_name="ผลงาน ต.ค.xlsx")
    assert (
        '"ผลงาน ต.ค.xlsx"' in caught.value.message_th
        and '"ผลงาน ต.ค.xlsx"' in caught.value.message_en
    )


# -- limits are named -------------------------------------------------------------------


def test_too_large_names_the_limit(tmp_path: Path) -> None:
    path = hostile.valid_workbook(tmp_path)
    exc = refusal(path, Limits(max_file_bytes=1024))
    assert_answer(exc, path, "too-large")
    assert "1 KB" in exc.message_th and "1 KB" in exc.message_en


def test_too_many_sheets_names_the_count_and_limit(tmp_path: Path) -> None:
    exc = refusal(hostile.many_sheets(tmp_path))
    assert (
        "30" in exc.message_th and "20" in exc.message_th and "limits.max_sheets" in exc.message_en
    )


@pytest.fixture(scope="session")
def gib_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.zip_bomb(tmp_path_factory.mktemp("bomb"))


def test_one_gib_bomb_refused_in_milliseconds(gib_bomb: Path) -> None:
    assert (
        gib_bomb.stat().st_size < LIMITS.max_file_bytes
    )  # small on disk: only expansion gives it away
    started = time.perf_counter()
    exc = refusal(gib_bomb)
    elapsed = time.perf_counter() - started
    assert_answer(exc, gib_bomb, "zip-bomb")
    assert "1,024" in exc.message_en and "limits.max_uncompressed_bytes" in exc.message_en
    assert elapsed < 0.05, f"the bomb check took {elapsed * 1000:.1f} ms"


def test_ratio_bomb_names_the_part_and_ratio(tmp_path: Path) -> None:
    exc = refusal(hostile.ratio_bomb(tmp_path))
    assert "xl/media/image1.png" in exc.message_en and "limits.max_part_ratio" in exc.message_en


def test_many_parts_names_the_limit(tmp_path: Path) -> None:
    exc = refusal(hostile.many_parts(tmp_path, count=20), Limits(max_parts=10))
    assert exc.code == "zip-bomb" and "limits.max_parts" in exc.message_en


# -- no input makes it fail any other way ------------------------------------------------


@pytest.fixture(scope="session")
def workbook_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return hostile.valid_workbook(tmp_path_factory.mktemp("valid")).read_bytes()


@pytest.fixture(scope="session")
def fuzz_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "fuzz.xlsx"


def answers(path: Path, data: bytes) -> None:
    """Only two outcomes are allowed: None, or UnreadableFile."""
    path.write_bytes(data)
    try:
        check_file(path, LIMITS)
    except UnreadableFile as exc:
        assert exc.code and exc.message_th and exc.message_en


FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
MAGICS = st.sampled_from(
    [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-"]
)


@FUZZ
@given(prefix=MAGICS, data=st.binary(max_size=4096))
def test_random_bytes_get_an_answer(fuzz_path: Path, prefix: bytes, data: bytes) -> None:
    answers(fuzz_path, prefix + data)


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)))  # fmt: skip
def test_mutated_workbook_gets_an_answer(
    fuzz_path: Path, workbook_bytes: bytes, flips: list[tuple[float, int]], cut: float | None
) -> None:
    data = bytearray(workbook_bytes)
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    if cut is not None:
        data = data[: int(cut * len(data))]
    answers(fuzz_path, bytes(data))


@FUZZ
@given(part=st.integers(0, 8), flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=6),
       cut=st.one_of(st.none(), st.floats(0, 1)))  # fmt: skip
def test_mutated_part_in_a_sound_zip_gets_an_answer(
    fuzz_path: Path,
    workbook_bytes: bytes,
    part: int,
    flips: list[tuple[float, int]],
    cut: float | None,
) -> None:
    # The zip is rebuilt around the damaged part, so the CRCs pass and the XML checks run.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook_bytes)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for i, info in enumerate(zin.infolist()):
            content = bytearray(zin.read(info))
            if i == part % len(zin.infolist()):
                for where, xor in flips:
                    content[int(where * len(content))] ^= xor
                content = content[: int(cut * len(content))] if cut is not None else content
            zout.writestr(info.filename, bytes(content))
    answers(fuzz_path, out.getvalue())
