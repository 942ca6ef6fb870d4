"""The command line: the thin face at the top of the house. It may use every room; no room
uses it. Each command group lives in its own module and none imports another."""
