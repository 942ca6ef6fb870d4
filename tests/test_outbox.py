"""The outbox: templates render Thai then English; spooled mail survives SMTP outages; sent once."""

from __future__ import annotations

import fcntl
import html
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from smtp_server import free_port, smtp_server
from sqlalchemy import select

from eop.clock import BANGKOK
from eop.config import Config, load_config
from eop.settings import SmtpConfig
from ledger import mail
from ledger.db import Ledger
from ledger.schema import events
from outbox import (
    Draft,
    FileTransport,
    SmtpTransport,
    TransportError,
    make_message,
    queue,
    retry_failed,
    send_due,
    send_one,
)
from outbox.deliver import LEASE, SENDERS_LOCK
from templates.mail import KINDS, render_mail

pytestmark = pytest.mark.ledgers(default=True)  # the outbox's claims on both ledgers

NOW = datetime(2015, 3, 25, 10, 0, tzinfo=BANGKOK)
TO = ["u7105@kanchanaburi.example.go.th"]
ATTACHMENT = "ผลงาน 7105 มี.ค.58 (ทำเครื่องหมาย).xlsx"

OFFICE = {
    "code": "7105",
    "name_th": "สำนักงานปศุสัตว์อำเภอท่ามะกา",
    "name_en": "Tha Maka District Livestock Office",
}
FILE = {
    "name": "ผลงาน 7105 มี.ค.58.xlsx",
    "received_th": "25 มีนาคม 2558 เวลา 10:00 น.",
    "received_en": "25 March 2558 BE, 10:00",
}
PERIOD = {
    "kind_th": "รายงานผลการปฏิบัติงานประจำเดือน",
    "kind_en": "monthly performance report",
    "period_th": "2558-03",
    "period_en": "2558-03",
}
NOT_A_NUMBER = {
    "severity": "error",
    "code": "not-a-number",
    "sheet": "ผลการปฏิบัติงาน",
    "cell": "F14",
    "field": "ผลงานเดือนนี้",
    "value": "12,5O0",
    "message_th": "ไม่ใช่ตัวเลข",
    "message_en": "is not a number",
}
HIGH_SPENDING = {
    "severity": "warning",
    "code": "spending-jump",
    "sheet": "ผลการปฏิบัติงาน",
    "cell": "G9",
    "field": None,
    "value": None,
    "message_th": "ค่าใช้จ่ายสูงกว่าปกติ",
    "message_en": "spending is unusually high",
}


def contexts(full: bool = True) -> dict[str, dict[str, Any]]:
    """One context per kind; `full=False` gives every list empty."""
    some = (lambda items: items) if full else (lambda items: [])
    return {
        "receipt": {
            "office": OFFICE,
            "file": FILE,
            **PERIOD,
            "version": 2,
            "replaces_version": 1 if full else None,
            "changes": some(
                [
                    {
                        "activity": "1.1.1",
                        "name_th": "ฉีดวัคซีนโรคปากและเท้าเปื่อย",
                        "field_th": "ผลงาน",
                        "field_en": "quantity",
                        "old": 1000,
                        "new": 1200,
                    }
                ]
            ),
            "summary": some(
                [
                    {
                        "activity": "1.1.1",
                        "name_th": "ฉีดวัคซีนโรคปากและเท้าเปื่อย",
                        "unit": "ตัว",
                        "quantity": 1200,
                        "spending": 15000,
                    }
                ]
            ),
            "warnings": some([HIGH_SPENDING]),
            "late": full,
            "state_th": "รอตรวจ",
            "state_en": "awaiting review",
        },
        "rejection": {
            "office": OFFICE,
            "file": FILE,
            **PERIOD,
            "findings": some([NOT_A_NUMBER, HIGH_SPENDING]),
            "fresh_workbook": not full,
            "attachment_name": ATTACHMENT,
        },
        "duplicate": {
            "office": OFFICE,
            "file": FILE,
            "original": {
                "name": "ผลงาน มี.ค.xlsx",
                "received_th": "24 มีนาคม 2558",
                "received_en": "24 March 2558 BE",
            },
        },
        "workbook_issued": {
            "office": OFFICE,
            **PERIOD,
            "window_th": "ส่งได้ระหว่างวันที่ 25–27 มีนาคม 2558",
            "window_en": "Open from 25 to 27 March 2558 BE",
            "attachment_name": "7105 2558-03.xlsx",
        },
    }


@pytest.fixture
def config(demo_config_path: Path) -> Config:
    return load_config(demo_config_path)


@pytest.fixture
def ledger(tmp_path: Path, ledger_url: str | None) -> Iterator[Ledger]:
    ledger = Ledger(ledger_url or tmp_path / "eop.sqlite3")
    yield ledger
    ledger.close()


@pytest.fixture
def attachment(tmp_path: Path) -> Path:
    path = tmp_path / "returned" / ATTACHMENT
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    return path


def smtp_config(config: Config, port: int, **mail: Any) -> Config:
    smtp = SmtpConfig(host="127.0.0.1", port=port, tls="none", timeout_seconds=5)
    return config.model_copy(
        update={"mail": config.mail.model_copy(update={"transport": "smtp", "smtp": smtp, **mail})}
    )


def receipt(attachments: tuple[Path, ...] = ()) -> Draft:
    return make_message("receipt", TO, contexts()["receipt"], attachments)


def enqueue(ledger: Ledger, config: Config, draft: Draft, key: str = "receipt:1") -> int | None:
    with ledger.atomic() as conn:
        return queue(conn, config, draft, now=NOW, dedupe_key=key, file_id=1, office="7105")


def row(ledger: Ledger, outbox_id: int) -> Any:
    with ledger.atomic() as conn:
        return mail.get(conn, outbox_id)


# -- templates ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("full", [True, False], ids=["full", "empty-lists"])
def test_each_kind_renders_thai_then_english(kind: str, full: bool) -> None:
    subject, text, html = render_mail(kind, contexts(full)[kind])

    assert subject.startswith("[e-Operation] ") and " / " in subject and "\n" not in subject
    for body in (text, html):
        thai, english = (
            body.index("เรียน สำนักงานปศุสัตว์อำเภอท่ามะกา"),
            body.index("To Tha Maka District Livestock Office"),
        )
        assert thai < english
    assert "ส่งโดยอัตโนมัติ" in text and "sent automatically" in text
    assert html.lstrip().startswith("<!DOCTYPE html>") and 'lang="th"' in html


def test_receipt_subject_names_office_period_and_version() -> None:
    subject, text, _ = render_mail("receipt", contexts()["receipt"])

    assert subject == "[e-Operation] รับข้อมูลแล้ว / Received: 7105 2558-03 (ฉบับที่ 2 / version 2)"
    assert "1.1.1 ฉีดวัคซีนโรคปากและเท้าเปื่อย: ผลงาน / quantity 1,000 → 1,200" in text
    assert "15,000.00 บาท" in text and "ส่งหลังกำหนด" in text and "after the deadline" in text


def test_rejection_lists_each_finding_where_the_officer_looks() -> None:
    subject, text, html = render_mail("rejection", contexts()["rejection"])

    assert (
        subject
        == "[e-Operation] ส่งคืนเพื่อแก้ไข / Returned for correction: 7105 2558-03 (1 ข้อ / 1 error)"
    )
    assert '1. ชีต "ผลการปฏิบัติงาน" เซลล์ F14 (ผลงานเดือนนี้): ไม่ใช่ตัวเลข (ค่าที่พบ "12,5O0")' in text
    assert (
        '   sheet "ผลการปฏิบัติงาน", cell F14 (ผลงานเดือนนี้): is not a number (value seen "12,5O0")'
        in text
    )
    assert ATTACHMENT in text and ATTACHMENT in html
    assert "แบบฟอร์มฉบับปัจจุบัน" not in text


def test_rejection_table_says_where_once_in_each_language() -> None:
    """The HTML table: the where (the English sheet name beneath the Thai) in its own column,
    the problem beside it not repeating it."""
    from eop.layout import PERFORMANCE
    from validators.catalogue import at, finding

    found = finding(
        "not-a-number", **at(PERFORMANCE, "quantity", 9), activity="A101 ฉีดวัคซีน", value="12,5O0"
    )
    context = contexts()["rejection"] | {"findings": [found.as_dict()]}

    _, _, page = render_mail("rejection", context)

    where, problem = html.unescape(page).split("<td>")[1:3]
    assert 'ชีต "ผลการปฏิบัติงาน" เซลล์ G9' in where and "A101 ฉีดวัคซีน" in where
    assert 'Sheet "performance" cell G9' in where and 'sheet "ผล' not in where
    assert "ไม่ใช่ตัวเลข" in problem and "is not a number" in problem
    assert "G9" not in problem and "ชีต" not in problem and "A101" not in problem


def test_rejection_with_a_fresh_workbook_says_to_use_it() -> None:
    context = contexts()["rejection"] | {"fresh_workbook": True, "attachment_name": ""}

    _, text, html = render_mail("rejection", context)

    assert "แนบแบบฟอร์มฉบับปัจจุบันมาด้วย" in text and "The current workbook is attached" in text
    assert "ทำเครื่องหมายไว้ทุกเซลล์" not in text and "current workbook</strong>" in html


def test_a_locked_period_says_how_a_correction_is_opened_not_which_cells_to_fix() -> None:
    locked = {
        "severity": "error",
        "code": "period-locked",
        "sheet": None,
        "cell": None,
        "field": None,
        "value": "2558-03",
        "message_th": "งวด 2558-03 ปิดรับข้อมูลแล้ว",
        "message_en": "Period 2558-03 is locked",
    }
    context = contexts()["rejection"] | {"findings": [locked], "fresh_workbook": False}

    _, text, html = render_mail("rejection", context)

    for shown in (text, html):
        assert "Every cell to correct is marked" not in shown
        assert "ทำเครื่องหมายไว้ทุกเซลล์" not in shown
        assert "Please correct, save" not in shown and "eop correction" not in shown
        assert "This period is closed" in shown and "งวดนี้ปิดรับข้อมูลแล้ว" in shown
        assert "no cell needs correcting" in shown


def test_html_escapes_what_offices_wrote() -> None:
    context = contexts()["rejection"]
    context["file"] = {**FILE, "name": "<script>x</script>.xlsx"}

    _, text, html = render_mail("rejection", context)

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>x</script>.xlsx" in text


def test_missing_context_key_fails_loudly() -> None:
    context = contexts()["duplicate"]
    del context["original"]

    with pytest.raises(Exception, match="original"):
        render_mail("duplicate", context)


# -- spooling -------------------------------------------------------------------


def test_queue_spools_a_self_contained_message_before_the_row(
    ledger: Ledger, config: Config, attachment: Path
) -> None:
    outbox_id = enqueue(ledger, config, receipt((attachment,)))
    attachment.unlink()  # read at queue time: the spool no longer needs it

    queued = row(ledger, outbox_id)
    spooled = (config.root / queued.spool_path).read_bytes()
    message = message_from_bytes(spooled, policy=policy.default)
    assert (queued.state, queued.attempts, queued.next_attempt_at) == ("queued", 0, NOW)
    assert str(message["Message-ID"]) == queued.message_id and queued.message_id.endswith(
        "@kanchanaburi.example.go.th>"
    )
    assert message["From"].addresses[0].addr_spec == config.mail.sender
    # RFC 2047 §6.2: the folding space between encoded-words is dropped (as mail clients do;
    # CPython's address parser keeps it, so decode the display name with email.header).
    raw_from = message_from_bytes(spooled, policy=policy.compat32)["From"]
    assert (
        str(make_header(decode_header(raw_from.split("<")[0]))).strip() == config.mail.sender_name
    )
    assert [a.get_filename() for a in message.iter_attachments()] == [ATTACHMENT]


def test_a_long_message_id_reads_back_exactly(ledger: Ledger, config: Config) -> None:
    sender = "e-operation@livestock-strategy-and-information.kanchanaburi.example.go.th"
    config = config.model_copy(update={"mail": config.mail.model_copy(update={"sender": sender})})

    queued = row(ledger, enqueue(ledger, config, receipt()))

    message = message_from_bytes(
        (config.root / queued.spool_path).read_bytes(), policy=policy.default
    )
    assert len(queued.message_id) > 78 - len("Message-ID: ")
    assert str(message["Message-ID"]) == queued.message_id


def test_same_dedupe_key_twice_queues_one_message(ledger: Ledger, config: Config) -> None:
    first = enqueue(ledger, config, receipt())
    second = enqueue(ledger, config, receipt())

    assert first is not None and second is None
    assert len(list((config.root / "outbox" / "queue").glob("*.eml"))) == 1
    assert send_due(ledger, config, NOW) == 1
    assert len(list((config.root / "outbox" / "sent").glob("*.eml"))) == 1


# -- file transport -------------------------------------------------------------


def test_file_transport_writes_one_eml_per_message_and_sends_once(
    ledger: Ledger, config: Config
) -> None:
    ids = [enqueue(ledger, config, receipt(), key=f"receipt:{n}") for n in (1, 2)]
    sent_dir = config.root / "outbox" / "sent"

    assert send_due(ledger, config, NOW) == 2
    assert send_due(ledger, config, NOW + timedelta(days=1)) == 0

    files = sorted(sent_dir.glob("*.eml"))
    assert len(files) == 2
    # the queue holds only what is still to send: a sent message leaves it
    assert list((config.root / "outbox" / "queue").glob("*.eml")) == []
    for outbox_id in ids:
        sent = row(ledger, outbox_id)
        assert (sent.state, sent.sent_at) == ("sent", NOW)
        spooled = (config.root / sent.spool_path).read_bytes()
        assert spooled in [f.read_bytes() for f in files]
    with ledger.atomic() as conn:
        mailed = list(conn.execute(select(events).where(events.c.event == "mailed")))
    assert sorted(json.loads(e.detail)["message_id"] for e in mailed) == sorted(
        row(ledger, i).message_id for i in ids
    )


def test_a_claim_held_by_a_live_sender_is_taken_over_only_after_its_lease(
    ledger: Ledger, config: Config
) -> None:
    outbox_id = enqueue(ledger, config, receipt())
    lock = config.root / SENDERS_LOCK
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(
        lock, "a"
    ) as other_sender:  # another sender is alive (it holds the senders' lock) ...
        fcntl.flock(other_sender, fcntl.LOCK_SH)
        with ledger.atomic() as conn:  # ... and has claimed the message, but hangs
            assert mail.claim(conn, mail.get(conn, outbox_id), NOW + LEASE)
        transport = FileTransport(config.root / "outbox" / "sent")

        assert not send_one(ledger, config, transport, NOW + timedelta(minutes=1))
        assert send_one(ledger, config, transport, NOW + LEASE)
    assert (row(ledger, outbox_id).state, row(ledger, outbox_id).attempts) == ("sent", 2)


def test_a_claim_left_by_a_dead_sender_is_due_at_once(ledger: Ledger, config: Config) -> None:
    outbox_id = enqueue(ledger, config, receipt())
    with ledger.atomic() as conn:  # a sender claims, then dies (its lock went with it)
        assert mail.claim(conn, mail.get(conn, outbox_id), NOW + LEASE)

    assert send_due(ledger, config, NOW + timedelta(seconds=1)) == 1
    sent = row(ledger, outbox_id)
    assert (sent.state, sent.attempts) == ("sent", 2)
    assert len(list((config.root / "outbox" / "sent").glob("*.eml"))) == 1


# -- SMTP on loopback -------------------------------------------------------------


def test_smtp_delivers_thai_subject_attachment_and_both_parts(
    ledger: Ledger, config: Config, attachment: Path
) -> None:
    port = free_port()
    config = smtp_config(config, port)
    draft = receipt((attachment,))
    outbox_id = enqueue(ledger, config, draft)

    with smtp_server(port) as server:
        assert send_due(ledger, config, NOW) == 1

    [envelope], [message] = server.accepted, server.messages()
    assert (envelope.mail_from, envelope.rcpt_tos) == (config.mail.sender, TO)
    assert (
        message["Subject"]
        == draft.subject
        == "[e-Operation] รับข้อมูลแล้ว / Received: 7105 2558-03 (ฉบับที่ 2 / version 2)"
    )
    assert str(message["Message-ID"]) == row(ledger, outbox_id).message_id
    assert [a.get_filename() for a in message.iter_attachments()] == [ATTACHMENT]
    assert "เรียน สำนักงานปศุสัตว์อำเภอท่ามะกา" in message.get_body(("plain",)).get_content()
    assert "<table>" in message.get_body(("html",)).get_content()
    assert row(ledger, outbox_id).state == "sent"
    # kept under outbox/sent/ as sent, the queue left empty
    assert list((config.root / "outbox" / "queue").glob("*.eml")) == []
    kept = config.root / row(ledger, outbox_id).spool_path
    assert kept.parent.name == "sent" and kept.read_bytes().count(b"Message-ID") == 1


def test_451_keeps_the_message_queued_then_delivers_it_once(ledger: Ledger, config: Config) -> None:
    port = free_port()
    config = smtp_config(config, port)
    transport = SmtpTransport(config.mail.smtp, config.mail.sender)
    outbox_id = enqueue(ledger, config, receipt())

    with smtp_server(port) as server:
        server.reply = "451 4.3.0 try again later"
        assert send_one(ledger, config, transport, NOW)
        waiting = row(ledger, outbox_id)
        assert (waiting.state, waiting.attempts, waiting.next_attempt_at) == (
            "queued",
            1,
            NOW + timedelta(seconds=30),
        )
        assert "451" in waiting.last_error
        assert not send_one(ledger, config, transport, NOW + timedelta(seconds=29))  # not due yet

        server.reply = "250 OK"
        while send_one(ledger, config, transport, NOW + timedelta(seconds=30)):
            pass
        assert send_due(ledger, config, NOW + timedelta(hours=1), transport) == 0

    assert server.tries == 2
    assert server.message_ids() == [row(ledger, outbox_id).message_id]
    assert (row(ledger, outbox_id).state, row(ledger, outbox_id).attempts) == ("sent", 2)


def test_550_fails_and_is_not_retried_until_asked(ledger: Ledger, config: Config) -> None:
    port = free_port()
    config = smtp_config(config, port)
    outbox_id = enqueue(ledger, config, receipt())

    with smtp_server(port) as server:
        server.reply = "550 5.1.1 mailbox unavailable"
        assert send_due(ledger, config, NOW) == 0
        assert (row(ledger, outbox_id).state, row(ledger, outbox_id).attempts) == ("failed", 1)
        assert send_due(ledger, config, NOW + timedelta(days=1)) == 0
        assert server.tries == 1

        server.reply = "250 OK"
        assert retry_failed(ledger, NOW + timedelta(days=1)) == 1
        assert send_due(ledger, config, NOW + timedelta(days=1)) == 1

    assert server.message_ids() == [row(ledger, outbox_id).message_id]


def test_server_down_loses_nothing(ledger: Ledger, config: Config) -> None:
    port = free_port()  # nothing listens here yet
    config = smtp_config(config, port)
    outbox_id = enqueue(ledger, config, receipt())

    assert send_due(ledger, config, NOW) == 0
    waiting = row(ledger, outbox_id)
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert (config.root / waiting.spool_path).exists()

    with smtp_server(port) as server:
        assert send_due(ledger, config, NOW + timedelta(minutes=1)) == 1
    assert server.message_ids() == [waiting.message_id]


def test_after_max_attempts_the_message_fails(ledger: Ledger, config: Config) -> None:
    config = smtp_config(config, free_port(), max_attempts=2, backoff_seconds=[10])
    outbox_id = enqueue(ledger, config, receipt())

    for minute in range(5):
        send_due(ledger, config, NOW + timedelta(minutes=minute))

    failed = row(ledger, outbox_id)
    assert (failed.state, failed.attempts) == ("failed", 2)
    with ledger.atomic() as conn:
        assert [e.event for e in conn.execute(select(events))] == ["mail-failed"]


def test_missing_smtp_password_is_transient_and_never_prompts(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EOP_TEST_NO_SUCH_PASSWORD", raising=False)
    smtp = SmtpConfig(
        host="127.0.0.1", port=free_port(), user="eop", password_env="EOP_TEST_NO_SUCH_PASSWORD"
    )
    eml = tmp_path / "m.eml"
    eml.write_bytes(b"Subject: x\n\nx\n")

    with pytest.raises(TransportError, match="EOP_TEST_NO_SUCH_PASSWORD") as caught:
        SmtpTransport(smtp, config.mail.sender).send(eml, TO, "<x@example.go.th>")
    assert caught.value.permanent is False
