"""KPI rules, scoring, the evidence documents and the round's evidence packet (DESIGN §8).

Sits above jobs/: it reads the consolidation and builds reports through jobs' functions."""
