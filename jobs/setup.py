"""Onboarding from workbooks: issue the setup (or people) workbook, and apply one filled in:
config.yaml rewritten from it, the ledger opened (initialised the first time) and its
reference data synced, an event with who and when, and a receipt listing what changed.

A later version changes offices, sections and people without touching the ledger's history:
events, files and submissions are never rewritten, so a person who leaves keeps their past
events (the people table holds who is there now; the `setup-applied` events hold who was).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import ValidationError

from eop.clock import Clock
from eop.config import CalendarConfig, Config, describe_errors, load_config
from eop.findings import Finding
from eop.settings import MailConfig, WatchConfig
from eop.thai import datetime_th
from intake.setup_book import SetupBook, read_setup
from jobs.deployment import open_deployment
from ledger.db import record_event
from templates.workbooks.setup import build_setup
from validators.catalogue import finding
from validators.setup import SetupCheck, check_setup

KEYS = {  # what each kind of workbook owns in config.yaml, and the key its items go by
    "offices": "code",
    "sections": "code",
    "people": "email",
    "activities": "code",
}


@dataclass
class Receipt:
    kind: str
    applied: bool
    findings: list[Finding] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, change, which)
    config_path: Path | None = None

    def lines(self, actor: str, at: datetime) -> list[str]:
        """The receipt an officer reads: Thai first, English beneath, one change a line."""
        if not self.applied:
            head = ["ตั้งค่าไม่สำเร็จ แก้ไขตามรายการแล้วส่งอีกครั้ง — not applied; fix these and send again:"]
            return head + [f"  {f.message_th}\n    {f.message_en}" for f in self.findings]
        head = [
            f"ตั้งค่าแล้ว โดย {actor} เมื่อ {datetime_th(at)} — applied by {actor} at {at:%Y-%m-%d %H:%M}",
            f"  config: {self.config_path}",
        ]
        if not self.changes:
            return head + ["  ไม่มีการเปลี่ยนแปลง — nothing changed"]
        words = {"added": "เพิ่ม", "removed": "ลบ", "changed": "แก้ไข"}
        return head + [f"  {words[c]} / {c} {what}: {which}" for what, c, which in self.changes]


def issue_setup(
    out: Path, *, kind: str, config: Config | None, fiscal_year: int, now: datetime
) -> Path:
    """The workbook to fill, pre-filled from the config in use when there is one."""
    province = next((o.code for o in config.provinces()), "") if config else ""
    return build_setup(
        out, kind=kind, config=config, fiscal_year=fiscal_year, issued_at=now, province=province
    )


def apply_file(
    config_path: Path, path: Path, *, actor: str, clock: Clock, expect: str | None = None
) -> Receipt:
    """Read, check and apply a filled setup/people workbook."""
    current = load_config(config_path) if config_path.exists() else None
    book = read_setup(path, current.limits if current else None)
    if expect and book.rows is not None and book.rows.kind != expect:
        book.findings.append(finding("unknown-kind", value=book.rows.kind, expected=expect))
        book.rows = None
    return apply_book(config_path, book, actor=actor, clock=clock)


def apply_book(config_path: Path, book: SetupBook, *, actor: str, clock: Clock) -> Receipt:
    current = load_config(config_path) if config_path.exists() else None
    if book.rows is None:
        return Receipt(book.meta.get("kind", "?"), False, book.findings)
    known = {
        "offices": {o.code for o in current.offices} if current else set(),
        "sections": set(current.section_codes) if current else set(),
    }
    check = check_setup(book.rows, known)
    receipt = Receipt(book.rows.kind, False, check.findings)
    if not check.ok:
        return receipt
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8")) if current else {}
    new_raw = merged(raw or {}, check, book.rows.kind)
    try:
        config = Config.model_validate({**new_raw, "source": config_path.absolute()})
    except ValidationError as exc:
        text = describe_errors(config_path, exc).replace("\n", " ")
        receipt.findings.append(finding("setup-not-applied", value=text))
        return receipt
    receipt.changes = changes(raw or {}, new_raw)
    write_config(config_path, new_raw, clock.now())
    deployment = open_deployment(config, clock)  # initialises the ledger the first time
    with deployment.ledger.atomic() as conn:
        record_event(
            conn,
            clock.now(),
            f"{book.rows.kind}-applied",
            actor=actor,
            kind=book.rows.kind,
            file=book.name,
            changes=[list(c) for c in receipt.changes],
        )
    deployment.ledger.close()
    receipt.applied, receipt.config_path = True, config_path
    return receipt


def merged(raw: dict, check: SetupCheck, kind: str) -> dict:
    """The config as it will be: what the workbook owns replaced, everything else kept. A
    first config also spells out the calendar, mail and watch defaults, to be edited."""
    if kind == "people":
        return {**raw, "people": check.people}
    province = next(o for o in check.offices if o["level"] == "province")
    fresh = {
        "deployment_th": province["name_th"],
        "deployment_en": province["name_en"] or province["name_th"],
        "data_root": "var",
    }
    kept_targets = [
        t
        for t in raw.get("targets", [])
        if (t.get("fiscal_year"), str(t.get("office"))) != (check.fiscal_year, province["code"])
    ]
    ours = [{"fiscal_year": check.fiscal_year, "office": province["code"], "rows": check.targets}]
    defaults = {
        name: model().model_dump(mode="json")
        for name, model in (
            ("calendar", CalendarConfig),
            ("mail", MailConfig),
            ("watch", WatchConfig),
        )
    }
    return {
        **fresh,
        **raw,
        "fiscal_year": check.fiscal_year,
        "offices": check.offices,
        "sections": check.sections,
        "people": check.people,
        **({} if raw else defaults),
        "plans": check.plans,
        "targets": kept_targets + (ours if check.targets else []),
    }


def _items(raw: dict, what: str) -> dict[str, dict]:
    if what == "activities":
        found = [a for p in raw.get("plans", []) for o in p["outputs"] for a in o["activities"]]
    else:
        found = raw.get(what, [])
    if what == "people":  # one person may hold several roles: keyed by all three
        return {f"{p['email']} {p['office']} {p['role']}": p for p in found}
    return {str(item[KEYS[what]]): item for item in found}


def changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """What was added, removed or changed, per kind of item, in the order of the workbook;
    on a first setup, how many of each."""
    found = []
    for what in KEYS:
        old, new = _items(before, what), _items(after, what)
        if not before:
            found.append((what, "added", str(len(new))))
            continue
        for key, item in new.items():
            if key not in old:
                found.append((what, "added", _name(item)))
            elif _plain(old[key]) != _plain(item):
                found.append((what, "changed", _name(item)))
        found += [(what, "removed", _name(item)) for key, item in old.items() if key not in new]
    return found


def _plain(item: dict) -> dict:
    return {k: str(v) for k, v in item.items() if v not in (None, "")}


def _name(item: dict) -> str:
    if "email" in item:
        return f"{item['name']} <{item['email']}> {item['office']} {item['role']}"
    return f"{item['code']} {item['name_th']}"


def write_config(path: Path, raw: dict, now: datetime) -> None:
    """Keep the config replaced (setup/config-<when>.yaml), then write the new one atomically."""
    if path.exists():
        kept = path.parent / "setup" / f"config-{now:%Y%m%d-%H%M%S}.yaml"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, kept)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=120)
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
