"""The fast paths give the answers of the plain ways they replace (bench/ shows the speed):
a sheet's extent checked a chunk at a time, the cells of formulas found from the formulas,
and the monthly checks of many workbooks run as one frame."""

from __future__ import annotations

import io
import random
import re
from datetime import datetime

import pytest

from eop.config import Limits
from intake import read, sheet_extent


def _extent(chunks: list[bytes], limits: Limits, *, at_once: bool) -> tuple:
    extent = sheet_extent.SheetExtent("f.xlsx", "xl/worksheets/sheet1.xml", limits)
    if not at_once:
        extent._plain_within = lambda data, last: False  # every tag walked one by one
    try:
        for chunk in chunks:
            extent.feed(chunk)
        return ("ok", extent.row, extent.column, extent.rest)
    except Exception as exc:  # noqa: BLE001 — the refusal itself is compared
        return (type(exc).__name__, str(exc), extent.row, extent.column)


def _tag(rng: random.Random, plain: bool = False) -> bytes:
    column = rng.choice([b"A", b"J", b"Z", b"AA", b"XFD", b"XFE", b"a", b"$B"])
    row = rng.choice([1, 9, 60, 4999, 5000, 5001, 1048576])
    if (
        plain and rng.random() < 0.98
    ):  # as our writers write them, mostly within the limits: read at once
        column = rng.choice(
            [b"A", b"B", b"E", b"$B", b"a", b"A", b"B", b"E", b"$B", b"a", b"J", b"AA", b"XFD"]
        )
        row = rng.choice([1, 2, 9, 10, 1, 2, 9, 10, 1, 2, 9, 10, 60, 5001])
        return rng.choice(
            [
                b'<row r="%d" spans="1:10">' % row,
                b"</row>",
                b'<c r="%s%d" s="3"><v>1</v></c>' % (column, row),
                b'<c r="%s%d"><f>A1</f><v></v></c>' % (column, row),
                b"<cols><col min='1'/></cols>",
            ]
        )
    return rng.choice(
        [
            b'<row r="%d" spans="1:10">' % row,
            b"</row>",
            b'<c r="%s%d" s="3"><v>1</v></c>' % (column, row),
            b"<c r='%s%d'/>" % (column, row),
            b'<x:c r="%s$%d"><f>A1</f><v></v></c>' % (column, row),
            b"<c>",
            b"<row>",
            b'<c r="A1 B2">',
            b'<c r="">',
            b'<c r="A1>',
            b"<cols><col min='1'/></cols>",
            b"text &amp; >",
            b'<c r="B3" <v>',
            b'<row r="2" <x>',
        ]
    )


@pytest.mark.parametrize("seed", range(4))
def test_a_sheet_extent_checked_a_chunk_at_a_time_is_the_walk_tag_by_tag(seed: int) -> None:
    rng = random.Random(seed)
    at_once = 0
    for _ in range(2000):
        data = b"".join(_tag(rng, plain=seed % 2 == 1) for _ in range(rng.randint(0, 30)))
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 4))))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
        limits = Limits(max_rows=rng.choice([10, 60, 5000]), max_columns=rng.choice([5, 26, 16384]))
        assert _extent(chunks, limits, at_once=True) == _extent(chunks, limits, at_once=False), data
        at_once += _read_at_once(chunks, limits)
    if seed % 2:  # streams as our writers write them: the fast path decided many chunks
        assert at_once > 1000, at_once


def _read_at_once(chunks: list[bytes], limits: Limits) -> int:
    """How many of the chunks the fast path read."""
    extent, taken = sheet_extent.SheetExtent("f.xlsx", "xl/worksheets/sheet1.xml", limits), []
    at_once = extent._plain_within
    extent._plain_within = lambda data, last: taken.append(at_once(data, last)) or taken[-1]
    try:
        for chunk in chunks:
            extent.feed(chunk)
    except Exception:  # noqa: BLE001, S110 — a refusal ends the stream
        pass
    return sum(taken)


def _sheet(rng: random.Random) -> bytes:
    rows = []
    for r in range(1, rng.randint(2, 12)):
        cells = []
        for column in "ABCDE"[: rng.randint(1, 5)]:
            ref = f"{column}{r}".encode()
            cells.append(
                rng.choice(
                    [
                        b'<c r="%s" t="inlineStr"><is><t>&#3605;&#3633;</t></is></c>' % ref,
                        b'<c r="%s"><f>SUM(A1:A2)</f><v></v></c>' % ref,
                        b'<c r="%s"><f>B1&gt;0</f><v>1</v></c>' % ref,
                        b'<c r="%s" t="str"><f>"a"</f><v></v></c>' % ref,
                        b'<c r="%s"><f t="shared" si="0"/></c>' % ref,
                        b'<c r="%s" s="2"/>' % ref,
                        b'<c r="%s"><v>3</v></c>' % ref,
                        b'<c r="%s">\n <f>1</f></c>' % ref,
                    ]
                )
            )
        rows.append(b'<row r="%d">' % r + b"".join(cells) + b"</row>")
    return b'<worksheet xmlns="x"><sheetData>' + b"".join(rows) + b"</sheetData></worksheet>"


def test_formula_cells_found_from_their_formulas_are_those_the_xml_parser_finds() -> None:
    rng = random.Random(2558)
    plain = 0
    for _ in range(500):
        data = _sheet(rng)
        assert list(read._scan_formula_cells(data, 5001)) == list(
            read._formula_cells(io.BytesIO(data), 5001)
        )
        plain += read._plain_formula_cells(data, 5001) is not None
    assert 50 < plain < 450  # both ways were taken: the one findall, and formula by formula


def test_monthly_checks_of_a_batch_are_each_workbooks_own() -> None:
    import pandas as pd

    from eop.layout import BUDGET, PERFORMANCE
    from validators.monthly import MonthlyInput, check_monthly, check_monthly_batch

    rng = random.Random(7)
    inputs = []
    for _ in range(16):
        clean = rng.random() < 0.4  # within every rule: pandera never sees it (monthly_rules)
        rows = list(range(9, 9 + rng.randint(0, 6)))
        codes = [f"A{100 + i}" for i in range(len(rows))]
        typed = [
            rng.choice([5, ""] if clean else [5, 2.5, -1, "12,5O0", " ๑๒ ", "", "1,250", 1e9])
            for _ in rows
        ]
        perf = pd.DataFrame(
            {"row": rows, **{c.field: [""] * len(rows) for c in PERFORMANCE.columns}}
        )
        perf["code"], perf["unit"], perf["quantity"] = codes, "ตัว", typed
        targets = [100] if clean else [0, 100, "x"]
        perf["target"], perf["cum_prev"] = [rng.choice(targets) for _ in rows], 10.0
        money = pd.DataFrame({"row": rows, **{c.field: [""] * len(rows) for c in BUDGET.columns}})
        money["code"], money["budget"], money["spent_prev"] = codes, 1000.0, 900.0
        spent = [50, ""] if clean else [50, 500, "x", ""]
        money["spending"] = [rng.choice(spent) for _ in rows]
        history = {code: [rng.uniform(1, 9) for _ in range(rng.choice([0, 5]))] for code in codes}
        inputs.append(
            MonthlyInput(
                perf,
                money,
                "ยืนยันส่ง" if clean else rng.choice(["ยืนยันส่ง", "ร่าง", "", "x"]),
                "ก" if clean else rng.choice(["ก", ""]),
                {c: rng.random() < 0.5 for c in codes},
                history,
                2000,
            )
        )
    alone = [
        check_monthly(
            i.performance,
            i.budget,
            confirm=i.confirm,
            reporter=i.reporter,
            whole=i.whole,
            history=i.history,
            max_cell_chars=i.max_cell_chars,
        )
        for i in inputs
    ]
    together = check_monthly_batch(inputs)
    assert [[(f.cell, f.code, f.message_en) for f in c.findings] for c in together] == [
        [(f.cell, f.code, f.message_en) for f in c.findings] for c in alone
    ]
    found = [bool(c.findings) for c in together]
    assert 3 < sum(found) < len(found) - 3  # workbooks with findings beside clean ones
    assert [(c.rows, c.confirmed, c.reporter) for c in together] == [
        (c.rows, c.confirmed, c.reporter) for c in alone
    ]


@pytest.mark.parametrize(
    "rows", [3, 4000]
)  # one chunk: the gate's copy; over 64 KB: read again from the zip
def test_the_reader_finds_the_same_formulas_from_the_gates_parts_as_from_the_zip(
    tmp_path, rows: int
) -> None:
    import openpyxl

    from eop.config import Limits
    from intake.read import read_workbook
    from intake.sniff import check_file_parts

    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, rows + 1):
        sheet.append([f"A{r}", r, f"=B{r}*2", "ข้อความ"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    parts = check_file_parts(path, Limits())
    assert ("xl/worksheets/sheet1.xml" in parts) == (rows == 3)
    given, alone = (
        read_workbook(path, display_name="f.xlsx", max_rows=5000, parts=p) for p in (parts, None)
    )
    assert given.sheets == alone.sheets
    assert (
        given.sheets["Sheet"][rows - 1][2] == f"=B{rows}*2"
    )  # the formula saved without a value, by its text


def test_mail_spooled_with_remembered_folding_is_policy_defaults_byte_for_byte(tmp_path) -> None:
    """The same headers folded again (the sender on every answer, a subject twice) and new ones,
    Thai and English, long and short, and a Thai attachment name: the bytes as policy.default
    makes them."""
    from email import policy
    from email.headerregistry import Address
    from email.message import EmailMessage

    from outbox.spool import _FOLDED, SPOOL_POLICY, as_bytes, attach

    rng = random.Random(11)
    words = ["สำนักงานปศุสัตว์อำเภอท่ามะกา", "รายงาน", "กาญจนบุรี", "accepted", "2558-03", "ฉบับที่ 2"]
    attachment = tmp_path / "แบบรายงาน ท่ามะกา 2558-03.xlsx"
    attachment.write_bytes(b"PK\x03\x04 not really a workbook")

    def message(kind, subject: str, sender: str, to: str, attached: bool) -> bytes:
        built = EmailMessage(policy=kind)
        built["Subject"] = subject
        built["From"] = Address(display_name=sender, addr_spec="noreply@example.go.th")
        built["To"] = to
        built.set_content("ข้อความ / text", cte="base64")
        if attached:
            attach(built, attachment)
            built.set_boundary("===boundary===")  # else a random one each time
        return as_bytes(built)

    for _ in range(40):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        sender = rng.choice(["e-Operation Sheets สนง.ปศุสัตว์จังหวัดกาญจนบุรี", "eop"])
        to = rng.choice(["u7105@example.go.th", f"{rng.choice(words)} <u71@example.go.th>"])
        attached = rng.random() < 0.3
        for again in range(rng.choice([1, 2])):  # again: from what was remembered
            kept = len(_FOLDED)
            assert message(SPOOL_POLICY, subject, sender, to, attached) == message(
                policy.default, subject, sender, to, attached
            )
            assert not again or len(_FOLDED) == kept  # nothing new to fold the second time


# One change to a clean row, at or just past a rule's edge: (sheet, {field: value}).
EDGES = [
    ("performance", {"quantity": -1.0}),
    ("performance", {"quantity": -0.0}),
    ("performance", {"quantity": 2.5, "whole": True}),
    ("performance", {"quantity": 2.5, "whole": False}),
    ("performance", {"quantity": 10.0000001, "whole": True}),
    ("performance", {"target": 100, "cum_prev": 140.0, "quantity": 10.0, "whole": False}),
    ("performance", {"target": 100, "cum_prev": 140.0, "quantity": 10.001, "whole": False}),
    ("performance", {"target": 0.1, "cum_prev": 0.05, "quantity": 0.1, "whole": False}),
    ("performance", {"target": 0, "quantity": 0.0}),
    ("performance", {"target": "", "quantity": float("nan")}),
    ("performance", {"target": None, "quantity": 1.0}),
    ("performance", {"target": -5.0, "quantity": 0.0}),
    ("performance", {"outlier_above": 5.5, "median": 1.0, "quantity": 5.5, "whole": False}),
    ("performance", {"outlier_above": 5.5, "median": 1.0, "quantity": 6.0}),
    ("budget", {"budget": 1000.0, "spent_prev": 900.0, "spending": 100.005}),
    ("budget", {"budget": 1000.0, "spent_prev": 900.0, "spending": 100.0049}),
    ("budget", {"budget": 1000.0, "spent_prev": 900.0, "spending": 100.0051}),
    ("budget", {"budget": 0.3, "spent_prev": 0.1, "spending": 0.2}),
    ("budget", {"budget": "", "spent_prev": None, "spending": 0.01}),
    ("budget", {"spending": -3.0}),
    ("budget", {"spending": -0.0}),
]
ODD = ["12", " 5 ", True, float("nan"), float("inf")]  # pre-filled, but not plainly a number


def _rule_columns(rng: random.Random, file: int, change: tuple[str, dict] | None) -> tuple:
    """One workbook's columns as validators.monthly stacks them, every row within the rules,
    then `change` made to one row."""
    rows = list(range(9, 9 + rng.randint(1, 4)))

    def pick(*values: object) -> list:
        return [rng.choice(values) for _ in rows]

    above = pick(None, 60.0)
    columns = {
        "performance": {
            "file": [file] * len(rows),
            "row": rows,
            "code": [f"A{100 + i}" for i in range(len(rows))],
            "unit": ["ตัว"] * len(rows),
            "remark": [""] * len(rows),
            "whole": pick(True, False),
            "target": pick(100, 4286.0, 100.0),
            "cum_prev": pick(10.0, 0, ""),
            "quantity": pick(float("nan"), 0.0, 5.0, 3.0),
            "median": [None if a is None else 2.0 for a in above],
            "outlier_above": above,
        },
        "budget": {
            "file": [file] * len(rows),
            "row": rows,
            "code": [f"A{100 + i}" for i in range(len(rows))],
            "budget": pick(1000.0, 5000),
            "spent_prev": pick(900.0, 0, None),
            "spending": pick(float("nan"), 50.0, 100.0, 100.004),
        },
    }
    if change is not None:
        sheet, values = change
        row = rng.randrange(len(rows))
        for name, value in values.items():
            columns[sheet][name][row] = value
    return columns["performance"], columns["budget"]


def test_the_plain_rules_pass_exactly_the_batches_the_schemas_pass() -> None:
    """validators.monthly_rules spares a clean batch pandas and pandera: on random batches,
    clean or with one row taken to a rule's edge or just past it, it passes exactly those the
    pandera schemas find nothing in; a batch holding a pre-filled figure that is not plainly a
    number goes to the schemas."""
    from validators.monthly_rules import plainly_within_rules
    from validators.monthly_schemas import rule_findings

    rng = random.Random(2558)
    passed, codes = 0, set()
    for _ in range(600):
        odd = rng.random() < 0.1
        change = rng.choice([None, *EDGES])
        if odd:
            sheet = rng.choice(["performance", "budget"])
            name = rng.choice(["target", "cum_prev"] if sheet == "performance" else ["budget"])
            change = (sheet, {name: rng.choice(ODD)})
        count = rng.randint(1, 3)
        books = [_rule_columns(rng, i, change if i == count - 1 else None) for i in range(count)]
        performance, budget = [b[0] for b in books], [b[1] for b in books]
        plainly = plainly_within_rules(performance, budget)
        found = rule_findings(performance, budget)
        assert plainly == (not found) or odd and not plainly, (change, found)
        passed += plainly
        codes |= {f.code for found_in_one in found.values() for f in found_in_one}
    assert 100 < passed < 500  # both answers were given, often
    assert codes == {"negative", "not-whole", "over-target", "no-target", "outlier", "over-budget"}


# What the review workbook's warnings column says for each rule that only warns.
SAID = {
    "over-target": "cumulative over 150% of target",
    "no-target": "results without a target",
    "outlier": "unusually high",
}


def test_a_reviewer_is_warned_of_exactly_the_rows_the_schemas_flag() -> None:
    """A section's review workbook (jobs.workflow_books.warnings) names over-target,
    no-target and outlier for a district's row exactly when the pandera schemas find them in
    it, at each rule's edge and just past it."""
    from jobs.workflow_books import warnings
    from ledger.views import PlanLine
    from validators.monthly_rules import outlier_threshold
    from validators.monthly_schemas import rule_findings

    rng = random.Random(2559)
    seen = set()
    for _ in range(400):
        target = rng.choice([0.0, -5.0, 0.1, 100.0, 4286.0])
        cum_prev = rng.choice([0.0, 0.05, 10.0, 140.0])
        quantity = rng.choice([0.0, 0.1, 5.5, 6.0, 10.0, 10.001, 60.0, 60.5])
        history = rng.choice([[], [2.0, 2.0], [1.1, 1.1, 1.1], [12.0] * 3, [1.0, 2.0, 8.0]])
        median, above = outlier_threshold(history)
        performance = {
            "file": [0], "row": [9], "code": ["A100"], "unit": ["ตัว"], "remark": [""],
            "whole": [False], "target": [target], "cum_prev": [cum_prev],
            "quantity": [quantity], "median": [median], "outlier_above": [above],
        }  # fmt: skip
        budget = {
            "file": [0], "row": [9], "code": ["A100"],
            "budget": [1000.0], "spent_prev": [0.0], "spending": [float("nan")],
        }  # fmt: skip
        found = {f.code for one in rule_findings([performance], [budget]).values() for f in one}
        line = PlanLine("A100", "โค", "ตัว", False, target, cum_prev, 1000.0, 0.0)
        said = warnings(line, quantity, history)
        assert {code for code, words in SAID.items() if words in said} == found, (line, said)
        seen |= found
    assert seen == set(SAID)


def test_an_answer_written_straight_is_the_email_packages_message_byte_for_byte(
    demo_config_path,
) -> None:
    """Most answers (Thai text and HTML, nothing attached) are spooled as bytes written
    straight (outbox.spool.alternatives_bytes): on random drafts (Thai and English subjects
    long and short, several recipients, a Thai sender's name, bodies with and without their
    last newline, CR LF, long lines, exact multiples of a base64 line) they are the bytes the
    email package makes of the same draft, its random boundary and Message-ID aside, and they
    read back as the draft."""
    from email import message_from_bytes, policy
    from email.utils import parsedate_to_datetime

    from eop.clock import BANGKOK
    from eop.config import load_config
    from outbox.compose import Draft
    from outbox.spool import as_bytes, build_message, prepare

    config = load_config(demo_config_path)
    now = datetime(2015, 3, 25, 10, 30, tzinfo=BANGKOK)
    rng = random.Random(2015)
    words = ["สำนักงานปศุสัตว์อำเภอท่ามะกา", "รับแล้ว", "accepted", "2558-03", "ฉบับที่ 2", "/"]
    lines = ["เรียน ผู้รายงาน", "ก" * 19, "x" * 57, "ผลงาน 1,234.50 บาท", "", "<p>ใช่</p>", "a" * 300]

    def same_shape(data: bytes) -> bytes:
        data = re.sub(rb"={15}\d{19}==", b"=BOUNDARY=", data)
        return re.sub(rb"(?m)^Message-ID: <[^>]+>$", b"Message-ID: <ID>", data)

    for _ in range(300):
        sender = rng.choice(["e-Operation Sheets สนง.ปศุสัตว์จังหวัดกาญจนบุรี", "e-Operation Sheets"])
        mailer = config.model_copy(
            update={"mail": config.mail.model_copy(update={"sender_name": sender})}
        )
        body = [rng.choice(lines) for _ in range(rng.randint(1, 30))] + ["ท้าย"]
        draft = Draft(
            "receipt",
            rng.sample(["u7105@example.go.th", "u71@example.go.th", "ผู้ตรวจ <u1@example.go.th>"], k=rng.randint(1, 3)),
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 14))),
            rng.choice(["\n", "\r\n"]).join(body) + rng.choice(["", "\n"]),
            "<html><body>" + "<br>".join(body) + "</body></html>\n",
        )  # fmt: skip
        ready = prepare(mailer, draft, now)
        built = as_bytes(build_message(mailer, draft, now))
        assert same_shape(ready.data) == same_shape(built), draft
        read = message_from_bytes(ready.data, policy=policy.default)
        assert read["Message-ID"] == ready.message_id
        # a space the email package folds between two encoded words reads back as nothing
        assert re.sub(r"\s", "", read["Subject"]) == re.sub(r"\s", "", draft.subject)
        assert parsedate_to_datetime(read["Date"]) == now
        assert read.get_body(("plain",)).get_content().splitlines() == draft.text.splitlines()
        assert read.get_body(("html",)).get_content() == draft.html
