"""DESIGN §6 and §12 for whatever lands in a drop folder: recognising our workbooks (kind,
version, office, issue, period and window) and bad files carried through the whole path —
taken, archived, judged, answered, the drop folder emptied."""

from __future__ import annotations

import os
import stat
from functools import partial
from pathlib import Path

import hostile
import pytest
from conftest import (
    THA_MAKA,
    at,
    codes,
    drop,
    even_shares,
    fill_month,
    findings_of,
    issued_path,
    process,
    sent_mail,
)
from openpyxl import load_workbook

from eop.config import load_config
from eop.layout import META_SHEET, PERFORMANCE, TEMPLATE_VERSIONS
from intake.folders import drop_dir, returned_dir
from jobs.deployment import open_deployment
from ledger import views
from simulation.offices import fill_allocation
from validators.structure import check_meta

pytestmark = pytest.mark.ledgers  # on SQLite; on PostgreSQL too (a few by default)

MARCH = "2558-03"
THA_MUANG = "7106"


def status(dep, office: str = THA_MAKA) -> dict:
    with dep.ledger.atomic() as conn:
        (line,) = views.period_status(conn, [(office, "")], "monthly", MARCH)
    return line


def received(dep) -> list[dict]:
    with dep.ledger.atomic() as conn:
        return views.received_files(conn)


def mail_to(dep, office: str, subject: str) -> list:
    return [m for m in sent_mail(dep) if f"u{office}@" in m["To"] and subject in m["Subject"]]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def meta_of(path: Path) -> dict:
    return {row[0]: row[1] for row in load_workbook(path)[META_SHEET].iter_rows(values_only=True)}


def with_meta(path: Path, **changes: str) -> Path:
    """The workbook with rows of its hidden `_meta` sheet rewritten, as a tinkerer would."""
    book = load_workbook(path)
    for key, value in book[META_SHEET].iter_rows():
        if key.value in changes:
            value.value = changes[key.value]
    book.save(path)
    return path


def march_workbook(
    dep, tmp_path: Path, name: str = "march.xlsx", quantities: dict | None = None
) -> Path:
    return fill_month(
        dep, THA_MAKA, MARCH, tmp_path / name, quantities or {"A101": 100}, {"A101": 5000}
    )


def reconfigured(dep, old: str, new: str):
    """The same deployment after its config.yaml was edited (and the service restarted)."""
    source = dep.config.source
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")
    return open_deployment(load_config(source), dep.clock)


def submit(dep, path: Path, office: str = THA_MAKA, name: str | None = None):
    drop(dep, office, path, name)
    return process(dep)


# -- is it one of ours, for this office? ----------------------------------------------------
def test_a_workbook_not_ours_is_rejected(march, tmp_path):
    report = submit(march, hostile.valid_workbook(tmp_path))
    assert codes(march, report) == [(None, "not-our-workbook")]
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    assert "not an e-Operation Sheets workbook" in body(rejection)


def test_an_unknown_kind_is_rejected(march, tmp_path):
    report = submit(march, with_meta(march_workbook(march, tmp_path), kind="weekly"))
    assert codes(march, report) == [(None, "unknown-kind")]


def test_an_older_template_is_answered_with_a_fresh_workbook(march, tmp_path):
    report = submit(march, with_meta(march_workbook(march, tmp_path), template_version="2557.1"))
    assert codes(march, report) == [(None, "template-outdated")]
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    assert "2557.1" in body(rejection) and TEMPLATE_VERSIONS["monthly"] in body(rejection)
    fresh = _attachment(rejection, "EOP014-015_7105_2558-03.xlsx", tmp_path)
    assert meta_of(fresh)["template_version"] == TEMPLATE_VERSIONS["monthly"]
    assert (meta_of(fresh)["office"], meta_of(fresh)["period"]) == (THA_MAKA, MARCH)


def test_another_offices_workbook_is_rejected(march, tmp_path):
    report = submit(march, march_workbook(march, tmp_path), office=THA_MUANG)
    assert codes(march, report) == [(None, "wrong-office")]
    assert (status(march, THA_MAKA)["state"], status(march, THA_MUANG)["state"]) == (
        "missing",
        "missing",
    )
    (rejection,) = mail_to(march, THA_MUANG, "ส่งคืน")
    assert "7105" in body(rejection) and "7106" in body(rejection)


def test_a_workbook_claiming_another_office_is_rejected(march, tmp_path):
    path = with_meta(march_workbook(march, tmp_path), office=THA_MUANG, digest="0" * 32)
    assert codes(march, submit(march, path)) == [(None, "wrong-office")]


def test_a_workbook_relabelled_for_the_folders_office_is_not_a_known_issue(march, tmp_path):
    """7105's workbook, its _meta edited to say 7106, dropped in 7106's folder."""
    path = with_meta(march_workbook(march, tmp_path), office=THA_MUANG)
    assert codes(march, submit(march, path, office=THA_MUANG)) == [(None, "unknown-issue")]
    assert status(march, THA_MUANG)["state"] == "missing"


def test_a_forged_digest_is_rejected(march, tmp_path):
    path = with_meta(march_workbook(march, tmp_path), digest="f" * 32)
    assert codes(march, submit(march, path)) == [(None, "unknown-issue")]


def test_a_bad_period_is_rejected(march, tmp_path):
    path = with_meta(march_workbook(march, tmp_path), period="2558-13")
    assert codes(march, submit(march, path)) == [(None, "bad-period")]


def test_an_older_template_with_a_nonsense_period_is_still_answered(march, tmp_path):
    path = with_meta(march_workbook(march, tmp_path), template_version="2557.1", period="2558-13")
    assert codes(march, submit(march, path)) == [(None, "template-outdated")]
    assert len(mail_to(march, THA_MAKA, "ส่งคืน")) == 1


# -- the period and its window ----------------------------------------------------------------
def test_a_locked_period_is_rejected_with_the_correction_procedure(march, tmp_path):
    path = march_workbook(march, tmp_path)
    drop(march, THA_MAKA, path)
    report = process(march, at(2015, 4, 4, 9))
    assert codes(march, report) == [(None, "period-locked")]
    (finding,) = findings_of(march, report.verdicts[0].file_id)
    assert "memo" in finding["message_en"] and "correction" in finding["message_en"]
    assert "บันทึกข้อความ" in finding["message_th"]
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    text = body(rejection)
    # no cell is marked and dropping it again is refused again: say what does work, with no
    # server command (the officer has no terminal)
    assert "This period is closed" in text and "งวดนี้ปิดรับข้อมูลแล้ว" in text
    assert "Every cell to correct is marked" not in text and "ทำเครื่องหมายไว้ทุกเซลล์" not in text
    assert "Please correct, save, and drop" not in text and "eop " not in text
    # the workbook given back with its findings reads like every other file given back
    returned = list(returned_dir(march.root, THA_MAKA).glob("*.xlsx"))
    assert any("ผลการตรวจ" in p.name for p in returned) and len(returned) > 1
    assert len({stat.S_IMODE(p.stat().st_mode) for p in returned}) == 1
    assert status(march)["state"] == "missing"


@pytest.mark.postgresql_default
def test_a_late_workbook_is_accepted_and_flagged(march, tmp_path):
    drop(march, THA_MAKA, march_workbook(march, tmp_path))
    report = process(march, at(2015, 3, 28, 9))
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert codes(march, report) == [(None, "late")]
    assert (status(march)["state"], status(march)["late"]) == ("submitted", True)
    (receipt,) = mail_to(march, THA_MAKA, "รับข้อมูล")
    assert "flagged as late" in body(receipt)


def test_a_late_workbook_is_rejected_when_the_policy_says_so(march, tmp_path):
    strict = reconfigured(march, "late_policy: accept-flagged", "late_policy: reject")
    drop(strict, THA_MAKA, march_workbook(strict, tmp_path))
    report = process(strict, at(2015, 3, 28, 9))
    assert codes(strict, report) == [(None, "late-rejected")]
    assert (status(strict)["state"], status(strict)["rejected_attempts"]) == ("missing", 1)


def test_the_province_records_its_own_results_after_the_district_window(march, tmp_path):
    """On the 28th a district is late; the province office records until the strategy window ends."""
    path = fill_month(march, "71", MARCH, tmp_path / "province.xlsx", {"A101": 10})
    drop(march, "71", path)
    report = process(march, at(2015, 3, 28, 9))
    assert [v.status for v in report.verdicts] == ["accepted"]
    assert codes(march, report) == []
    assert status(march, "71")["late"] is False


def test_a_target_changed_after_issue_is_answered_with_a_fresh_workbook(march, tmp_path):
    stale = march_workbook(march, tmp_path)
    shares = even_shares(march)
    shares["quantity"]["A101"][THA_MAKA] -= 1
    shares["quantity"]["A101"]["71"] += 1
    reallocated = fill_allocation(
        issued_path(march, "allocation", "71", "2558"), tmp_path / "EOP016-v2.xlsx", shares=shares
    )
    assert [v.status for v in submit(march, reallocated, office="71").verdicts] == ["accepted"]
    report = submit(march, stale)
    assert codes(march, report) == [(None, "target-changed")]
    (rejection,) = mail_to(march, THA_MAKA, "ส่งคืน")
    fresh = _attachment(rejection, "EOP014-015_7105_2558-03.xlsx", tmp_path)
    assert load_workbook(fresh)[PERFORMANCE.name]["E9"].value == 4286 - 1
    assert "current workbook is attached" in body(rejection)


def _attachment(message, name: str, folder: Path) -> Path:
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == name]
    path = folder / f"attached-{name}"
    path.write_bytes(part.get_content())
    return path


# -- bad files, through the whole path ------------------------------------------------------
BAD_FILES = [  # (builder, code, the name it is dropped under when not its own)
    (hostile.old_excel, "not-xlsx-xls", None),
    (hostile.encrypted_workbook, "encrypted", None),
    (hostile.bad_crc, "corrupt-zip", None),
    (hostile.pdf_renamed, "not-xlsx-pdf", None),
    (hostile.ods_file, "not-xlsx-ods", None),
    (partial(hostile.ods_file, name="calc-renamed.xlsx"), "not-xlsx-ods", None),
    (hostile.csv_renamed, "not-xlsx-csv", None),
    (hostile.text_renamed, "not-xlsx-text", None),
    (hostile.random_bytes, "not-xlsx", None),
    (hostile.declared_bomb, "zip-bomb", None),
    (partial(hostile.ratio_bomb, size=4 * hostile.MiB), "zip-bomb", None),
    (hostile.xxe_workbook, "xml-entities", None),
    (hostile.billion_laughs, "xml-entities", None),
    (hostile.macro_workbook, "macro-enabled", None),
    (hostile.path_traversal, "unsafe-path", None),
    (hostile.docx_like, "not-a-workbook", None),
    (hostile.empty_file, "empty-file", None),
    (hostile.csv_renamed, "not-xlsx-csv", "ผลงาน.csv"),
    (hostile.macro_workbook, "macro-enabled", "แมโคร.xlsm"),
]


def _answered_once(dep, dropped: Path, original: bytes, code: str) -> None:
    """One record, rejected with `code`; one rejection mail; drop/ emptied; the bytes archived."""
    (record,) = received(dep)
    assert (record["result"], [f["code"] for f in record["findings"]]) == ("rejected", [code])
    assert len(mail_to(dep, THA_MAKA, "ส่งคืน")) == 1
    assert list(drop_dir(dep.root, THA_MAKA).iterdir()) == []
    (archived,) = (dep.root / "archive").rglob(f"{record['sha256']}*")
    assert archived.read_bytes() == original
    assert record["file"] == dropped.name


@pytest.mark.parametrize(
    ("build", "code", "name"),
    BAD_FILES,
    ids=[f"{i:02d}-{code}" for i, (_, code, _) in enumerate(BAD_FILES)],
)
def test_a_bad_file_is_archived_rejected_and_answered(deployment, tmp_path, build, code, name):
    if build is hostile.old_excel and not _has_soffice():
        pytest.skip("LibreOffice is not installed")
    (tmp_path / "bad").mkdir()
    bad = build(tmp_path / "bad")
    dropped = drop(deployment, THA_MAKA, bad, name)
    report = process(deployment)
    assert [v.status for v in report.verdicts] == ["rejected"]
    _answered_once(deployment, dropped, bad.read_bytes(), code)
    (finding,) = findings_of(deployment, report.verdicts[0].file_id)
    assert dropped.name in finding["message_th"] and dropped.name in finding["message_en"]


def test_a_file_too_large_is_rejected(deployment, tmp_path):
    small = reconfigured(deployment, "max_file_bytes: 20971520", "max_file_bytes: 2048")
    bad = hostile.valid_workbook(tmp_path, sheets=3)
    assert bad.stat().st_size > 2048
    dropped = drop(small, THA_MAKA, bad)
    process(small)
    _answered_once(small, dropped, bad.read_bytes(), "too-large")


@pytest.mark.postgresql_default
def test_a_folder_dropped_is_not_a_file(deployment, tmp_path):
    folder = drop_dir(deployment.root, THA_MAKA) / "งานเดือนมีนาคม"
    folder.mkdir()
    (folder / "inside.xlsx").write_bytes(b"PK")
    process(deployment)
    assert _outcomes(deployment) == [("งานเดือนมีนาคม", "rejected", ["not-a-file"])]
    assert list(drop_dir(deployment.root, THA_MAKA).iterdir()) == []
    assert len(mail_to(deployment, THA_MAKA, "ส่งคืน")) == 1


def test_a_symlink_dropped_is_not_followed(deployment, tmp_path):
    secret = tmp_path / "elsewhere.xlsx"
    secret.write_bytes(b"not to be read")
    (drop_dir(deployment.root, THA_MAKA) / "link.xlsx").symlink_to(secret)
    process(deployment)
    assert _outcomes(deployment) == [("link.xlsx", "rejected", ["not-a-file"])]
    assert list(drop_dir(deployment.root, THA_MAKA).iterdir()) == []
    assert secret.read_bytes() == b"not to be read"
    assert len(mail_to(deployment, THA_MAKA, "ส่งคืน")) == 1


def test_an_office_lock_file_is_ignored(march, tmp_path):
    lock = drop_dir(march.root, THA_MAKA) / "~$march.xlsx"
    lock.write_bytes(b"\x0bnobody\x00" * 20)
    report = process(march)
    assert report.verdicts == [] and _outcomes(march) == []
    assert lock.exists()
    assert mail_to(march, THA_MAKA, "ส่งคืน") == []


def _outcomes(dep, office: str = THA_MAKA) -> list[tuple[str, str, list[str]]]:
    return [
        (r["file"], r["result"], [f["code"] for f in r["findings"]])
        for r in received(dep)
        if r["office"] == office
    ]


def _has_soffice() -> bool:
    import shutil

    return shutil.which("soffice") is not None


# the same good workbook in the office's own folder stays accepted after all this
@pytest.mark.postgresql_default
def test_a_good_workbook_is_accepted_beside_bad_ones(march, tmp_path):
    drop(march, THA_MAKA, hostile.pdf_renamed(tmp_path))
    drop(march, THA_MAKA, march_workbook(march, tmp_path))
    report = process(march)
    assert sorted(v.status for v in report.verdicts) == ["accepted", "rejected"]
    assert status(march)["state"] == "submitted"
    assert not os.listdir(drop_dir(march.root, THA_MAKA))


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        ("2558.9", "template-outdated"),
        ("2557.12", "template-outdated"),
        ("", "template-outdated"),
        ("2558.11", "template-unknown-version"),
        ("2558.x", "template-unknown-version"),
    ],
)
def test_template_versions_compare_as_versions_not_text(monkeypatch, sent, code):
    """ "2558.9" sorts after "2558.10" as text; as a version it is older, so outdated."""
    monkeypatch.setitem(TEMPLATE_VERSIONS, "monthly", "2558.10")
    meta = {"kind": "monthly", "template_version": sent, "office": THA_MAKA}
    (found,) = check_meta(meta, folder_office=THA_MAKA, kinds_allowed=("monthly",))
    assert found.code == code
    assert "2558.10" in found.message_th and "2558.10" in found.message_en
