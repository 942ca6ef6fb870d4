"""The outbox: list, send, retry."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import console

mail_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="The outbox: list, send, retry."
)


def mail_list(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="queued | sending | sent | failed")] = None,
) -> None:
    """Messages in the outbox.  Example: eop mail list --state failed"""
    from ledger.mail import by_state

    deployment = ctx.obj.deployment()
    with deployment.ledger.atomic() as conn:
        rows = by_state(conn, *([state] if state else []))
    from rich.table import Table  # rich only when a table is shown (cli.common)

    table = Table(title="outbox")
    for head in ("id", "state", "kind", "to", "subject", "attempts", "error"):
        table.add_column(head)
    for row in rows:
        table.add_row(
            str(row.id),
            row.state,
            row.kind,
            ", ".join(json.loads(row.recipients)),
            row.subject,
            str(row.attempts),
            row.last_error or "",
        )
    console.print(table)


def mail_send(ctx: typer.Context) -> None:
    """Send what is due now.  Example: eop mail send"""
    from outbox.deliver import send_due

    deployment = ctx.obj.deployment()
    console.print(f"sent {send_due(deployment.ledger, deployment.config, deployment.now())}")


def mail_retry(ctx: typer.Context) -> None:
    """Queue failed messages again, then send.  Example: eop mail retry"""
    from outbox.deliver import retry_failed, send_due

    deployment = ctx.obj.deployment()
    again = retry_failed(deployment.ledger, deployment.now())
    console.print(
        f"requeued {again}, sent {send_due(deployment.ledger, deployment.config, deployment.now())}"
    )


def register(app: typer.Typer) -> None:
    mail_app.command("list")(mail_list)
    mail_app.command("send")(mail_send)
    mail_app.command("retry")(mail_retry)
    app.add_typer(mail_app, name="mail")
