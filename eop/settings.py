"""config.yaml's settings of the running service: mail (`mail:`), the watcher (`watch:`) and
what a received file may be at most (`limits:`, before any reader opens it: intake.sniff for
workbooks, intake.pdf_gate for evidence PDFs; past one, the office is told which, in Thai
and English)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpConfig(_Strict):
    host: str = "localhost"
    port: int = Field(25, ge=1, le=65535)
    tls: Literal["none", "starttls", "ssl"] = "none"
    user: str | None = None
    password_env: str | None = None
    timeout_seconds: float = Field(10, gt=0)


class MailConfig(_Strict):
    transport: Literal["file", "smtp"] = "file"
    sender: str = Field("e-operation@example.go.th", pattern=r"^[^@\s]+@[^@\s]+$")
    sender_name: str = "e-Operation Sheets"
    smtp: SmtpConfig = SmtpConfig()
    max_attempts: int = Field(8, ge=1)
    backoff_seconds: list[float] = [30, 120, 600, 1800, 3600]


class WatchConfig(_Strict):
    mode: Literal["inotify", "polling"] = "inotify"
    poll_seconds: float = Field(2.0, gt=0)
    stable_seconds: float = Field(1.0, ge=0)


class Limits(_Strict):
    max_file_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_uncompressed_bytes: int = Field(200 * 1024 * 1024, gt=0)
    max_part_ratio: float = Field(100, gt=1)
    max_parts: int = Field(500, gt=0)
    max_sheets: int = Field(20, gt=0)
    max_rows: int = Field(5000, gt=0)
    max_columns: int = Field(250, gt=0)  # a reader makes a sheet one block: rows × columns cells
    max_cell_chars: int = Field(2000, gt=0)
    # Evidence PDFs (intake.pdf_gate): a signed scan of an order is 1–10 pages and a few MB.
    max_pdf_pages: int = Field(100, gt=0)  # minutes run to 30 pages; ten times an order
    max_pdf_objects: int = Field(
        20_000, gt=0
    )  # a 10-page scan has ~50; a long Word export, thousands
    max_pdf_decompressed_bytes: int = Field(
        512 * 1024 * 1024, gt=0
    )  # 10 lossless colour pages: half
    max_pdf_nesting: int = Field(32, gt=0)  # real files nest under 10 deep (page tree, resources)
    max_pdf_seconds: float = Field(20.0, gt=0)  # a 10-page scan is checked in under a second
    max_pdf_memory_bytes: int = Field(768 * 1024 * 1024, gt=64 * 1024 * 1024)  # the checker's own
