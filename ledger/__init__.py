"""The system of record: SQLite (WAL) through SQLAlchemy Core. Knows no workbook, template or mail."""

from ledger.db import Ledger, LedgerUnavailable

__all__ = ["Ledger", "LedgerUnavailable"]
