"""The running service: one pass (waiting files, due jobs, the outbox) and the calendar
that says which job is due when, for jobs/ and kpi/ alike."""
