"""A province's batch shared out to worker processes by district (issue 11): its files stay in
order office by office, so versions, replacements and answers are those of one process."""

from __future__ import annotations

from collections import defaultdict

import pytest
from conftest import DISTRICTS, drop, fill_month, process, sent_mail

from eop.workers import shares_by_province
from ledger import records

VERSIONS = 2


def _offices_in_one_share(shares: list[list[int]], office_of: dict[int, str]) -> bool:
    home = {office_of[item]: i for i, share in enumerate(shares) for item in share}
    return all(home[office_of[item]] == i for i, share in enumerate(shares) for item in share)


def test_a_province_of_district_workbooks_is_shared_out_by_district(demo_config_path):
    from eop.config import load_config

    config = load_config(demo_config_path)
    items = [(n, DISTRICTS[n % 13]) for n in range(39)]  # three versions from each district
    shares = shares_by_province(config, items, 2)
    office_of = dict(items)
    assert len(shares) == 2 and sorted(sum(shares, [])) == list(range(39))
    assert all(share == sorted(share) for share in shares)  # each in the order dropped
    assert _offices_in_one_share(shares, office_of)
    assert abs(len(shares[0]) - len(shares[1])) <= 3


@pytest.mark.parametrize("whose", ["province", "section"])
def test_a_province_whose_own_or_sections_workbook_is_in_the_batch_stays_whole(
    demo_config_path, whose
):
    from eop.config import load_config

    config = load_config(demo_config_path)
    own = "71" if whose == "province" else config.sections[0].code
    items = [(n, DISTRICTS[n % 13]) for n in range(26)] + [(26, own)]
    assert shares_by_province(config, items, 2) == [list(range(27))]


def test_a_provinces_versions_judged_in_two_workers_replace_each_other_in_order(
    march, tmp_path, monkeypatch
):
    monkeypatch.setenv("EOP_WORKERS", "2")
    before = len(sent_mail(march))
    for version in range(1, VERSIONS + 1):
        for office in DISTRICTS:
            quantities = {"A101": version, "A102": 10 * version}
            if version == 1 and office == DISTRICTS[0]:
                quantities["A101"] = -5  # rejected: no negative quantity
            filled = fill_month(
                march, office, "2558-03", tmp_path / f"{office}-{version}.xlsx", quantities
            )
            drop(march, office, filled, f"{office}-v{version}.xlsx")
    report = process(march)
    assert len(report.verdicts) == 13 * VERSIONS == report.answered == report.sent
    with march.ledger.atomic() as conn:
        rows = [records.file_row(conn, v.file_id) for v in report.verdicts]
        versions = defaultdict(list)
        for row in sorted(rows, key=lambda r: r.id):
            if row.submission_id is not None:
                versions[row.office].append(records.submission(conn, row.submission_id))
    assert sorted(versions) == DISTRICTS
    for office, submissions in versions.items():
        numbers = [s.version for s in submissions]
        assert numbers == ([1] if office == DISTRICTS[0] else [1, 2]), (office, numbers)
        assert all(
            later.replaces == earlier.id for earlier, later in zip(submissions, submissions[1:])
        )
    mails = sent_mail(march)
    assert len(mails) - before == 13 * VERSIONS  # one answer each
    assert len({m["Message-ID"] for m in mails}) == len(mails)
