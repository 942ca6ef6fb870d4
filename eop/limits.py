"""config.yaml `limits:`: what a received file may be at most, before any reader opens it
(intake.sniff for workbooks, intake.pdf_gate for evidence PDFs). Past one, the office is
told which, in Thai and English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

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
