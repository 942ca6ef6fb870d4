"""Orchestration: read the ledger, call templates, hand messages to the outbox."""
