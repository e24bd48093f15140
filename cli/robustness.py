"""``rtcm robustness``: how a calendar survives sampled absences, without its backups and with them."""

from __future__ import annotations

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
    sweep_progress,
    write_report,
)
from model.errors import InputError
from model.formats.files import read_schedule
from model.robustness import MAX_SAMPLES, RobustnessReport, Spread, check_settings


def _spread(s: Spread) -> str:
    return f"{s.mean:.2f} / {s.p95:g} / {s.most}"


def robustness_table(r: RobustnessReport) -> Table:
    t = Table("", "without backups", "with backups",
              title=f"{r.samples} sampled futures: each person away on a course day with probability "
                    f"{r.rates.day:.1%}, a whole week with {r.rates.week:.1%} (seed {r.seed}); "
                    f"{r.editions} editions", title_justify="left")
    a, b = r.without_backups, r.with_backups
    t.add_row("futures with every edition delivered", f"{a.all_delivered:.1%}", f"{b.all_delivered:.1%}")
    t.add_row("futures with the calendar untouched", f"{a.untouched:.1%}", f"{b.untouched:.1%}")
    t.add_row("editions changed per future (mean / p95 / most)", _spread(a.changed), _spread(b.changed))
    t.add_row("editions moved to other dates", _spread(a.moved), _spread(b.moved))
    t.add_row("editions dropped", _spread(a.dropped), _spread(b.dropped))
    t.add_row("editions broken by absences", _spread(r.broken), "")
    t.add_row("editions saved by their backups", "", _spread(r.saved))
    return t


def fault_table(r: RobustnessReport) -> Table:
    t = Table("edition", "futures", "person", "futures", title="Most often at fault", title_justify="left")
    for i in range(max(len(r.editions_at_fault), len(r.people_at_fault))):
        e = r.editions_at_fault[i] if i < len(r.editions_at_fault) else None
        p = r.people_at_fault[i] if i < len(r.people_at_fault) else None
        t.add_row(e.id if e else "", str(e.futures) if e else "", p.id if p else "", str(p.futures) if p else "")
    return t


def robustness_cmd(
    schedule: Annotated[Path, typer.Argument(help="the published schedule JSON")],
    samples: Annotated[int, typer.Option(help=f"futures to draw (1 to {MAX_SAMPLES:,})")] = 200,
    absence_rate: Annotated[float, typer.Option(help="the chance a person is away on a given course day")] = 0.03,
    week_rate: Annotated[float, typer.Option(help="the chance a person is away for a given whole week")] = 0.0,
    seed: Annotated[int, typer.Option(help="the same seed draws the same futures")] = 0,
    workers: Annotated[int, typer.Option(help="futures re-planned at once, a process each")] = 2,
    time_limit: Annotated[float, typer.Option(help="seconds per re-plan (each of its tries)")] = 8.0,
    out: Annotated[Path | None, typer.Option(help="workbook with the figures, a histogram and every future")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="the report as JSON, every future included")] = None,
    backend: BackendOption = SweepBackend.local,
    ray_address: RayAddressOption = None,
) -> None:
    """Draw futures with people away, re-plan the calendar in each (frozen where it can stay), and say how
    often every edition is still delivered, how much moves, who and what is most often at fault, and what
    the backups would save. Ctrl-C stops the run: the report then covers the futures re-planned."""
    from model.formats.excel_robustness import write_robustness_workbook
    from scenarios.robustness import robustness
    from scenarios.sweep import check_backend

    try:
        rates = check_settings(samples, day=absence_rate, week=week_rate)
        published = read_schedule(schedule)
        check_backend(backend.value, workers, ray_address)
    except InputError as e:
        fail_input(e)
    with sweep_progress("futures re-planned", samples) as (progress, stop):
        try:
            report = robustness(published, samples, rates, seed, processes=workers, time_limit_s=time_limit,
                                on_progress=progress, stop=stop, backend=backend.value, address=ray_address)
        except InputError as e:
            fail_input(e)
    console.print(robustness_table(report))
    console.print(fault_table(report))
    stopped = report.requested is not None and report.samples < report.requested
    if stopped:
        console.print(f"stopped: {report.samples} of {report.requested} futures re-planned in {report.runtime_s:g} s; "
                      "the report covers those", highlight=False)
    else:
        console.print(f"{report.samples} futures in {report.runtime_s:g} s", highlight=False)
    write_report(report, json_out, out, write_robustness_workbook)
    if stopped:
        raise typer.Exit(EXIT_STOPPED)
