"""The whole country as one deployment, shaped like the demo province: each of the 77
provinces (provinces.csv: their codes, names and number of districts) gets a province office,
its district offices, the five sections of a province office (each of a kind, S1–S5, so that
one activity catalogue serves every province: district 1001's animal health figures go to
10-S3, 7101's to 71-S3), its people and targets. Kanchanaburi is the demo's own, real names and
all; the others are made up from their province's name. The catalogue, calendar, KPI rounds
and rules are the demo's (eop/kanchanaburi.yaml)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

DEMO_PROVINCE = "71"
KINDS = ("S1", "S2", "S3", "S4", "S5")
REVIEWERS = {  # the demo's reviewers' roles, as a made-up province's people are named
    "S1": "ผู้ตรวจสอบฝ่ายบริหารทั่วไป",
    "S2": "ผู้ตรวจสอบกลุ่มยุทธศาสตร์ฯ",
    "S3": "ผู้ตรวจสอบกลุ่มพัฒนาสุขภาพสัตว์",
    "S4": "ผู้ตรวจสอบกลุ่มส่งเสริมฯ",
    "S5": "ผู้ตรวจสอบกลุ่มพัฒนาคุณภาพสินค้าฯ",
}


@dataclass(frozen=True)
class Province:
    code: str
    name_th: str
    name_en: str
    districts: int


def _rows(name: str) -> Iterator[dict]:
    text = resources.files("simulation").joinpath(name).read_text(encoding="utf-8")
    yield from csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))


def provinces() -> list[Province]:
    return [
        Province(r["code"], r["name_th"], r["name_en"], int(r["districts"]))
        for r in _rows("provinces.csv")
    ]


def chosen(count: int | None) -> list[Province]:
    """`count` provinces spread over the country, Kanchanaburi always among them (None: all)."""
    everyone = provinces()
    if count is None or count >= len(everyone):
        return everyone
    spread = [everyone[((2 * i + 1) * len(everyone)) // (2 * count)] for i in range(count)]
    if all(p.code != DEMO_PROVINCE for p in spread):
        spread[-1] = next(p for p in everyone if p.code == DEMO_PROVINCE)
    return sorted(spread, key=lambda p: p.code)


def demo() -> dict:
    text = resources.files("eop").joinpath("kanchanaburi.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def country_config(count: int | None = None) -> dict:
    """config.yaml's content for the country (or `count` provinces of it)."""
    base = demo()
    config = {
        **base,
        "deployment_th": "กรมปศุสัตว์ — ทั้งประเทศ (จำลอง)",
        "deployment_en": "Department of Livestock Development — the country (simulated)",
        "offices": [base["offices"][0]],
        "sections": [],
        "people": [p for p in base["people"] if p["office"] == "DLD"],
        "targets": [],
        "rounds": [_national(r) for r in base["rounds"]],
        "mail": {**base["mail"], "sender": "e-operation@dld.example.go.th"},
    }
    config["mail"]["sender_name"] = "e-Operation Sheets กรมปศุสัตว์"
    for plan in config["plans"]:
        for output in plan["outputs"]:
            for activity in output["activities"]:
                activity["section"] = _kind(activity["section"])  # 71-S2: S2 in every province
    for province in chosen(count):
        part = _demo_part(base) if province.code == DEMO_PROVINCE else _made_up(base, province)
        for key in ("offices", "sections", "people", "targets"):
            config[key] += part[key]
    return config


def _kind(code: str) -> str:
    """The demo's section codes are the province's and the kind: 71-S3 is S3 (animal health)."""
    return code.split("-")[-1]


def _national(round_: dict) -> dict:
    """A round for every province: its packet prepared by each province's own coordinator."""
    return {k: v for k, v in round_.items() if k not in ("prepared_by", "place_th", "place_en")}


def _demo_part(base: dict) -> dict:
    sections = [{**s, "kind": _kind(s["code"])} for s in base["sections"]]
    return {
        "offices": base["offices"][1:],
        "sections": sections,
        "people": [p for p in base["people"] if p["office"] != "DLD"],
        "targets": base["targets"],
    }


def _made_up(base: dict, p: Province) -> dict:
    demo_sections = {_kind(s["code"]): s for s in base["sections"]}
    sections = [
        {**demo_sections[k], "code": f"{p.code}-{k}", "office": p.code, "kind": k} for k in KINDS
    ]
    return {
        "offices": _offices(p),
        "sections": sections,
        "people": _people(p),
        "targets": [_targets(base["targets"][0], p)],
    }


def _offices(p: Province) -> list[dict]:
    own_th = "สำนักงานปศุสัตว์กรุงเทพมหานคร" if p.code == "10" else f"สำนักงานปศุสัตว์จังหวัด{p.name_th}"
    offices = [
        {
            "code": p.code,
            "level": "province",
            "parent": "DLD",
            "name_th": own_th,
            "name_en": f"{p.name_en} Provincial Livestock Office",
        }
    ]
    for index in range(1, p.districts + 1):
        mueang = index == 1
        offices.append(
            {
                "code": f"{p.code}{index:02d}",
                "level": "district",
                "parent": p.code,
                "name_th": f"สำนักงานปศุสัตว์อำเภอเมือง{p.name_th}"
                if mueang
                else f"สำนักงานปศุสัตว์อำเภอลำดับที่ {index} จังหวัด{p.name_th}",
                "name_en": f"Mueang {p.name_en} District Livestock Office"
                if mueang
                else f"{p.name_en} District {index} Livestock Office",
            }
        )
    return offices


def _people(p: Province) -> list[dict]:
    mail = f"{p.code}.example.go.th"
    people = [
        _person(f"ผู้บันทึก {p.name_th}", f"up{p.code}@{mail}", p.code, "province_recorder"),
        _person(f"ผู้วางแผน {p.name_th}", f"u{p.code}@{mail}", p.code, "province_planner"),
        {
            **_person(f"ผู้ประสานงาน {p.name_th}", f"strategy@{mail}", p.code, "coordinator"),
            "section": f"{p.code}-S2",
        },
    ]
    for kind, title in REVIEWERS.items():
        section = f"{p.code}-{kind}"
        reviewer = _person(f"{title} {p.name_th}", f"{kind.lower()}@{mail}", section, "")
        people.append({**reviewer, "role": "section_reviewer", "section": section})
    people += [
        _person(f"ปศุสัตว์อำเภอ {p.code}{i:02d}", f"u{p.code}{i:02d}@{mail}", f"{p.code}{i:02d}", "")
        | {"role": "district", "account": f"U{p.code}{i:02d}"}
        for i in range(1, p.districts + 1)
    ]
    return people


def _person(name: str, email: str, office: str, role: str) -> dict:
    person = {"name": name, "email": email, "office": office, "role": role}
    if role.startswith("province_"):
        person["account"] = ("UP" if role == "province_recorder" else "U") + office
    return person


def _targets(demo_targets: dict, p: Province) -> dict:
    """The demo's province targets, scaled by the province's offices (Kanchanaburi has 14)."""
    scale = (p.districts + 1) / 14
    rows = [
        {
            "activity": r["activity"],
            "quantity": float(max(1, round(r["quantity"] * scale))),
            "budget": float(round(r["budget"] * scale, -2)),
        }
        for r in demo_targets["rows"]
    ]
    return {**demo_targets, "office": p.code, "rows": rows}


def write_country_config(workdir: Path, count: int | None = None) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "config.yaml"
    header = (
        "# Generated by simulation/country.py: the country shaped like the demo province "
        "(made-up people and targets).\n"
    )
    body = yaml.safe_dump(country_config(count), allow_unicode=True, sort_keys=False, width=200)
    target.write_text(header + body, encoding="utf-8")
    return target
