"""One district's March, end to end: issued, filled, dropped, accepted, answered by mail."""

from conftest import THA_MAKA, drop, fill_month, process, sent_mail


def test_a_filled_workbook_is_accepted_and_answered(march, tmp_path):
    filled = fill_month(
        march,
        THA_MAKA,
        "2558-03",
        tmp_path / "march.xlsx",
        {"A101": "1,200", "A102": "๑๒๓"},
        {"A101": 5000},
    )
    drop(march, THA_MAKA, filled)
    report = process(march)
    assert [(v.office, v.status, v.kind, v.period) for v in report.verdicts] == [
        (THA_MAKA, "accepted", "monthly", "2558-03")
    ]
    receipts = [m for m in sent_mail(march) if "u7105@" in m["To"] and "รับข้อมูล" in m["Subject"]]
    assert len(receipts) == 1
