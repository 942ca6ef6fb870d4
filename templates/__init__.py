"""Renders what it is given: workbooks, mail, reports. Never queries the ledger or sends."""
