"""``rtcm notices``: the change notices between two published versions, as e-mails to send."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.common import console, err, fail_input
from model.errors import InputError, Issue
from model.formats.mail import (
    SMTP_URL,
    MailSettingError,
    SendError,
    SendReport,
    send,
    sender_from_env,
    smtp_url_from_env,
)
from model.formats.versions import Versions
from model.notices import Notice, notices, write_notices

EXIT_NOT_SENT = 1


def version_notices(store: Path, old: int, new: int) -> list[Notice]:
    """The notices from version ``old`` (0: none, a first publication) to version ``new`` of ``store``.

    Raises
    ------
    InputError
        For an unknown version, or ``old`` not before ``new``.
    """
    if old >= new:
        raise InputError([Issue("out_of_order", f"the older version ({old}) must come before the newer ({new})")],
                         str(store))
    versions = Versions(store)
    later = versions.schedule(new)
    earlier = versions.schedule(old) if old else None
    return notices(earlier, later, old_version=old, new_version=new, published_at=versions.get(new).published_at)


def notices_table(title: str, listed: list[Notice], report: SendReport | None = None) -> Table:
    """Who gets a notice, their address, how many of their courses changed (and, once sent, whether it was)."""
    t = Table("notice", "who", "kind", title=title, title_justify="left")
    t.add_column("e-mail", overflow="fold")  # an address is read whole, never cut short
    t.add_column("changes")
    if report is not None:
        t.add_column("sent")
    sent = set(report.sent) if report else set()
    skipped = {s.id: s.reason for s in report.skipped} if report else {}
    for n in listed:
        row = [escape(n.id), escape(n.recipient), n.kind, escape(n.email) if n.email else "[yellow]no address[/]",
               str(len(n.items))]
        if report is not None:
            row.append("yes" if n.id in sent else f"[yellow]no: {escape(skipped.get(n.id, 'not sent'))}[/]")
        t.add_row(*row)
    if not listed:
        t.add_row("-", "nobody's courses changed", "", "", "", *([""] if report else []))
    return t


def notices_cmd(
    old: Annotated[int, typer.Argument(help="the earlier version (0: none, every course is new)")],
    new: Annotated[int, typer.Argument(help="the later version")],
    store: Annotated[Path, typer.Option(help="the folder of published versions")],
    out: Annotated[Path | None, typer.Option(help="write one .eml per notice and notices.txt here")] = None,
    send_them: Annotated[bool, typer.Option("--send", help=f"send them through {SMTP_URL}")] = False,
) -> None:
    """A change notice to each trainer and room manager whose courses changed between two versions."""
    try:
        listed = version_notices(store, old, new)
        sender = sender_from_env()
    except InputError as e:
        fail_input(e)
    except MailSettingError as e:
        err.print(f"[bold red]{escape(str(e))}[/]", highlight=False)
        raise typer.Exit(2) from None
    title = f"Notices from version {old} to version {new}" if old else f"Notices of version {new}"
    if out is not None:
        write_notices(listed, out, sender)
    report = None
    if send_them:
        url = smtp_url_from_env()
        if url is None:
            err.print(f"[bold red]sending is off: set {SMTP_URL} (smtp://[user:password@]host[:port]) to send "
                      "notices[/]", highlight=False)
            raise typer.Exit(2)
        try:
            report = send(listed, url, sender)
        except MailSettingError as e:
            err.print(f"[bold red]{escape(str(e))}[/]", highlight=False)
            raise typer.Exit(2) from None
        except SendError as e:
            console.print(notices_table(title, listed, e.report))
            err.print(f"[bold red]{escape(str(e))}[/]", highlight=False)
            raise typer.Exit(EXIT_NOT_SENT) from None
    console.print(notices_table(title, listed, report))
    if out is not None:
        console.print(f"wrote {len(listed)} notice(s) and notices.txt in {out}", highlight=False)
    if report is not None:
        console.print(f"sent {len(report.sent)}, skipped {len(report.skipped)}", highlight=False)
