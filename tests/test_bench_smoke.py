"""The national benchmark, run small: every step works and both approaches agree on which
files are wrong. No timing is asserted (figures come from `make bench`, not from tests)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # bench/ is not packaged; the product still comes from the wheel


def test_provinces_and_districts_are_the_geocode_counts():
    from bench.national import all_districts, provinces

    assert len(provinces()) == 77
    assert len(all_districts()) == 878
    assert [d for d in all_districts() if d.startswith("71")] == [
        f"71{i:02d}" for i in range(1, 14)
    ]


def test_benchmark_smoke(tmp_path: Path):
    from bench.run import main

    results = tmp_path / "RESULTS.md"
    assert (
        main(
            [
                "--workbooks",
                "10",
                "--scaling",
                "",
                "--provinces",
                "1",
                "--samples",
                "1",
                "--workdir",
                str(tmp_path / "work"),
                "--results",
                str(results),
                "--quiet",
                "--years-held",
                "1",
                "--no-packet",  # it needs the demo deployment (minutes): the bench's own run
            ]
        )
        == 0
    )
    table = results.read_text(encoding="utf-8")
    assert "| plain: read_excel(openpyxl) + pandera + concat/groupby | 10 workbooks |" in table
    assert (
        "| product: intake → validation → ledger" in table
        and "| product: the whole `eop process` pass" in table
    )
    assert "| 10 | the country, March 2558 |" in table  # the whole process, plain and product
    assert "the first in the process (WeasyPrint loaded, fonts parsed) | 1 report |" in table
    # one province asked for (--provinces 1): its two reports drawn five times, nine of them warm
    assert "every report after the first (warm) | 9 reports |" in table
    import json

    summary = json.loads((tmp_path / "work" / "out" / "summary.json").read_text(encoding="utf-8"))
    invalid = summary["invalid"]
    assert invalid["plain"] == invalid["product"] >= 1
    assert invalid["same_files"]
    assert summary["statuses"].get("accepted", 0) + invalid["product"] == 10
    assert summary["totals_match"] in (None, True)
    assert "## A month's pass on a ledger holding whole fiscal years" in table
    assert [r["years"] for r in summary["years"]] == [0, 1]
    if "ledgers" in summary:  # PostgreSQL installed
        assert [r["ledger"] for r in summary["ledgers"]["rows"]] == ["SQLite", "PostgreSQL"]
        assert summary["ledgers"]["same"]
