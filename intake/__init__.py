"""Watching, recognising, archiving and reading workbooks."""
