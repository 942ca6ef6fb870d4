"""The text layer of the product's PDFs (issue 14): what poppler's pdftotext and pypdf read
back from a report is exactly the Thai its HTML held (NFC, white space aside): every tone
mark, ำ against า, thanthakhat, ฤ ฦ, Thai digits, every name of the demo and of the
national benchmark country. The fix leaves the picture as WeasyPrint drew it (pixels
compared), the fonts embedded and subset, and the file valid for qpdf.

Each string is rendered in a row of an RPT report (the product's own template) between
markers `[0001]…[/0001]`, so a reading that loses or adds a mark cannot match elsewhere."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from templates.reports import Column, ReportData, Row, render_html, render_pdf

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # bench/ is not packaged; the product still comes from the wheel

BASES = "กขคงจฉชซญฎฏฐณดตถทนบปผฝพฟภมยรลวศษสหฬอฮ"  # ป ฝ ฟ ฬ: ascenders; ญ ฎ ฏ ฐ: descenders
ABOVE, BELOW, TONES = "ัิีึื", "ุู", "่้๊๋"


def hard_thai() -> list[str]:
    """Every tone mark on every vowel above and below, on every consonant; ำ after each
    tone; thanthakhat, mai taikhu, ฤ ฦ, Thai digits, Thai beside English."""
    found = [b + v + t for b in BASES for v in ABOVE + BELOW for t in TONES]
    found += [b + t + "ำ" for b in BASES for t in TONES] + [b + "ำ" for b in BASES]
    found += [b + t + "า" for b in BASES for t in TONES]  # า next to ำ: never merged
    found += [b + v + "์" for b in "ดทตร" for v in "ิุ"] + [b + "็" for b in "กปฝ"]
    found += [w + t for w in ("เก", "แก", "โก", "ไก", "ใก", "เป") for t in TONES]
    words = (
        "น้ำ ค่ำ ซ้ำ ต่ำ ช้ำ กล้ำ ถ้ำ ทำ กาญจนบุรี ประจำ สำนักงาน ศักดิ์สิทธิ์ จันทร์ ปั้น ฝั่ง"
        " ฟื้นฟู ปิ่นโต ญี่ปุ่น ฐานข้อมูล ปฏิบัติ ฎีกา กฎหมาย ฤดู ฤทธิ์ ฤๅษี ฦๅ อังกฤษ"
        " พฤษภาคม ทฤษฎี ๆ ฯลฯ ๏ ๚ ๛ ๐๑๒๓๔๕๖๗๘๙ ๒๕๕๘ หน้า๑/๒"
    )
    found += words.split()
    found += [
        "สำนักงานปศุสัตว์ (Livestock Office) ๑๒ items",
        "RPT111 รายงานผลการดำเนินงาน Performance",
        "e-Operation Sheets ปีงบประมาณ 2558 fiscal ๒๕๕๘",
        "น้ำหนักผลงาน : ร้อยละ 10 (weight 10 %)",
    ]
    return found


def thai_in(value: object) -> list[str]:
    """Every string holding Thai in a configuration, however deep."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in thai_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in thai_in(v)]
    return [value] if isinstance(value, str) and re.search("[\u0e00-\u0e7f]", value) else []


def demo_names() -> list[str]:
    raw = yaml.safe_load((REPO / "eop" / "kanchanaburi.yaml").read_text(encoding="utf-8"))
    return list(dict.fromkeys(thai_in(raw)))


def national_names() -> list[str]:
    from bench.national import national_config

    return list(dict.fromkeys(thai_in(national_config())))


def report(strings: list[str], *, thai_numerals: bool = False) -> ReportData:
    rows = [Row((f"[{n:04d}]{s}[/{n:04d}]",)) for n, s in enumerate(strings)]
    return ReportData(
        code="RPT111",
        kind="performance",
        title_th="ทดสอบชั้นข้อความภาษาไทย",
        title_en="Thai text layer test",
        office="71",
        office_th="สำนักงานปศุสัตว์จังหวัดกาญจนบุรี",
        office_en="Kanchanaburi Provincial Livestock Office",
        period="2558-03",
        period_th="มีนาคม 2558",
        period_en="March 2558 BE (2015)",
        fiscal_year=2558,
        generated_at=datetime(2015, 4, 1, 10),
        generated_th="1 เม.ย. 2558 10:00",
        generated_en="1 April 2558 BE 10:00",
        columns=[Column("ข้อความ", "text", "text", 80)],
        rows=rows,
        thai_numerals=thai_numerals,
    )


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def read_back(text: str) -> dict[int, str]:
    flat = re.sub(r"\s", "", text)
    return {int(n): body for n, body in re.findall(r"\[(\d{4})\](.*?)\[/\1\]", flat)}


def expected(strings: list[str]) -> dict[int, str]:
    return {n: re.sub(r"\s", "", unicodedata.normalize("NFC", s)) for n, s in enumerate(strings)}


def assert_reads_back(strings: list[str], path: Path) -> None:
    for extract in (pdftotext, pypdf_text):
        got, want = read_back(extract(path)), expected(strings)
        wrong = {n: (want[n], got.get(n)) for n in want if got.get(n) != want[n]}
        assert not wrong, (extract.__name__, len(wrong), list(wrong.items())[:10])


@pytest.fixture(scope="module")
def hard_pdf(tmp_path_factory) -> Path:
    return render_pdf(report(hard_thai()), tmp_path_factory.mktemp("hard") / "RPT111.pdf")


def test_hard_thai_reads_back_exactly(hard_pdf):
    assert_reads_back(hard_thai(), hard_pdf)


def test_every_name_of_the_demo_reads_back_exactly(tmp_path):
    names = demo_names()
    assert "สำนักงานปศุสัตว์อำเภอด่านมะขามเตี้ย" in names and len(names) > 50
    assert_reads_back(names, render_pdf(report(names), tmp_path / "RPT111.pdf"))


def test_every_name_of_the_national_country_reads_back_exactly(tmp_path):
    names = national_names()
    districts = [n for n in names if n.startswith("สำนักงานปศุสัตว์อำเภอ")]
    assert len(districts) == 878
    assert_reads_back(names, render_pdf(report(names), tmp_path / "RPT111.pdf"))


def test_thai_page_numbers_read_back(tmp_path):
    pdf = render_pdf(report(["หน้า"] * 60, thai_numerals=True), tmp_path / "RPT111.pdf")
    flat = re.sub(r"\s", "", pdftotext(pdf))
    assert "หน้า๑/๒—page1/2" in flat and "หน้า๒/๒—page2/2" in flat


def test_the_picture_is_what_weasyprint_drew(hard_pdf, tmp_path):
    """The same report written by WeasyPrint alone, with no text-layer step: every page
    rasterised by pdftoppm is the same, pixel for pixel."""
    from weasyprint import HTML

    plain = tmp_path / "plain.pdf"
    html = render_html(report(hard_thai()), embed_font=True)
    HTML(string=html, base_url=hard_pdf.parent.as_uri() + "/").write_pdf(plain)
    for name, pdf in (("plain", plain), ("fixed", hard_pdf)):
        subprocess.run(["pdftoppm", "-r", "60", str(pdf), str(tmp_path / name)], check=True)
    plain_pages = sorted(tmp_path.glob("plain-*.ppm"))
    fixed_pages = sorted(tmp_path.glob("fixed-*.ppm"))
    assert len(plain_pages) == len(fixed_pages) >= 2
    for before, after in zip(plain_pages, fixed_pages):
        assert before.read_bytes() == after.read_bytes(), after.name


def test_fonts_stay_embedded_and_subset_and_qpdf_finds_nothing(hard_pdf):
    fonts = subprocess.run(
        ["pdffonts", str(hard_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(re.match(r"[A-Z]{6}\+Sarabun", line) for line in fonts), fonts
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts), fonts  # emb sub uni
    check = subprocess.run(["qpdf", "--check", str(hard_pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, (
        check.stdout + check.stderr
    )


def test_a_glyph_that_reads_nothing_has_a_code_pdfjs_skips(hard_pdf):
    """pdf.js (Firefox, and Chromium pages that embed it) reads an empty ToUnicode entry as
    the code itself: such a code must be an invisible format character (category Cf), as
    the NIKHAHIT of กำ is (checked by hand in headless Chromium with pdfjs-dist 5.6)."""
    from pypdf import PdfReader

    empty = []
    for page in PdfReader(hard_pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
            empty += [int(c, 16) for c in re.findall(r"<([0-9a-f]{4})> <>", cmap)]
    assert empty and all(unicodedata.category(chr(code)) == "Cf" for code in empty), empty
