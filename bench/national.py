"""A national deployment for the benchmark: 77 provinces, their 878 districts, about 60
activities, targets, five months of history and one month of filled workbooks.

Everything is made by the product's own parts: the config is an ordinary `config.yaml`,
the monthly workbooks are issued by `jobs.issue.issue` (our openpyxl builders) and filled
by `simulation.offices.fill_monthly` the way an office types (numbers, numbers as text,
thousands separators, Thai digits, stray spaces, remarks, a few drafts), with a few files
carrying real mistakes. Setup shortcuts, said plainly:
- province targets and the districts' allocated shares are written with
  `ledger.reference.set_targets` (not through 77 allocation workbooks);
- October–February results are written as accepted submissions with `ledger.records`
  (so that March carries cumulative figures and outlier history, as it would mid-year);
- the calendar's jobs due on 25 March 10:00 are recorded as done once March's workbooks
  are issued (only to the offices in the sample).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import yaml

from simulation.country import Province, provinces

HERE = Path(__file__).resolve().parent
FISCAL_YEAR = 2558
PERIOD = "2558-03"  # March 2015: five earlier months in the fiscal year
HISTORY = ["2557-10", "2557-11", "2557-12", "2558-01", "2558-02"]  # October–February, BE
SECTIONS = {
    "S1": ("ฝ่ายบริหารทั่วไป", "General Administration Section"),
    "S2": ("กลุ่มยุทธศาสตร์และสารสนเทศการปศุสัตว์", "Livestock Strategy and Information Group"),
    "S3": ("กลุ่มพัฒนาสุขภาพสัตว์", "Animal Health Development Group"),
    "S4": ("กลุ่มส่งเสริมและพัฒนาการปศุสัตว์", "Livestock Promotion and Development Group"),
    "S5": ("กลุ่มพัฒนาคุณภาพสินค้าปศุสัตว์", "Livestock Product Quality Development Group"),
}
PLANS = {
    "P1": (
        "แผนงานพื้นฐานด้านการพัฒนาและเสริมสร้างศักยภาพคน",
        "Foundation plan: developing people's capacity",
    ),
    "P2": ("แผนงานบริหารจัดการและสนับสนุน", "Management and support plan"),
}
OUTPUTS = {
    "O1": ("ผลผลิตที่ 1 สัตว์ได้รับการป้องกันและควบคุมโรค", "Output 1: animals protected from disease"),
    "O2": (
        "ผลผลิตที่ 2 เกษตรกรได้รับการส่งเสริมและพัฒนาอาชีพด้านปศุสัตว์",
        "Output 2: farmers promoted in livestock",
    ),
    "O3": ("ผลผลิตที่ 3 สินค้าปศุสัตว์ได้รับการรับรองคุณภาพ", "Output 3: livestock products certified"),
    "O4": ("ผลผลิตที่ 4 การบริหารจัดการงานปศุสัตว์", "Output 4: managing livestock work"),
}
MISTAKES = ("not-a-number", "negative", "over-budget")  # what a few offices get wrong
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class ActivitySpec:
    plan: str
    output: str
    code: str
    name_th: str
    name_en: str
    unit: str
    unit_en: str
    whole: bool
    section: str
    quantity: float  # a district's plausible yearly quantity
    budget: float  # … and budget (baht)


@dataclass(frozen=True)
class Workbook:
    """One filled workbook of the sample, and what is wrong with it (None: nothing)."""

    office: str
    province: str
    file: str  # relative to the generated folder
    drop_name: str  # the name the office drops it under
    mistake: str | None


def _rows(name: str) -> Iterator[dict]:
    with (HERE / name).open(encoding="utf-8") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


def activities() -> list[ActivitySpec]:
    return [
        ActivitySpec(
            r["plan"],
            r["output"],
            r["code"],
            r["name_th"],
            r["name_en"],
            r["unit"],
            r["unit_en"],
            r["whole"] == "1",
            r["section"],
            float(r["per_district_quantity"]),
            float(r["per_district_budget"]),
        )
        for r in _rows("activities.csv")
    ]


def districts_of(province: Province) -> list[str]:
    return [f"{province.code}{i:02d}" for i in range(1, province.districts + 1)]


def all_districts() -> list[str]:
    return [d for p in provinces() for d in districts_of(p)]


def sample(n: int) -> list[str]:
    """n districts spread evenly over the country (all 878 when n ≥ 878)."""
    everyone = all_districts()
    if n >= len(everyone):
        return everyone
    return [everyone[(i * len(everyone)) // n] for i in range(n)]


# -- config ---------------------------------------------------------------------------
def national_config(*, stable_seconds: float = 0.0) -> dict:
    """The deployment as `config.yaml` holds it: the department, 77 provinces, 878 districts,
    five sections in every province, people for every office, ~60 activities, file mail."""
    offices = [
        {
            "code": "DLD",
            "level": "department",
            "name_th": "กรมปศุสัตว์ (กองแผนงาน)",
            "name_en": "Department of Livestock Development (Planning Division)",
        }
    ]
    people = [
        {
            "name": "กองแผนงาน กรมปศุสัตว์",
            "email": "planning@dld.example.go.th",
            "office": "DLD",
            "role": "centre",
        }
    ]
    for p in provinces():
        own_th = "สำนักงานปศุสัตว์กรุงเทพมหานคร" if p.code == "10" else f"สำนักงานปศุสัตว์จังหวัด{p.name_th}"
        offices.append(
            {
                "code": p.code,
                "level": "province",
                "parent": "DLD",
                "name_th": own_th,
                "name_en": f"{p.name_en} Provincial Livestock Office",
            }
        )
        people += [
            {
                "name": f"ผู้บันทึก {p.name_th}",
                "email": f"up{p.code}@province.example.go.th",
                "office": p.code,
                "role": "province_recorder",
                "account": f"UP{p.code}",
            },
            {
                "name": f"ผู้วางแผน {p.name_th}",
                "email": f"u{p.code}@province.example.go.th",
                "office": p.code,
                "role": "province_planner",
                "account": f"U{p.code}",
            },
        ]
        for index, code in enumerate(districts_of(p), start=1):
            name_th = (
                f"สำนักงานปศุสัตว์อำเภอเมือง{p.name_th}"
                if index == 1
                else f"สำนักงานปศุสัตว์อำเภอลำดับที่ {index} จังหวัด{p.name_th}"
            )
            name_en = (
                f"Mueang {p.name_en} District Livestock Office"
                if index == 1
                else f"{p.name_en} District {index} Livestock Office"
            )
            offices.append(
                {
                    "code": code,
                    "level": "district",
                    "parent": p.code,
                    "name_th": name_th,
                    "name_en": name_en,
                }
            )
            people.append(
                {
                    "name": f"ปศุสัตว์อำเภอ {code}",
                    "email": f"u{code}@district.example.go.th",
                    "office": code,
                    "role": "district",
                    "account": f"U{code}",
                }
            )
    sections = [  # each province's own, of the five kinds the catalogue names
        {"code": f"{p.code}-{key}", "kind": key, "office": p.code, "name_th": th, "name_en": en}
        for p in provinces()
        for key, (th, en) in SECTIONS.items()
    ]
    plans = []
    for plan_code, (plan_th, plan_en) in PLANS.items():
        outputs = []
        for output_code, (out_th, out_en) in OUTPUTS.items():
            rows = [a for a in activities() if a.plan == plan_code and a.output == output_code]
            if rows:
                outputs.append(
                    {
                        "code": output_code,
                        "name_th": out_th,
                        "name_en": out_en,
                        "activities": [
                            {
                                "code": a.code,
                                "name_th": a.name_th,
                                "name_en": a.name_en,
                                "unit": a.unit,
                                "unit_en": a.unit_en,
                                "whole": a.whole,
                                "section": a.section,
                            }
                            for a in rows
                        ],
                    }
                )
        plans.append(
            {"code": plan_code, "name_th": plan_th, "name_en": plan_en, "outputs": outputs}
        )
    return {
        "deployment_th": "กรมปศุสัตว์ — ทั้งประเทศ (ชุดทดสอบความเร็ว)",
        "deployment_en": "Department of Livestock Development — national (benchmark)",
        "data_root": "var",
        "fiscal_year": FISCAL_YEAR,
        "offices": offices,
        "sections": sections,
        "people": people,
        "mail": {
            "transport": "file",
            "sender": "e-operation@dld.example.go.th",
            "sender_name": "e-Operation Sheets กรมปศุสัตว์",
        },
        "watch": {"mode": "inotify", "poll_seconds": 2, "stable_seconds": stable_seconds},
        "plans": plans,
    }


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    header = "# Generated by bench/national.py: the national benchmark deployment (made-up people and targets).\n"
    path.write_text(
        header + yaml.safe_dump(national_config(), allow_unicode=True, sort_keys=False, width=200),
        encoding="utf-8",
    )
    return path


# -- generation -----------------------------------------------------------------------
def fingerprint(n: int, seed: int) -> str:
    """What the generated files depend on: the sample, the seed, this generator, the data
    files, and the product's builders and template versions."""
    import templates.workbooks as builders
    from eop.layout import TEMPLATE_VERSIONS

    digest = hashlib.sha256(
        json.dumps([n, seed, GENERATOR_VERSION, TEMPLATE_VERSIONS], sort_keys=True).encode()
    )
    from simulation import country

    here = Path(country.__file__).parent
    sources = [HERE / "national.py", here / "provinces.csv", HERE / "activities.csv"]
    sources += sorted(Path(builders.__file__).parent.glob("*.py"))
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def generate(
    folder: Path, *, workbooks: int, seed: int = 2558, jobs: int = 2, log=print
) -> list[Workbook]:
    """Make (or reuse) the deployment in `folder`: config.yaml, var/ (ledger, share, issued
    workbooks) and filled/ (the sample's filled workbooks); returns the sample."""
    manifest = folder / "manifest.json"
    mark = fingerprint(workbooks, seed)
    if manifest.exists():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        if saved.get("fingerprint") == mark:
            return [Workbook(**w) for w in saved["workbooks"]]
    if folder.exists():
        shutil.rmtree(folder)
    started = datetime.now()
    from eop.clock import BANGKOK, Clock
    from eop.config import load_config
    from jobs.deployment import open_deployment

    config = load_config(write_config(folder))
    deployment = open_deployment(config, Clock(datetime(2014, 10, 1, 9, tzinfo=BANGKOK)))
    offices = sample(workbooks)
    rng = random.Random(seed)
    log(f"  generating {len(offices)} workbooks of {len(all_districts())} districts into {folder}")
    allocated = _targets(deployment, offices, rng)
    _history(deployment, offices, allocated, rng)
    _issue(deployment, offices, log)
    chosen = _fill(deployment, folder, offices, allocated, rng, jobs)
    deployment.ledger.close()
    _checkpoint(deployment.ledger.path)
    manifest.write_text(
        json.dumps(
            {"fingerprint": mark, "workbooks": [asdict(w) for w in chosen]},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    log(f"  generated in {(datetime.now() - started).total_seconds():.0f}s")
    return chosen


def _targets(
    deployment, offices: list[str], rng: random.Random
) -> dict[str, dict[str, tuple[float, float]]]:
    """Province targets for all 77 provinces; the shares of the sample's districts (and of
    their province offices). Returns office → activity → (quantity, budget) allocated."""
    from ledger.reference import set_targets

    now = deployment.now()
    catalogue = activities()
    in_sample = set(offices)
    allocated: dict[str, dict[str, tuple[float, float]]] = {}
    with deployment.ledger.atomic() as conn:
        for p in provinces():
            members = [p.code, *districts_of(p)]
            shares = {}
            for office in members:
                size = rng.uniform(0.6, 1.4) * (1.5 if office == p.code else 1.0)
                shares[office] = {
                    a.code: (
                        float(round(a.quantity * size)) if a.whole else round(a.quantity * size, 1),
                        float(round(a.budget * size, -2)),
                    )
                    for a in catalogue
                }
            province_rows = {
                (p.code, a.code): (
                    sum(shares[o][a.code][0] for o in members),
                    sum(shares[o][a.code][1] for o in members),
                )
                for a in catalogue
            }
            set_targets(conn, FISCAL_YEAR, "province", province_rows, source="bench", at=now)
            chosen = [
                o for o in members if o in in_sample or (o == p.code and in_sample & set(members))
            ]
            rows = {(o, code): value for o in chosen for code, value in shares[o].items()}
            if rows:
                set_targets(conn, FISCAL_YEAR, "allocated", rows, source="bench allocation", at=now)
            allocated.update({o: shares[o] for o in chosen})
    return allocated


def _month(
    allocated: dict[str, tuple[float, float]], whole: dict[str, bool], rng: random.Random
) -> dict[str, tuple[float, float]]:
    figures = {}
    for code, (quantity, budget) in allocated.items():
        q = quantity / 12 * rng.uniform(0.6, 1.3)
        figures[code] = (
            float(round(q)) if whole[code] else round(q, 1),
            round(budget / 12 * rng.uniform(0.5, 1.1), 2),
        )
    return figures


def _history(deployment, offices: list[str], allocated: dict, rng: random.Random) -> None:
    """October–February accepted for the sample's districts (one archived-file record each)."""
    from eop.clock import BANGKOK
    from ledger import records

    whole = {a.code: a.whole for a in activities()}
    with deployment.ledger.atomic() as conn:
        for index, period in enumerate(HISTORY):
            year, month = (2014, 10 + index) if index < 3 else (2015, index - 2)
            at = datetime(year, month, 25, 10, tzinfo=BANGKOK)
            for office in offices:
                file_id = records.record_file(
                    conn,
                    sha256=f"history-{office}-{period}",
                    name=f"history-{office}-{period}.xlsx",
                    office=office,
                    size=0,
                    dropped_mtime=0.0,
                    received_at=at,
                    archive_path="",
                )
                added = records.add_submission(
                    conn,
                    office=office,
                    kind="monthly",
                    period=period,
                    file_id=file_id,
                    state="submitted",
                    reporter="history",
                    late=False,
                    at=at,
                )
                records.store_judgement(
                    conn,
                    file_id,
                    status="accepted",
                    at=at,
                    found=[],
                    kind="monthly",
                    period=period,
                    template_version="2558.1",
                    submission_id=added.id,
                    answered_at=at,
                )
                figures = _month(allocated[office], whole, rng)
                records.add_results(
                    conn,
                    added.id,
                    [
                        {"activity": c, "quantity": q, "spending": s, "remark": ""}
                        for c, (q, s) in figures.items()
                    ],
                )


def _issue(deployment, offices: list[str], log) -> None:
    """March's workbooks, by the product's issuing code; then the jobs due at the drop time
    are recorded as done, so that the timed pass does only what the files bring."""
    from eop.clock import BANGKOK
    from jobs.issue import issue
    from ledger import records
    from service.calendar import JOBS

    deployment.clock.set(datetime(2015, 3, 25, 8, tzinfo=BANGKOK))
    for count, office in enumerate(offices, start=1):
        issue(deployment, "monthly", office, PERIOD, mail=False)
        if count % 100 == 0:
            log(f"    issued {count}")
    deployment.clock.set(drop_time())
    for job in JOBS:
        keys = job.due(deployment)
        for key in [keys] if isinstance(keys, str) else keys or []:
            with deployment.ledger.atomic() as conn:
                if not records.job_done(conn, job.name, key):
                    records.mark_job_done(conn, job.name, key, deployment.now())


def drop_time() -> datetime:
    from eop.clock import BANGKOK

    return datetime(2015, 3, 25, 10, tzinfo=BANGKOK)


def _typed(value: float, rng: random.Random) -> object:
    """As people type: mostly numbers, some text with separators, Thai digits, spaces."""
    from eop.thai import to_thai_digits

    plain = str(int(value)) if float(value).is_integer() else str(value)
    style = rng.random()
    if style < 0.10 and value >= 1000:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    if style < 0.16:
        return to_thai_digits(plain)
    if style < 0.22:
        return f" {plain} "
    if style < 0.26:
        return plain  # a number stored as text
    return value


def _fill(
    deployment, folder: Path, offices: list[str], allocated: dict, rng: random.Random, jobs: int
) -> list[Workbook]:
    from eop.layout import CONFIRM_DRAFT, CONFIRM_SEND
    from eop.periods import Period
    from intake.folders import returned_dir
    from jobs.issue import workbook_name
    from ledger import views

    whole = {a.code: a.whole for a in activities()}
    out_dir = folder / "filled"
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks, chosen = [], []
    with deployment.ledger.atomic() as conn:
        plans = {
            office: {
                line.code: line
                for line in views.office_month_plan(conn, office, Period.parse(PERIOD))
            }
            for office in offices
        }
    for index, office in enumerate(offices):
        figures = _month(allocated[office], whole, rng)
        quantities = {code: _typed(q, rng) for code, (q, _) in figures.items()}
        spending = {
            code: (s if rng.random() < 0.9 else _typed(s, rng)) for code, (_, s) in figures.items()
        }
        codes = list(figures)
        remarks = {rng.choice(codes): "ดำเนินการร่วมกับอาสาปศุสัตว์"} if rng.random() < 0.3 else {}
        mistake = MISTAKES[(index // 33) % len(MISTAKES)] if index % 33 == 5 else None
        code = rng.choice(codes)
        if mistake == "not-a-number":
            quantities[code] = "12,5O0"  # a letter O for a zero
        elif mistake == "negative":
            quantities[code] = -5
        elif mistake == "over-budget":
            line = plans[office][code]
            spending[code] = round(line.budget - line.spent_prev + 10_000, 2)
        if index % 50 == 7:  # a big month: cumulative over 150% of the target (a warning only)
            line = plans[office][code]
            quantities[code] = (
                float(round(line.target * 1.6)) if whole[code] else round(line.target * 1.6, 1)
            )
        confirm = CONFIRM_DRAFT if index % 40 == 11 else CONFIRM_SEND
        issued = returned_dir(deployment.root, office) / workbook_name("monthly", office, PERIOD)
        target = out_dir / f"{office}.xlsx"
        tasks.append((issued, target, quantities, spending, remarks, confirm, f"เจ้าหน้าที่ {office}"))
        chosen.append(
            Workbook(
                office,
                office[:2],
                str(target.relative_to(folder)),
                f"รายงาน-{office}-{PERIOD}.xlsx",
                mistake,
            )
        )
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(_fill_one, tasks, chunksize=16))
    return chosen


def _fill_one(task: tuple) -> None:
    from simulation.offices import fill_monthly

    issued, target, quantities, spending, remarks, confirm, reporter = task
    fill_monthly(
        issued,
        target,
        quantities=quantities,
        spending=spending,
        remarks=remarks,
        confirm=confirm,
        reporter=reporter,
    )


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the database file, so that copying the file copies the ledger."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_deployment(generated: Path, run: Path) -> Path:
    """A fresh copy of the generated deployment (ledger, share folders, config) for one run."""
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    shutil.copy(generated / "config.yaml", run / "config.yaml")
    # generate() folded the WAL into the ledger file; a -wal/-shm left by a reader that is
    # closing as we copy holds nothing and may vanish mid-copy
    shutil.copytree(
        generated / "var",
        run / "var",
        ignore=shutil.ignore_patterns("*.sqlite3-wal", "*.sqlite3-shm"),
    )
    return run / "config.yaml"
