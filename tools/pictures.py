"""Every kind of artifact of the demo as pictures, to look at before a change lands.

    .venv/bin/python tools/pictures.py [--demo demo] [--out pictures] [--readme docs/pictures]

Workbooks (each kind, and a returned one with its findings) go through LibreOffice → PDF →
pdftoppm; every PDF's first pages through pdftoppm; each kind of mail's HTML through
headless Chromium. Thai is drawn with Sarabun (the font the reports embed), which the
workbooks' Tahoma is mapped to here: the machine has no Tahoma. `--readme` also writes the
few small pictures the README shows. Not part of the product: a tool beside it (make pictures).
"""

from __future__ import annotations

import argparse
import email
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from email import policy
from pathlib import Path

KINDS = ("monthly", "allocation", "review", "confirm", "targets", "correction")
PAGES = 2  # first pages of each PDF
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def fonts_config(work: Path) -> Path:
    """A fontconfig file: the system's, plus Sarabun, which stands in for Tahoma."""
    import fontpkg_sarabun

    folder = Path(fontpkg_sarabun.__file__).parent / "files"
    conf = work / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>"
        f"<dir>{folder}</dir><cachedir>{work / 'fc-cache'}</cachedir>"
        "<alias binding='same'><family>Tahoma</family><prefer><family>Sarabun</family></prefer></alias>"
        "<alias><family>sans-serif</family><prefer><family>Sarabun</family></prefer></alias>"
        "</fontconfig>",
        encoding="utf-8",
    )
    return conf


def kind_of(workbook: Path) -> str | None:
    """The kind written in a workbook's hidden `_meta` sheet (None: not one of ours)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(workbook, read_only=True)
        meta = dict(book["_meta"].iter_rows(values_only=True, max_col=2))
        return str(meta.get("kind"))
    except Exception:  # noqa: BLE001 — a stray file is simply not pictured
        return None


def issue_targets(demo: Path, var: Path) -> None:
    """The demo takes its targets from config; a targets workbook is issued here to be seen."""
    if not any(kind_of(p) == "targets" for p in var.glob("share/*/returned/*.xlsx")):
        eop = Path(sys.executable).with_name("eop")
        subprocess.run(
            [str(eop), "--config", str(demo / "config.yaml"), "issue", "targets"]
            + ["--office", "71", "--no-mail"],
            check=True,
            capture_output=True,
        )


def pick_workbooks(var: Path) -> dict[str, Path]:
    """The newest workbook of each kind as issued, and the newest returned with its findings."""
    picked: dict[str, Path] = {}
    newest_first = sorted(var.glob("share/*/returned/*.xlsx"), key=lambda p: -p.stat().st_mtime)
    for path in newest_first:
        if "ผลการตรวจ" in path.name:
            picked.setdefault("returned", path)
            continue
        kind = kind_of(path)
        if kind in KINDS and kind not in picked:
            picked[kind] = path
    return picked


def pdf_pages(pdf: Path, out: Path, stem: str, pages: int = PAGES, dpi: int = 110) -> list[Path]:
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            str(pages),
            str(pdf),
            str(out / stem),
        ],
        check=True,
    )
    return sorted(out.glob(f"{stem}*.png"))


def workbooks(var: Path, out: Path, work: Path, env: dict) -> list[Path]:
    made = []
    profile = (work / "lo-profile").as_uri()
    for name, path in pick_workbooks(var).items():
        folder = work / f"wb-{name}"
        folder.mkdir()
        source = folder / f"{name}.xlsx"
        shutil.copy(path, source)
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
            + ["--outdir", str(folder), str(source)],
            check=True,
            env=env,
            capture_output=True,
            timeout=300,
        )
        shutil.copy(folder / f"{name}.pdf", out / f"workbook-{name}.pdf")
        made += pdf_pages(folder / f"{name}.pdf", out, f"workbook-{name}", pages=3)
    return made


def pdfs(var: Path, out: Path) -> list[Path]:
    """Every PDF's first pages: the reports (one of each code) and the evidence documents."""
    made, seen = [], set()
    for pdf in sorted(var.glob("reports/**/*.pdf")) + sorted(var.glob("evidence/**/*.pdf")):
        key = pdf.stem.split("-")[0] if pdf.stem.startswith("RPT") else pdf.stem
        if key in seen:
            continue
        seen.add(key)
        made += pdf_pages(pdf, out, f"pdf-{key}")
    return made


def mails(var: Path, out: Path, work: Path, env: dict) -> list[Path]:
    """Each kind of mail's HTML part, as the first one of that kind sent shows it."""
    made = []
    with sqlite3.connect(var / "eop.sqlite3") as conn:
        rows = conn.execute(  # a month's mail first (a receipt of a monthly report, not of the allocation)
            "SELECT kind, spool_path FROM outbox WHERE state = 'sent' "
            "ORDER BY kind, subject GLOB '*25[0-9][0-9]-[0-9][0-9]*' DESC, id"
        ).fetchall()
    rows = list({kind: spool for kind, spool in reversed(rows)}.items())
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium): mails drawn by WeasyPrint")
    for kind, spool in rows:
        message = email.message_from_bytes((var / spool).read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("html",))
        if body is None:
            continue
        page = work / f"mail-{kind}.html"
        page.write_text(body.get_content(), encoding="utf-8")
        shot = out / f"mail-{kind}.png"
        if chromium is None:
            made += _weasyprint_shot(page, out, f"mail-{kind}", env)
            continue
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'chromium'}"]
            + ["--window-size=900,1300", f"--screenshot={shot}", page.as_uri()],
            check=True,
            env=env,
            capture_output=True,
            timeout=120,
        )
        made.append(shot)
    return made


def _weasyprint_shot(page: Path, out: Path, stem: str, env: dict) -> list[Path]:
    """A mail's HTML drawn without a browser: WeasyPrint to PDF, then its pages as PNG."""
    pdf = page.with_suffix(".pdf")
    weasyprint = Path(sys.executable).with_name("weasyprint")
    subprocess.run([str(weasyprint), str(page), str(pdf)], check=True, env=env, capture_output=True)
    return pdf_pages(pdf, out, stem, pages=2, dpi=90)


README_PICTURES = {  # docs/pictures/NAME: the picture it is made from
    "issued-workbook.png": "workbook-monthly-*1.png",
    "returned-workbook.png": "workbook-returned-*1.png",
    "receipt-mail.png": "mail-receipt*.png",
    "report-page.png": "pdf-RPT111-*1.png",
    "packet-cover.png": "pdf-evidence-*-*1.png",
}
README_LIMIT = 150_000  # bytes a README picture may take
README_CLOSER = {  # wide pages: rendered again sharper, and only their left part shown
    "returned-workbook.png": ("workbook-returned.pdf", 0.6),
}


def trimmed(image):
    """Without the empty margin below and right of the content (the corner's colour)."""
    from PIL import Image, ImageChops

    background = image.getpixel((image.width - 1, image.height - 1))
    box = ImageChops.difference(image, Image.new("RGB", image.size, background)).getbbox()
    if box is None:
        return image
    return image.crop(
        (
            max(0, box[0] - 20),
            max(0, box[1] - 20),
            min(image.width, box[2] + 20),
            min(image.height, box[3] + 20),
        )
    )


def readme_pictures(pictures: Path, docs: Path) -> None:
    """Small copies for the README: 900 px wide at most, in 64 colours (text stays sharp)."""
    from PIL import Image

    docs.mkdir(parents=True, exist_ok=True)
    for name, source in README_PICTURES.items():
        found = sorted(pictures.glob(source))
        if not found:
            print(f"no {source}: {name} not made")
            continue
        image = trimmed(Image.open(found[0]).convert("RGB"))
        if name in README_CLOSER:
            pdf, part = README_CLOSER[name]
            (sharp,) = pdf_pages(pictures / pdf, docs.parent, "closer", pages=1, dpi=240)
            image = trimmed(Image.open(sharp).convert("RGB"))
            image = image.crop((0, 0, round(image.width * part), image.height))
            sharp.unlink()
        if image.width > 900:
            image = image.resize((900, round(image.height * 900 / image.width)), Image.LANCZOS)
        image = image.quantize(colors=64)
        image.save(docs / name, optimize=True)
        size = (docs / name).stat().st_size
        print(
            f"{docs / name}: {size // 1000} KB{'  (over the limit!)' if size > README_LIMIT else ''}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, default=Path("demo"))
    parser.add_argument("--out", type=Path, default=Path("pictures"))
    parser.add_argument("--readme", type=Path, default=None)
    args = parser.parse_args(argv)
    if not (args.demo / "var" / "eop.sqlite3").exists():
        eop = Path(sys.executable).with_name("eop")
        subprocess.run([str(eop), "demo", "--workdir", str(args.demo)], check=True)
    var = args.demo / "var"
    issue_targets(args.demo, var)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="pictures-") as tmp:
        work = Path(tmp)
        env = {**__import__("os").environ, "FONTCONFIG_FILE": str(fonts_config(work))}
        made = workbooks(var, args.out, work, env) + pdfs(var, args.out)
        made += mails(var, args.out, work, env)
    print(f"{len(made)} pictures in {args.out}/")
    if args.readme:
        readme_pictures(args.out, args.readme)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
