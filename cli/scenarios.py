"""``rtcm scenario run`` and ``rtcm replan``: what-ifs compared, published calendars re-planned."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    EXIT_STOPPED,
    BackendOption,
    RayAddressOption,
    SweepBackend,
    console,
    fail_input,
    summary_table,
    sweep_progress,
    write_outputs,
    write_report,
)
from model.compare import CalendarDiff
from model.errors import InputError
from model.formats.files import read_problem, read_schedule
from model.formats.versions import Versions
from model.schedule import Schedule
from scheduler.solve import SolveOptions


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _mode(mode: str | None) -> str:
    return (mode or "").replace("_", " ")


def diff_table(title: str, changes: CalendarDiff) -> Table:
    t = Table("edition", "change", "from", "to", "why", title=title, title_justify="left")
    for c in changes.changes:
        switched = "mode" in c.kinds
        before = f"{c.old_start or '-'} {c.old_room or ''} {_mode(c.old_mode) if switched else ''}".strip()
        after = f"{c.new_start or '-'} {c.new_room or ''} {_mode(c.new_mode) if switched else ''}".strip()
        kinds = ", ".join(c.kinds)
        if "trainers" in c.kinds:
            kinds += f" (-{','.join(c.trainers_off)} +{','.join(c.trainers_on)})"
        t.add_row(c.edition, kinds, before, after, "; ".join(c.why))
    if not changes.changes:
        t.add_row("-", "no edition changed", "", "", "")
    return t


def scenario_run(
    files: Annotated[list[Path], typer.Argument(help="scenario files (YAML)")],
    out: Annotated[Path | None, typer.Option(help="comparison workbook")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="comparison JSON")] = None,
    time_limit: Annotated[float, typer.Option(help="seconds per solve (deterministic time)")] = 30.0,
    workers: Annotated[int, typer.Option(help="threads in all; solves run in parallel within it")] = 2,
    fresh: Annotated[bool, typer.Option(help="solve each from scratch, not deterministically")] = False,
    backend: BackendOption = SweepBackend.local,
    ray_address: RayAddressOption = None,
) -> None:
    """Solve the base and each scenario, then compare KPIs and calendars. Ctrl-C stops the run: the
    comparison then covers the scenarios solved."""
    from model.formats.excel_scenarios import write_comparison_workbook
    from scenarios.run import run_scenarios
    from scenarios.sweep import Stopped

    options = SolveOptions(time_limit_s=time_limit, workers=workers, deterministic=not fresh)
    try:
        with sweep_progress("scenarios solved (the base first)", len(files)) as (progress, stop):
            comparison, _, _ = run_scenarios([str(f) for f in files], options, backend=backend.value,
                                             address=ray_address, on_progress=progress, stop=stop)
    except InputError as e:
        fail_input(e)
    except Stopped as e:
        console.print(f"{e}; nothing written", highlight=False)
        raise typer.Exit(EXIT_STOPPED) from None
    rows = [comparison.base] + [s.kpis for s in comparison.scenarios]
    t = Table("KPI", *[r.name for r in rows], title="Scenarios against the base")
    t.add_row("status", *[r.status for r in rows])
    t.add_row("editions scheduled", *[f"{r.editions_scheduled}/{r.editions_total}" for r in rows])
    t.add_row("optional dropped", *[str(r.optional_dropped) for r in rows])
    t.add_row("objective", *["-" if r.objective is None else f"{r.objective:g}" for r in rows])
    t.add_row("gap", *[_pct(r.gap) for r in rows])
    t.add_row("women's share of trainer-days", *[_pct(r.women_share_of_trainer_days) for r in rows])
    t.add_row("cost (USD)", *[f"{r.cost_usd:,}" for r in rows])
    t.add_row("mean room use", *[_pct(r.room_use) for r in rows])
    t.add_row("trainer-days spread", *[str(r.trainer_days_spread) for r in rows])
    t.add_row("changes vs base", "-", *[str(len(s.diff.changes)) for s in comparison.scenarios])
    console.print(t)
    for s in comparison.scenarios:
        console.print(diff_table(f"{s.name}: " + "; ".join(s.changes), s.diff))
        for d in s.diagnosis:
            console.print(f"[red]why no calendar:[/] {d}")
    stopped = len(comparison.scenarios) < len(files)
    if stopped:
        console.print(f"stopped: {len(comparison.scenarios)} of {len(files)} scenarios solved; the comparison "
                      "covers those", highlight=False)
    write_report(comparison, json_out, out, write_comparison_workbook)
    if stopped:
        raise typer.Exit(EXIT_STOPPED)


def _published(baseline: Path | None, store: Path | None) -> Schedule:
    """The calendar to re-plan: the file given, or the latest version of the store."""
    if baseline is not None:
        return read_schedule(baseline)
    if store is None:
        raise InputError(["give the published calendar: --baseline SCHEDULE.json or --store FOLDER"])
    versions = Versions(store)
    latest = versions.latest()
    if latest is None:
        raise InputError([f"nothing is published in {store} yet: rtcm publish SCHEDULE.json --store {store}"])
    return versions.schedule(latest.number)


def replan_cmd(
    problem: Annotated[Path, typer.Argument(help="the changed problem file")],
    baseline: Annotated[Path | None, typer.Option(help="the published schedule JSON")] = None,
    store: Annotated[Path | None, typer.Option(
        help="a folder of published versions: the latest is the baseline (when --baseline is not given)")] = None,
    freeze_before: Annotated[str | None, typer.Option(help="keep editions starting before this date")] = None,
    out: Annotated[Path | None, typer.Option(help="Excel workbook to write")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="schedule JSON to write")] = None,
    time_limit: Annotated[float, typer.Option(help="seconds")] = 30.0,
    workers: int = 2,
    deterministic: bool = False,
) -> None:
    """Re-plan a published calendar after a change, moving as little as possible."""
    from scenarios.replan import replan

    try:
        prob = read_problem(problem)
        published = _published(baseline, store)
        freeze = date.fromisoformat(freeze_before) if freeze_before else None
    except InputError as e:
        fail_input(e)
    except ValueError as e:
        fail_input(InputError([f"--freeze-before: {e}"]))
    options = SolveOptions(time_limit_s=time_limit, workers=workers, deterministic=deterministic)
    with console.status("re-planning..."):
        result, changes = replan(prob, published, freeze, options)
    console.print(summary_table(result))
    if result.found:
        console.print(diff_table("What changed against the published calendar", changes))
    write_outputs(result, out, json_out)
