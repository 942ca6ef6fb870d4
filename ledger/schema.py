"""Tables of the ledger. Changes go through a new migration in `ledger/migrations.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class Moment(TypeDecorator[datetime]):
    """An aware date-time kept as ISO text with its offset (SQLite has no time zones)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive date-time {value!r} given to the ledger")
        return value.isoformat()

    def process_result_value(self, value: str | None, dialect: object) -> datetime | None:
        return datetime.fromisoformat(value) if value else None


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("applied_at", Moment, nullable=False),
)

offices = Table(
    "offices",
    metadata,
    Column("code", String, primary_key=True),
    Column("level", String, nullable=False),  # department | region | province | district | section
    Column("parent", String),
    Column("name_th", String, nullable=False),
    Column("name_en", String, nullable=False),
    Column("kind", String),  # a section's kind: the same section in every province (S3 …)
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String, nullable=False),
    Column("name", String, nullable=False),
    Column("office", String, nullable=False),
    Column("role", String, nullable=False),
    Column("section", String),
    UniqueConstraint("email", "office", "role"),
)

activities = Table(
    "activities",
    metadata,
    Column("fiscal_year", Integer, primary_key=True),
    Column("code", String, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("plan", String, nullable=False),
    Column("output", String, nullable=False),
    Column("name_th", String, nullable=False),
    Column("name_en", String, nullable=False),
    Column("unit", String, nullable=False),
    Column("unit_en", String, nullable=False),
    Column("whole", Boolean, nullable=False),
    Column("section", String, nullable=False),
)

# scope "province": the province's target from the budget document;
# scope "allocated": an office's share (a district's, or the province office's own).
targets = Table(
    "targets",
    metadata,
    Column("fiscal_year", Integer, primary_key=True),
    Column("office", String, primary_key=True),
    Column("activity", String, primary_key=True),
    Column("scope", String, primary_key=True),
    Column("quantity", Float, nullable=False),
    Column("budget", Float, nullable=False),
    Column("source", String, nullable=False),
    Column("set_at", Moment, nullable=False),
)

# Every file ever received, recorded before it is parsed. status: received (taken, not yet
# judged) → accepted | rejected | duplicate. answered_at is set once its answer is queued.
files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String, nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("office", String, nullable=False),
    Column("size", Integer, nullable=False),
    Column("dropped_mtime", Float),  # with name and sha256: recognises a file already taken
    Column("received_at", Moment, nullable=False),
    Column("archive_path", String, nullable=False),
    Column("status", String, nullable=False, default="received"),
    Column("kind", String),
    Column("period", String),
    Column("template_version", String),
    Column("submission_id", Integer),
    Column("duplicate_of", Integer),
    Column("late", Boolean, nullable=False, default=False),
    Column("judged_at", Moment),
    Column("answered_at", Moment),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", ForeignKey("files.id"), nullable=False, index=True),
    Column("severity", String, nullable=False),
    Column("code", String, nullable=False),
    Column("sheet", String),
    Column("cell", String),
    Column("field", String),
    Column("value", Text),
    Column("message_th", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("activity", Text),  # the activity of the finding's row: "A102 ฉีดวัคซีน…"
)

# One accepted version of one office's workbook for one period (or fiscal year) and kind.
submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("office", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("period", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("file_id", ForeignKey("files.id"), nullable=False),
    Column(
        "state", String, nullable=False
    ),  # recorded | submitted | approved | returned | confirmed
    Column("reporter", String),
    Column("late", Boolean, nullable=False, default=False),
    Column("accepted_at", Moment, nullable=False),
    Column("replaces", Integer),
    UniqueConstraint("office", "kind", "period", "version"),
)

# Monthly figures of one submission: this period's quantity and spending per activity.
results = Table(
    "results",
    metadata,
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),
    Column("activity", String, primary_key=True),
    Column("quantity", Float, nullable=False),
    Column("spending", Float, nullable=False),
    Column("remark", Text),
)

# Workbooks the service handed out, by the digest of their pre-filled values.
issued = Table(
    "issued",
    metadata,
    Column("digest", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("office", String, nullable=False),
    Column("period", String, nullable=False),
    Column("template_version", String, nullable=False),
    Column("path", String, nullable=False),
    Column("issued_at", Moment, nullable=False),
    Column("prefilled", Text, nullable=False),  # JSON: the rows as written
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dedupe_key", String, unique=True),  # the same answer is never queued twice
    Column("message_id", String, nullable=False, unique=True),
    Column("kind", String, nullable=False),
    Column("recipients", Text, nullable=False),  # JSON list
    Column("subject", Text, nullable=False),
    Column("spool_path", String, nullable=False),  # the .eml, written before sending
    Column("state", String, nullable=False),  # queued | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Moment, nullable=False),
    Column("last_error", Text),
    Column("created_at", Moment, nullable=False),
    Column("sent_at", Moment),
    Column("file_id", Integer),
    Column("office", String),
)

# Append-only: received, accepted, rejected, duplicate, issued, mailed, …
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Moment, nullable=False),
    Column("event", String, nullable=False),
    Column("office", String),
    Column("kind", String),
    Column("period", String),
    Column("actor", String),
    Column("file_id", Integer),
    Column("detail", Text),
)

# Scheduled jobs that ran, so each runs once per key (period) even across restarts.
job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String, primary_key=True),
    Column("key", String, primary_key=True),
    Column("ran_at", Moment, nullable=False),
)

# A section's decision on one district's version for one period (migration 2). The latest
# decision of each section counts; an approval carries over to a newer version whose figures
# on that section's activities are unchanged, a return never does.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("section", String, nullable=False),
    Column("office", String, nullable=False),  # the district
    Column("period", String, nullable=False),
    Column("submission_id", ForeignKey("submissions.id"), nullable=False),  # the version decided on
    Column("decision", String, nullable=False),  # approved | returned
    Column("comment", Text),
    Column("reviewer", String),  # the name typed in the review workbook
    Column("file_id", Integer),  # the review workbook it came in
    Column("late", Boolean, nullable=False, default=False),
    Column("decided_at", Moment, nullable=False),
)

# A locked period reopened for ONE new version of one office, citing the approving memo
# (migration 2). Those sent to the centre count against KPI 2 level 5.
corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("office", String, nullable=False),
    Column("period", String, nullable=False),
    Column("memo_number", String, nullable=False),
    Column("memo_date", String, nullable=False),  # ISO date (CE)
    Column("approved_by", String, nullable=False),
    Column("to_centre", Boolean, nullable=False, default=False),
    Column("reason", Text),
    Column("opened_at", Moment, nullable=False),
    Column("opened_by", String),
    Column("used_by_file_id", Integer),
    Column("closed_at", Moment),
)

# KPI evidence (migration 3): its own MetaData, so that migration 1's create_all never makes it
evidence_metadata = MetaData()

evidence_documents = Table(
    "evidence_documents",
    evidence_metadata,
    Column("id", Integer, primary_key=True),
    Column("office", String, nullable=False),  # the province whose evidence it is
    Column("fiscal_year", Integer, nullable=False),
    Column(
        "kind", String, nullable=False
    ),  # order | letter-targets | minutes (eop.rounds.DOCUMENT_KINDS)
    Column("number", String),  # "84/2558"
    Column("doc_date", String),  # ISO date (CE) of the document itself, when known
    Column("title_th", Text),
    Column("title_en", Text),
    Column("name", String, nullable=False),  # the file name as dropped (or the config file's)
    Column("file_id", Integer, nullable=False),  # files.id: archived like any other file
    Column("sha256", String, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("source", String, nullable=False),  # folder | config
    Column(
        "stand_in", Boolean, nullable=False, default=False
    ),  # says it is a stand-in (the demo's)
    Column("registered_at", Moment, nullable=False),
)

# What every file or every pass asks, indexed so that a ledger holding years of the country
# answers as fast as a new one (migration 5 adds them to a ledger made before): a district's
# reviews of a period (once a file), the files not yet answered, the mail waiting. Not the
# files' status: SQLite, without statistics, would take it over the sha256 index when a file
# is checked for an accepted twin, and 'accepted' is nearly every file.
LOOKUPS = (
    Index("ix_reviews_office_period", reviews.c.office, reviews.c.period),
    Index("ix_files_answered_at", files.c.answered_at),
    Index("ix_outbox_state", outbox.c.state),
)

# The events a file or a period is asked for (migration 7 adds them to a ledger made before):
# when a submission reached a state (a province's confirmation, for every KPI progress and
# packet), a correction's memo, a period's lock. Without them each question read the whole
# append-only table: 12 ms a question in a country's ledger by April, and growing.
EVENT_LOOKUPS = (
    Index("ix_events_file_event", events.c.file_id, events.c.event),
    Index("ix_events_period_event", events.c.period, events.c.event),
)
