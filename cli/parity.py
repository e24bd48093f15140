"""``rtcm parity``: where gender parity stands among trainers and participants, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, fail_input, write_report
from model.errors import InputError
from model.formats.files import read_schedule
from model.parity import (
    PARTICIPANT_SCOPES,
    TRAINER_SCOPES,
    CountryCapRow,
    Group,
    ParityReport,
    ParityRow,
    Scope,
    TrainerDaysRow,
    parity_report,
    percent,
)

STATUS_STYLE = {"pass": "green", "fail": "red", "n/a": "dim"}
SCOPE_TITLES: dict[Scope, str] = {
    "year": "year", "edition": "edition", "module": "module", "month": "month",
    "organisation": "organisation", "country": "country", "audience": "audience",
}


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def rows_table(title: str, rows: list[ParityRow]) -> Table:
    """One scope's rows: counts, women's share (two decimals, as in JSON and Excel), target, status."""
    unit = rows[0].unit if rows else ""
    t = Table(title=f"{title} ({unit})", title_justify="left")
    for col in (rows[0].scope if rows else "group", "women", "men", "another", "undisclosed", "share",
                "target", "mode", "status"):
        numeric = col in ("women", "men", "another", "undisclosed", "share")
        t.add_column(col, justify="right" if numeric else "left")
    for r in rows:
        t.add_row(r.key, str(r.women), str(r.men), str(r.another_identity), str(r.undisclosed),
                  percent(r.share), "-" if r.mode == "off" else r.target, r.mode, _status(r.status))
    return t


def sources_table(rows: list[TrainerDaysRow]) -> Table:
    """Trainer-days by year, module, month and organisation, the teams' apart from the guests'."""
    t = Table(title="Trainers: days of the teams and of guest sessions (trainer-days)", title_justify="left")
    for col in ("group", "given by", "women", "men", "another", "undisclosed", "share", "days"):
        t.add_column(col, justify="left" if col in ("group", "given by") else "right")
    for r in rows:
        group = {"year": "year", "module": f"module {r.key[1:]}"}.get(r.scope, r.key)
        t.add_row(group, "guest sessions" if r.given_by == "guests" else "teams", str(r.women), str(r.men),
                  str(r.another_identity), str(r.undisclosed), percent(r.share), str(r.days))
    return t


def caps_table(rows: list[CountryCapRow]) -> Table:
    t = Table(title="Participants: country caps (largest country per edition, and all over the cap)",
              title_justify="left")
    for col in ("edition", "country", "participants", "seats", "share", "cap", "mode", "status"):
        t.add_column(col)
    for c in rows:
        t.add_row(c.edition, c.country, str(c.participants), str(c.seats), percent(c.share),
                  f"{c.cap_seats} ({percent(c.cap_share)})", c.mode, _status(c.status))
    return t


def print_report(report: ParityReport) -> None:
    console.print(f"[bold]Gender parity: {report.problem}[/]", highlight=False)
    for note in report.notes:
        console.print(note, highlight=False, markup=False)
    groups: tuple[tuple[Group, tuple[Scope, ...]], ...] = (("trainers", TRAINER_SCOPES),
                                                           ("participants", PARTICIPANT_SCOPES))
    for group, scopes in groups:
        for scope in scopes:
            rows = report.rows(group, scope)
            if rows:
                title = f"{group.capitalize()} by {SCOPE_TITLES[scope]}"
                console.print(rows_table(title, rows), highlight=False)
        if group == "trainers" and report.guest_days:
            console.print(sources_table(report.trainer_days_by_source), highlight=False)
    if report.country_caps:
        console.print(caps_table(report.country_caps), highlight=False)
    if report.nominations:
        console.print(f"{report.seated} seats filled; {report.unplaced} of {report.nominations} nominations "
                      "left without a seat (reasons in the Participants sheet and the schedule JSON)",
                      highlight=False)
    fails = report.failures()
    if not fails:
        console.print("[green]Every parity target is met.[/]")
        return
    console.print(f"[red]{len(fails)} failure(s), with the reason found in the data:[/]")
    for f in fails:
        if isinstance(f, ParityRow):
            head = f"{f.group} {f.scope} {f.key}: {percent(f.share)}, target {f.target} ({f.mode})"
        else:
            head = (f"participants country cap {f.edition} {f.country}: {f.participants} of {f.seats} seats, "
                    f"cap {f.cap_seats} ({f.mode})")
        console.print(f"  - {head}: {f.reason}", highlight=False, markup=False)


def parity_cmd(
    schedule: Annotated[Path, typer.Argument(help="schedule JSON (as written by solve)")],
    out: Annotated[Path | None, typer.Option(
        help="Excel workbook to write (sheets Gender parity and Participants)")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="the parity report as JSON")] = None,
) -> None:
    """Gender parity of trainers and participants by edition, module, month, organisation and country."""
    try:
        s = read_schedule(schedule)
    except InputError as e:
        fail_input(e)
    report = parity_report(s)
    print_report(report)
    from model.formats.excel_parity import write_parity_workbook

    write_report(report, json_out, out, lambda r, path: write_parity_workbook(s, path, r))
