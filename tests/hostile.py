"""Builders of bad files: each writes one file into `folder` and returns its path.

They start from a small valid workbook written by openpyxl and break it the way a
careless office or an attacker would. Everything is deterministic except the
LibreOffice conversions (which need `soffice`) and the encrypted file's random salt.
"""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl

GiB = 1024 * 1024 * 1024
MiB = 1024 * 1024
CENTRAL_ENTRY = struct.Struct("<4s6H3L5H2L")  # a central directory file header, 46 bytes
EOCD = struct.Struct("<4s4H2LH")
XXE = '<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
MINIMAL_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_HEAD = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
)


# -- good files -------------------------------------------------------------------------


def valid_workbook(folder: Path, name: str = "ผลการปฏิบัติงาน.xlsx", sheets: int = 1) -> Path:
    """A small real workbook: Thai text, numbers, a formula (openpyxl writes its strings inline)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ผลการปฏิบัติงาน"
    ws.append(["กิจกรรม", "หน่วย", "เป้าหมาย", "ผลงาน"])
    ws.append(["ฉีดวัคซีนโรคปากและเท้าเปื่อย", "ตัว", 1200, 850])
    ws.append(["รวม", "", "=SUM(C2:C2)", "=SUM(D2:D2)"])
    for i in range(2, sheets + 1):
        wb.create_sheet(f"ชีต{i}")
    path = folder / name
    wb.save(path)
    return path


def soffice_convert(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    """Convert with LibreOffice, with a private profile (parallel jobs must not share one)."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    if not out.exists():
        raise RuntimeError(f"soffice did not write {out}")
    return out


def resaved_by_libreoffice(folder: Path) -> Path:
    src = valid_workbook(_tmp(folder), name="resave.xlsx")
    return soffice_convert(src, "xlsx", folder, folder / "profile")


def workbook_with_nested_zip(folder: Path) -> Path:
    """A valid workbook embedding a zip whose directory declares 1 GiB: fine, as it is never opened."""
    inner = declared_bomb(_tmp(folder)).read_bytes()
    return _rewrite(
        valid_workbook(_tmp(folder)),
        folder / "embedded.xlsx",
        add={"xl/embeddings/package1.bin": inner},
    )


# -- not a zip --------------------------------------------------------------------------


def empty_file(folder: Path) -> Path:
    return _write(folder / "ว่าง.xlsx", b"")


def old_excel(folder: Path) -> Path:
    """A real Excel 97-2003 file converted by LibreOffice, renamed .xlsx."""
    xls = soffice_convert(
        valid_workbook(_tmp(folder), name="old.xlsx"),
        "xls",
        _tmp(folder) / "xls",
        folder / "profile",
    )
    return Path(shutil.copy(xls, folder / "รุ่นเก่า.xlsx"))


def encrypted_workbook(folder: Path, password: str = "1234") -> Path:
    """A password-protected .xlsx: an OLE2 container, as Excel writes it (ECMA-376 agile)."""
    out = io.BytesIO()
    with valid_workbook(_tmp(folder)).open("rb") as f:
        msoffcrypto.format.ooxml.OOXMLFile(f).encrypt(password, out)
    return _write(folder / "มีรหัสผ่าน.xlsx", out.getvalue())


def pdf_renamed(folder: Path) -> Path:
    return _write(folder / "รายงาน.xlsx", MINIMAL_PDF)


def ods_file(folder: Path, name: str = "calc.ods") -> Path:
    """An OpenDocument spreadsheet: `mimetype` stored first, as the format requires."""
    path = folder / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest xmlns:manifest='
                    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>', zipfile.ZIP_DEFLATED)  # fmt: skip
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office='
                    '"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>', zipfile.ZIP_DEFLATED)  # fmt: skip
    return path


def csv_renamed(folder: Path, encoding: str = "utf-8-sig") -> Path:
    rows = 'กิจกรรม,หน่วย,ผลงาน\nฉีดวัคซีน,ตัว,850\nตรวจโรค,ครั้ง,"1,200"\n'
    return _write(folder / f"ส่งออก-{encoding}.xlsx", rows.encode(encoding))


def text_renamed(folder: Path) -> Path:
    return _write(folder / "บันทึก.xlsx", "รายงานผลการปฏิบัติงานเดือนมกราคม\nส่งภายในวันที่ 25\n".encode())


def image_renamed(folder: Path) -> Path:
    return _write(folder / "รูป.xlsx", PNG_HEAD + random.Random(1).randbytes(2000))


def random_bytes(folder: Path) -> Path:
    return _write(folder / "noise.xlsx", random.Random(0).randbytes(4096))


# -- a damaged zip ----------------------------------------------------------------------


def truncated_zip(folder: Path) -> Path:
    data = valid_workbook(_tmp(folder)).read_bytes()
    return _write(folder / "ส่งไม่ครบ.xlsx", data[: len(data) // 2])


def bad_crc(folder: Path) -> Path:
    data = valid_workbook(_tmp(folder)).read_bytes()
    return _write(folder / "crc.xlsx", _patch_central(data, "xl/workbook.xml", crc=0xDEADBEEF))


def forged_small_size(folder: Path) -> Path:
    """A part declaring fewer bytes than it holds: zipfile stops early and the CRC fails."""
    data = valid_workbook(_tmp(folder)).read_bytes()
    return _write(
        folder / "forged.xlsx", _patch_central(data, "xl/worksheets/sheet1.xml", file_size=10)
    )


def zip_encrypted_member(folder: Path) -> Path:
    data = valid_workbook(_tmp(folder)).read_bytes()
    return _write(folder / "zipcrypto.xlsx", _patch_central(data, "xl/workbook.xml", flags=0x1))


# -- unsafe zips ------------------------------------------------------------------------


def zip_bomb(folder: Path, size: int = GiB) -> Path:
    """A valid workbook plus one part of `size` zeros, deflated while streaming (~4 MB on disk)."""
    path = _rewrite(valid_workbook(_tmp(folder)), folder / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/image1.png", "w", force_zip64=size > 2 * GiB) as part:
            chunk = bytes(MiB)
            for _ in range(size // MiB):
                part.write(chunk)
    return path


def declared_bomb(folder: Path) -> Path:
    """A tiny file whose central directory declares a 1 GiB part."""
    data = valid_workbook(_tmp(folder)).read_bytes()
    return _write(
        folder / "declared-bomb.xlsx",
        _patch_central(data, "xl/worksheets/sheet1.xml", file_size=GiB),
    )


def ratio_bomb(folder: Path, size: int = 50 * MiB) -> Path:
    """Under the total limit, but one part expands ~1000 times."""
    return _rewrite(
        valid_workbook(_tmp(folder)),
        folder / "ratio.xlsx",
        add={"xl/media/image1.png": bytes(size)},
    )


def many_parts(folder: Path, count: int = 501) -> Path:
    extra = {f"xl/media/image{i}.png": b"x" for i in range(count)}
    return _rewrite(valid_workbook(_tmp(folder)), folder / "many-parts.xlsx", add=extra)


def path_traversal(folder: Path, member: str = "../../etc/cron.d/evil") -> Path:
    return _rewrite(
        valid_workbook(_tmp(folder)),
        folder / "traversal.xlsx",
        add={member: b"* * * * * root true\n"},
    )


def macro_workbook(folder: Path) -> Path:
    """An .xlsm renamed .xlsx: only [Content_Types].xml tells (openpyxl would load it silently)."""
    src = valid_workbook(_tmp(folder))
    types = _read(src, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return _rewrite(
        src,
        folder / "แมโคร.xlsx",
        replace={"[Content_Types].xml": types},
        add={"xl/vbaProject.bin": b"\0" * 64},
    )


def xxe_workbook(folder: Path, part: str = "xl/workbook.xml") -> Path:
    """An external entity (file:///etc/passwd) declared at the top of `part`."""
    src = valid_workbook(_tmp(folder))
    xml = _insert_doctype(_read(src, part), XXE)
    return _rewrite(src, folder / "xxe.xlsx", replace={part: xml})


def billion_laughs(folder: Path) -> Path:
    """A shared strings part whose one string is ten to the ninth "lol"s, if anything expanded it."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + LAUGHS
        + '<sst xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return _rewrite(
        valid_workbook(_tmp(folder)),
        folder / "laughs.xlsx",
        add={"xl/sharedStrings.xml": xml.encode()},
    )


def doctype_after_comment(folder: Path) -> Path:
    """A DOCTYPE behind a long comment that itself contains a tag: a naive byte scan misses it."""
    src = valid_workbook(_tmp(folder))
    part = "xl/worksheets/sheet1.xml"
    hiding = "<!-- <row> " + "x" * 100_000 + " -->" + XXE.replace("workbook", "worksheet")
    return _rewrite(
        src, folder / "hidden.xlsx", replace={part: _insert_doctype(_read(src, part), hiding)}
    )


def many_sheets(folder: Path, count: int = 30) -> Path:
    return valid_workbook(folder, name="หลายชีต.xlsx", sheets=count)


def docx_like(folder: Path) -> Path:
    path = folder / "เอกสาร.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')  # fmt: skip
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.'
                    'openxmlformats.org/wordprocessingml/2006/main"/>')  # fmt: skip
    return path


def plain_zip(folder: Path) -> Path:
    path = folder / "แฟ้ม.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "สวัสดี")
    return path


# -- helpers ----------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _tmp(folder: Path) -> Path:
    """A scratch folder beside the result, so that `folder` holds only the bad file."""
    scratch = folder / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


def _read(path: Path, member: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(member)


def _rewrite(
    src: Path,
    dst: Path,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy a zip part by part, replacing some parts' bytes and adding others."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)))
        for member, data in (add or {}).items():
            zout.writestr(zipfile.ZipInfo(member), data, zipfile.ZIP_DEFLATED)
    return dst


def _insert_doctype(xml: bytes, doctype: str) -> bytes:
    """Put `doctype` right after the XML declaration (or first, without one)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + doctype.encode() + xml[end:]
    return doctype.encode() + xml


def _patch_central(data: bytes, member: str, **fields: int) -> bytes:
    """Rewrite `crc`, `file_size` or `flags` of one central directory entry (zipfile trusts these)."""
    end = data.rindex(b"PK\x05\x06")
    _, _, _, _, count, _, at, _ = EOCD.unpack_from(data, end)
    out = bytearray(data)
    for _ in range(count):
        entry = list(CENTRAL_ENTRY.unpack_from(data, at))
        name_len, extra_len, comment_len = entry[10], entry[11], entry[12]
        name = data[at + CENTRAL_ENTRY.size : at + CENTRAL_ENTRY.size + name_len].decode()
        if name == member:
            entry[3] |= fields.get("flags", 0)
            entry[7] = fields.get("crc", entry[7])
            entry[9] = fields.get("file_size", entry[9])
            CENTRAL_ENTRY.pack_into(out, at, *entry)
            return bytes(out)
        at += CENTRAL_ENTRY.size + name_len + extra_len + comment_len
    raise KeyError(member)
