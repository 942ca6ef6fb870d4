"""Pure checks: frames and reference data in, findings out. No ledger, no mail, no files."""
