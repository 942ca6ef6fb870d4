"""The failures the command line turns into exit codes, named here so that it can catch them
without importing what raises them (the config's pydantic models, the ledger's SQLAlchemy):
`eop --help` and an idle `eop process` load neither."""

from __future__ import annotations


class ConfigError(Exception):
    """config.yaml cannot be used; the message names the key, the value and what is allowed."""


class LedgerUnavailable(Exception):
    """The ledger cannot be written (disk full, read-only, locked); try again later."""

    permanent = False
