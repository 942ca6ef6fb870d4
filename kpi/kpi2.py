"""KPI 2's facts (DESIGN §8), each read from the ledger with the moments that prove it, or
the reasons it fails; mid-round each counts only the months due by now:

  targets-set              the province's targets are in (with the letter or minutes on file)
  allocation-accepted      the allocation workbook (EOP016) was accepted
  districts-recorded       every district recorded every month (due after its entry window)
  approved-in-window       every district's month approved by its sections inside the review
                           window (due after that window)
  complete-on-time         every office every month, none late, every month confirmed in time
                           (confirmation due after the strategy group's window)
  no-correction-to-centre  no correction of the round's months sent to the Planning Division
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from eop.config import Office
from eop.formats import moment_en, moment_th
from eop.periods import Period
from eop.thai import date_en, date_th
from kpi.model import Check, Problem, Proof
from kpi.reader import RoundFacts, pace, so_far
from ledger import evidence as ledger_evidence
from ledger import workflow


def targets_set(facts: RoundFacts) -> Check:
    year = facts.round.fiscal_year
    found = ledger_evidence.province_targets(facts.conn, year, facts.office)
    if not found.activities:
        return Check(
            False,
            problems=[
                Problem(
                    "targets-missing",
                    f"ยังไม่มีเป้าหมายของจังหวัด ปีงบประมาณ {year} ในระบบ (นำเข้าด้วยแบบ targets หรือ eop targets-import)",
                    f"the province's targets for fiscal year {year} are not in (a targets workbook or eop targets-import)",
                    facts.office,
                )
            ],
        )
    # What the evidence is: the budget document's targets and when they went in, not a file name.
    how_th, how_en = (
        ("นำเข้าด้วยแบบนำเข้าเป้าหมาย", "imported from the targets workbook")
        if found.source == "workbook"
        else ("บันทึกเข้าระบบ", "entered into the system")
    )
    when_th = f"เมื่อ {moment_th(found.set_at)}" if found.set_at else ""
    when_en = f" on {moment_en(found.set_at)}" if found.set_at else ""
    return Check(
        True,
        [
            Proof(
                "fact",
                f"เป้าหมายจังหวัดตามเอกสารงบประมาณรายจ่าย ปีงบประมาณ {year} จำนวน {found.activities} กิจกรรม "
                f"งบประมาณ {found.budget:,.2f} บาท {how_th}{when_th}",
                f"the province's targets from the FY{year} budget document, {found.activities} activities, "
                f"budget {found.budget:,.2f} baht, {how_en}{when_en}",
                at=found.set_at,
            )
        ],
    )


def allocation_accepted(facts: RoundFacts) -> Check:
    year = facts.round.fiscal_year
    found = ledger_evidence.latest_fact(facts.conn, facts.office, "allocation", str(year))
    if found is None:
        return Check(
            False,
            problems=[
                Problem(
                    "allocation-missing",
                    "ยังไม่ได้รับแบบจัดสรรเป้าหมายให้อำเภอ (EOP016) — ผู้วางแผนของจังหวัดกรอกแล้ววางในโฟลเดอร์ drop",
                    "no allocation workbook (EOP016) accepted yet: the province planner fills it in and drops it",
                    facts.office,
                )
            ],
        )
    shares = ledger_evidence.allocated_offices(facts.conn, year)
    with_share = [d.code for d in facts.districts if shares.get(d.code, (0, 0.0))[0] > 0]
    proof = Proof(
        "fact",
        f'รับแบบจัดสรรเป้าหมาย (EOP016) ฉบับที่ {found.version} "{found.file_name}" '
        f"จัดสรรให้ {len(with_share)} อำเภอ",
        f'allocation workbook (EOP016) version {found.version} "{found.file_name}" accepted, '
        f"shares for {len(with_share)} districts",
        at=found.accepted_at,
        ref=found.file_name,
    )
    return Check(True, [proof])


def districts_recorded(facts: RoundFacts) -> Check:
    due, pending = facts.due("entry"), facts.pending("entry")
    problems, latest = [], None
    for month in due:
        have = facts.monthly(month)
        for district in facts.districts:
            fact = have.get(district.code)
            if fact is None:
                problems.append(_nothing_recorded(district, month))
            elif latest is None or fact.accepted_at > latest:
                latest = fact.accepted_at
    count = len(facts.districts)
    total = count * len(due)
    recorded = total - len(problems)
    span = f" ({due[0].short_th} – {due[-1].short_th})" if due else ""
    rest_th = f"; ทั้งรอบ {count * len(facts.round.months)}" if pending else ""
    rest_en = f"; {count * len(facts.round.months)} in the round" if pending else ""
    proof = Proof(
        "fact",
        f"บันทึกแล้ว {recorded} จาก {total} อำเภอ-เดือน{so_far(pending)[0]} "
        f"({count} อำเภอ × {len(due)} เดือน{span}{rest_th})",
        f"{recorded} of {total} district-months{so_far(pending)[1]} recorded "
        f"({count} districts × {len(due)} months{rest_en})",
        at=latest,
        ref="RPT112",
    )
    return Check(not problems and bool(due), [proof], problems, pending, pace(facts, due, pending))


def _nothing_recorded(district: Office, month: Period) -> Problem:
    return Problem(
        "district-month-missing",
        f"{district.code} {district.name_th}: ยังไม่มีข้อมูลเดือน{month.name_th}",
        f"{district.code} {district.name_en}: nothing recorded for {month.name_en}",
        district.code,
        str(month),
    )


# -- level 4: the sections' approvals inside the review window ----------------------------------


@dataclass
class Approvals:
    """What the months' approvals add up to, as they are walked."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Proof] = field(default_factory=list)
    approved: int = 0  # district-months approved by every section in the window
    decisions: int = 0  # the sections' approvals counted
    latest: datetime | None = None

    def fail(self, code: str, th: str, en: str, office: str, month: Period) -> None:
        self.problems.append(Problem(code, th, en, office, str(month)))


def approved_in_window(facts: RoundFacts) -> Check:
    """Each district-month's version as the sections reviewed it (a version a correction
    brought in after the lock is judged by the one it corrected: corrections are level 5's
    matter) must be approved by every section owning its activities, inside the month's
    review window; only months whose review window has closed count."""
    due, pending = facts.due("review"), facts.pending("review")
    seen = Approvals()
    for month in due:
        corrected = {
            row["used_by_file_id"]
            for row in workflow.list_corrections(facts.conn, period=str(month))
            if row["used_by_file_id"]
        }
        for district in facts.districts:
            _district_month(facts, seen, district, month, corrected)
    total = len(facts.districts) * len(due)
    proof = Proof(
        "fact",
        f"อนุมัติภายในช่วงตรวจสอบครบทุกกลุ่ม/ฝ่าย {seen.approved} จาก {total} อำเภอ-เดือน{so_far(pending)[0]} "
        f"(การอนุมัติของกลุ่ม/ฝ่าย {seen.decisions} ครั้ง)",
        f"{seen.approved} of {total} district-months{so_far(pending)[1]} approved by every section inside the review window "
        f"({seen.decisions} section approvals)",
        at=seen.latest,
        ref="RPT113",
    )
    holds = not seen.problems and bool(due)
    return Check(holds, [proof, *seen.notes], seen.problems, pending, pace(facts, due, pending))


def _district_month(
    facts: RoundFacts, seen: Approvals, district: Office, month: Period, corrected: set
) -> None:
    where = f"{district.code} {district.name_th} {month.name_th}"
    where_en = f"{district.code} {month.name_en}"
    versions = ledger_evidence.monthly_versions(facts.conn, district.code, str(month))
    if not versions:
        seen.fail(
            "approval-no-data",
            f"{where}: ไม่มีข้อมูลให้ตรวจ",
            f"{where_en}: nothing to approve",
            district.code,
            month,
        )
        return
    reviewed = next((v for v in versions if v.file_id not in corrected), versions[-1])
    if reviewed.id != versions[0].id:
        seen.notes.append(
            Proof(
                "fact",
                f"{where}: แก้ไขหลังปิดงวดตามบันทึกขออนุมัติ นับการอนุมัติฉบับที่ {reviewed.version}",
                f"{where_en}: corrected after the lock under a memo; version {reviewed.version}'s approval counts",
                at=versions[0].accepted_at,
            )
        )
    verdicts = workflow.verdicts(facts.conn, reviewed)
    if not verdicts:
        seen.fail(
            "approval-missing",
            f"{where}: ยังไม่มีกลุ่ม/ฝ่ายอนุมัติ",
            f"{where_en}: no section has approved it",
            district.code,
            month,
        )
        return
    failed = [_section_fails(facts, seen, s, v, district, month) for s, v in verdicts.items()]
    seen.approved += not any(failed)


def _section_fails(
    facts: RoundFacts, seen: Approvals, section: str, verdict, district: Office, month: Period
) -> bool:
    """One section's verdict on a district-month: counted, or a problem added (True)."""
    where = f"{district.code} {district.name_th} {month.name_th}"
    where_en = f"{district.code} {month.name_en}"
    name = facts.section_name(section)
    if verdict.state != "approved" or verdict.review is None:
        state_th = "ส่งกลับให้แก้ไข" if verdict.state == "returned" else "ยังไม่อนุมัติ"
        seen.fail(
            "approval-missing",
            f"{where}: {name} {state_th}",
            f"{where_en}: {section} has not approved it ({verdict.state})",
            district.code,
            month,
        )
        return True
    window, decided = facts.calendar(month).review, verdict.review.decided_at
    if not (window.opens <= decided < window.closes):
        seen.fail(
            "approval-late",
            f"{where}: {name} อนุมัติเมื่อ {moment_th(decided)} นอกช่วงตรวจสอบ "
            f"{date_th(window.first, short=True)} – {date_th(window.last, short=True)}",
            f"{where_en}: {section} approved on {moment_en(decided)}, outside the review window "
            f"{date_en(window.first)} – {date_en(window.last)}",
            district.code,
            month,
        )
        return True
    seen.decisions += 1
    seen.latest = decided if seen.latest is None or decided > seen.latest else seen.latest
    return False


# -- level 5: complete, on time, confirmed, no correction to the centre -------------------------


def complete_on_time(facts: RoundFacts) -> Check:
    entered, confirmable = facts.due("entry"), facts.due("confirm")
    pending = facts.pending("confirm")  # the later stage: its months are the last to be due
    problems, late = _offices_on_time(facts, entered)
    confirmed, more = _confirmations(facts, confirmable)
    problems += more
    count = len(facts.reporting) * len(entered)
    summary = Proof(
        "fact",
        f"ข้อมูล {len(facts.reporting)} หน่วยงาน × {len(entered)} เดือน{so_far(pending)[0]} = {count} งวด "
        f"ส่งช้า {late} งวด",
        f"{len(facts.reporting)} offices × {len(entered)} months{so_far(pending)[1]} = {count}, {late} late",
        at=facts.latest_result(),
        ref="RPT113",
    )
    holds = not problems and bool(confirmable)
    return Check(holds, [summary, *confirmed], problems, pending, pace(facts, confirmable, pending))


def _offices_on_time(facts: RoundFacts, months: list[Period]) -> tuple[list[Problem], int]:
    problems, late = [], 0
    for month in months:
        have = facts.monthly(month)
        for office in facts.reporting:
            fact = have.get(office.code)
            if fact is None:
                problems.append(
                    Problem(
                        "office-month-missing",
                        f"{office.code} {office.name_th}: ไม่มีข้อมูลเดือน{month.name_th}",
                        f"{office.code}: nothing for {month.name_en}",
                        office.code,
                        str(month),
                    )
                )
            elif fact.late:
                late += 1
                problems.append(
                    Problem(
                        "office-late",
                        f"{office.code} {office.name_th}: ข้อมูลเดือน{month.name_th} ส่งช้า "
                        f"(รับเมื่อ {moment_th(fact.accepted_at)})",
                        f"{office.code}: {month.name_en} arrived late ({moment_en(fact.accepted_at)})",
                        office.code,
                        str(month),
                    )
                )
    return problems, late


def _confirmations(facts: RoundFacts, months: list[Period]) -> tuple[list[Proof], list[Problem]]:
    proofs, problems = [], []
    for month in months:
        confirmed, at = ledger_evidence.confirmed_at(facts.conn, facts.office, str(month))
        strategy = facts.calendar(month).strategy
        if confirmed is None or at is None:
            problems.append(
                Problem(
                    "month-not-confirmed",
                    f"จังหวัดยังไม่ยืนยันข้อมูลเดือน{month.name_th} ต่อส่วนกลาง (EOP018/EOP019)",
                    f"the province has not confirmed {month.name_en} to the centre (EOP018/EOP019)",
                    facts.office,
                    str(month),
                )
            )
        elif at >= strategy.closes:
            problems.append(
                Problem(
                    "confirmed-late",
                    f"จังหวัดยืนยันเดือน{month.name_th} เมื่อ {moment_th(at)} หลังกำหนด "
                    f"{date_th(strategy.last, short=True)}",
                    f"the province confirmed {month.name_en} on {moment_en(at)}, after {date_en(strategy.last)}",
                    facts.office,
                    str(month),
                )
            )
        else:
            proofs.append(
                Proof(
                    "fact",
                    f"จังหวัดยืนยันข้อมูลเดือน{month.name_th} ต่อส่วนกลาง",
                    f"{month.name_en} confirmed to the centre",
                    at=at,
                    ref=confirmed.file_name,
                )
            )
    return proofs, problems


def no_correction_to_centre(facts: RoundFacts) -> Check:
    offices = {o.code for o in facts.reporting} | {facts.office}
    problems, inside = [], 0
    for month in facts.months:
        for row in workflow.list_corrections(facts.conn, period=str(month)):
            if row["office"] not in offices:
                continue
            if not row["to_centre"]:
                inside += 1
                continue
            problems.append(
                Problem(
                    "correction-to-centre",
                    f"{row['office']} เดือน{month.name_th}: ขอแก้ไขข้อมูลไปยังกองแผนงาน "
                    f"ตามบันทึกที่ {row['memo_number']} ({row['approved_by']})",
                    f"{row['office']} {month.name_en}: correction sent to the Planning Division, memo {row['memo_number']}",
                    row["office"],
                    str(month),
                )
            )
    proof = Proof(
        "fact",
        f"ไม่มีการขอแก้ไขข้อมูลไปยังกองแผนงาน (แก้ไขภายในจังหวัด {inside} ครั้ง)",
        f"no correction sent to the Planning Division ({inside} corrected inside the province)",
    )
    pending = facts.pending("confirm")  # a month can still be corrected until it is locked
    return Check(not problems, [] if problems else [proof], problems, pending)


FACT_CHECKS: dict[str, Callable[[RoundFacts], Check]] = {
    "targets-set": targets_set,
    "allocation-accepted": allocation_accepted,
    "districts-recorded": districts_recorded,
    "approved-in-window": approved_in_window,
    "complete-on-time": complete_on_time,
    "no-correction-to-centre": no_correction_to_centre,
}
