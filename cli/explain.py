"""``rtcm doctor``, ``rtcm explain`` and ``rtcm backups``: the impossible before solving, one edition's
alternatives after, and who could step in for whom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import EXIT_NO_CALENDAR, console, fail_input, load_problem
from model.doctor import doctor, rules_label
from model.errors import InputError
from model.explain import alternatives, penalty_breakdown, points_text
from model.formats.files import read_schedule, write_atomic

SHOWN = 15  # alternatives shown unless --all


def doctor_cmd(
    problem: Annotated[Path | None, typer.Argument(help="problem file (YAML, JSON or XLSX); "
                                                        "omit for the embedded 2027 default")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="the findings as JSON")] = None,
) -> None:
    """Find what makes a problem impossible before solving it, with the records involved (exit 1 if any)."""
    try:
        prob = load_problem(problem)
    except InputError as e:
        fail_input(e)
    findings = doctor(prob)
    if json_out:
        import json

        write_atomic(json_out, json.dumps([f.model_dump() for f in findings], indent=1) + "\n")
    blocking = [f for f in findings if f.blocking]
    if not findings:
        console.print("[green]Nothing in the data rules a calendar out.[/] (The solver may still find the "
                      "rules impossible together: `rtcm solve` then explains why.)")
        return
    console.print(f"[bold]{len(blocking)} impossibility(ies), {len(findings) - len(blocking)} note(s)[/]")
    for f in sorted(findings, key=lambda f: not f.blocking):
        console.print("[red]impossible[/]" if f.blocking else "[yellow]note[/]", end=" ")
        console.print(f.message, markup=False, highlight=False)
        console.print(f"  records: {', '.join(f.records)}", markup=False, highlight=False)
        console.print(f"  {rules_label(f.rules)}", markup=False, highlight=False)
    if blocking:
        raise typer.Exit(EXIT_NO_CALENDAR)


def _where(room: str | None, mode: str) -> str:
    """Where and how an edition runs: its room and mode, or online."""
    return f"{room}, {mode.replace('_', ' ')}" if room else "online"


def explain_cmd(
    schedule: Annotated[Path, typer.Argument(help="schedule JSON (as written by solve)")],
    edition: Annotated[str, typer.Argument(help="edition id, e.g. M3.T2#1")],
    show_all: Annotated[bool, typer.Option("--all", help="every alternative and blocked week")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="the alternatives as JSON")] = None,
) -> None:
    """One edition: what it costs where it is, and every other week and room it could take, with the
    objective's change (everything else as scheduled, re-checked and re-costed by the checker)."""
    try:
        s = read_schedule(schedule)
    except InputError as e:
        fail_input(e)
    try:
        alts = alternatives(s, edition)
    except ValueError as e:
        console.print(f"[red]{e}[/]")
        raise typer.Exit(2) from e
    if json_out:
        write_atomic(json_out, alts.model_dump_json(indent=1) + "\n")
    console.print(f"[bold]{edition}[/]: the calendar's objective is {points_text(alts.objective)}",
                  highlight=False)
    if alts.current is not None:
        c = alts.current
        console.print(f"now: {c.start} to {c.end}, {_where(c.room, c.mode)}, with {', '.join(c.trainers)}",
                      highlight=False)
        for item in penalty_breakdown(s):
            if item.edition == edition:
                console.print(f"  - {item.message}", highlight=False, markup=False)
    else:
        reason = next((u.reason for u in s.unscheduled if u.edition == edition), "left out")
        console.print(f"now: not on the calendar ({reason})", highlight=False, markup=False)
    rows = alts.alternatives if show_all else alts.alternatives[:SHOWN]
    t = Table(title=f"{len(alts.alternatives)} alternative(s), best first"
              + ("" if show_all or len(rows) == len(alts.alternatives) else f" (the first {SHOWN}; --all)"),
              title_justify="left")
    # The mode is a column only where the edition may run in several.
    several = len(s.problem.edition_by_id[edition].modes) > 1
    for col in ("start", "days", "room", *(["mode"] if several else []), "trainers", "objective", "change"):
        t.add_column(col, no_wrap=True)
    t.add_column("points by rule")
    for a in rows:
        colour = "green" if a.delta < 0 else "red" if a.delta > 0 else "white"
        t.add_row(str(a.start), str(len(a.days)), a.room or "online",
                  *([a.mode.replace("_", " ")] if several else []), ",".join(a.trainers),
                  points_text(a.objective), f"[{colour}]{a.delta:+g}[/]",
                  ", ".join(f"{r} {x:+g}" for r, x in a.changes.items()))
    console.print(t)
    if alts.blocked:
        reasons: dict[str, int] = {}
        for b in alts.blocked:
            reasons[b.reason] = reasons.get(b.reason, 0) + 1
        console.print(f"{len(alts.blocked)} week/room pair(s) with no place:", highlight=False)
        for why, n in sorted(reasons.items(), key=lambda kv: -kv[1])[: None if show_all else 8]:
            console.print(f"  - {n} x {why}", highlight=False, markup=False)


def backups_cmd(
    schedule: Annotated[Path, typer.Argument(help="the schedule JSON")],
    json_out: Annotated[Path | None, typer.Option("--json", help="the report as JSON")] = None,
) -> None:
    """Who could step in for each trainer, and which room could take each course, if used one at a time."""
    from scheduler.backups import backups

    try:
        s = read_schedule(schedule)
    except InputError as e:
        fail_input(e)
    report = backups(s)
    t = Table("edition", "trainer", "backup", "why none", title="Backups", title_justify="left")
    for ed in report.editions:
        for m in ed.members:
            t.add_row(ed.edition, m.trainer, m.backup or "-", m.reason)
        if ed.room is not None:
            t.add_row(ed.edition, f"room {ed.room}", ed.backup_room or "-", ed.room_reason)
    console.print(t)
    console.print(f"{report.covered} of {report.roles} roles have a backup; {report.complete} of "
                  f"{len(report.editions)} editions have one for every member and room", highlight=False)
    if json_out:
        write_atomic(json_out, report.model_dump_json(indent=1) + "\n")
