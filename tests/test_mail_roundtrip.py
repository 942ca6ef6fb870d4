"""The answers of a real month travel through a real SMTP server on loopback."""

from conftest import THA_MAKA, drop, fill_month, process
from smtp_server import free_port, smtp_server


def _smtp(deployment, port):
    mail = deployment.config.mail.model_copy(
        update={
            "transport": "smtp",
            "smtp": deployment.config.mail.smtp.model_copy(
                update={"port": port, "host": "127.0.0.1"}
            ),
        }
    )
    deployment.config = deployment.config.model_copy(update={"mail": mail})


def test_rejection_arrives_with_thai_subject_and_the_annotated_workbook(march, tmp_path):
    port = free_port()
    _smtp(march, port)
    bad = fill_month(march, THA_MAKA, "2558-03", tmp_path / "รายงานมีนาคม.xlsx", {"A101": "12,5O0"})
    drop(march, THA_MAKA, bad)
    with smtp_server(port) as server:
        process(march)
    rejections = [
        m
        for m in server.messages()
        if m["To"] == "u7105@kanchanaburi.example.go.th" and "ส่งคืนเพื่อแก้ไข" in m["Subject"]
    ]
    assert len(rejections) == 1
    message = rejections[0]
    assert "7105" in message["Subject"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["รายงานมีนาคม-ผลการตรวจ-2.xlsx"]
    body = message.get_body(("plain",)).get_content()
    assert "G9" in body and "12,5O0" in body
    assert body.index("ไม่ใช่ตัวเลข") < body.index("is not a number")  # Thai first, English beneath


def test_smtp_outage_loses_nothing_and_sends_each_answer_once(march, tmp_path):
    port = free_port()
    _smtp(march, port)
    good = fill_month(march, THA_MAKA, "2558-03", tmp_path / "march.xlsx", {"A101": 100})
    drop(march, THA_MAKA, good)
    report = process(march)  # nothing listens: the receipt waits in the outbox
    assert report.verdicts[0].status == "accepted" and report.sent == 0
    with smtp_server(port) as server:
        march.clock.set(march.now().replace(hour=12))  # past every back-off
        process(march)
        process(march)
    ids = server.message_ids()
    assert len(ids) == len(set(ids)) and any("u7105@" in m["To"] for m in server.messages())
