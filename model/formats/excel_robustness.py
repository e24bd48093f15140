"""Absence risk as a workbook: what the sampled futures did to the calendar, with and without backups."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.formats.files import write_atomic
from model.robustness import Fault, FutureOutcome, RobustnessReport, Spread

BOLD = Font(bold=True)
PERCENT = "0.0%"
SHEET = "Robustness"
SUMMARY = "Per future"
BEFORE_REPLAN = "Per future, before any re-plan"
HISTOGRAM = "Editions changed in a future"
EDITIONS_AT_FAULT = "Editions most often broken"
PEOPLE_AT_FAULT = "People whose absences break editions most often"
FUTURE_HEADER = ["Sample", "Person-days away", "Editions broken", "Broken editions", "People away on them",
                 "Saved by backups", "Changed, without backups", "Moved, without backups",
                 "Dropped, without backups", "Changed, with backups", "Moved, with backups", "Dropped, with backups",
                 "Re-plan status, without backups", "Re-plan status, with backups",
                 "Unfrozen, without backups", "Unfrozen, with backups"]


def _rate(p: float) -> str:
    return f"{p * 100:g}%"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _header(ws: Worksheet, values: Sequence[Any]) -> int:
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    return ws.max_row


def _spread_rows(ws: Worksheet, label: str, without: Spread, with_: Spread) -> None:
    ws.append([f"{label}, mean", without.mean, with_.mean])
    ws.append([f"{label}, 95th percentile", without.p95, with_.p95])
    ws.append([f"{label}, most", without.most, with_.most])


def _faults(ws: Worksheet, title: str, faults: list[Fault], none: str) -> None:
    _header(ws, [title, "Futures"])
    for f in faults:
        ws.append([f.id, f.futures])
    if not faults:
        ws.append([none])
    ws.append([])


def changed_counts(futures: Sequence[FutureOutcome]) -> list[tuple[int, int, int]]:
    """Rows (k, futures with k editions changed without backups, with backups), k from 0 to the most."""
    without = Counter(len(f.without_backups.changed) for f in futures)
    with_ = Counter(len(f.with_backups.changed) for f in futures)
    most = max([*without, *with_], default=0)
    return [(k, without[k], with_[k]) for k in range(most + 1)]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def robustness_workbook(report: RobustnessReport) -> Workbook:
    """One sheet, "Robustness": what was sampled, a summary without and with backups, a histogram of
    the editions changed per future with its bar chart, the editions and people most often at fault,
    and a row per future."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    n = report.samples
    ws.append([f"Absence risk: the calendar in {_plural(n, 'sampled future')}"])
    ws["A1"].font = Font(bold=True, size=13)
    runtime = f"; sampled and re-planned in {report.runtime_s:.1f} s" if report.runtime_s is not None else ""
    ws.append([f"{_plural(n, 'future')}: each person away on each course day with probability "
               f"{_rate(report.rates.day)} and for whole weeks with probability {_rate(report.rates.week)}; "
               f"seed {report.seed}; the calendar has {_plural(report.editions, 'edition')}{runtime}."])
    ws.append(["An edition is broken when someone on its team, or giving one of its guest sessions, is away on "
               "one of its days. Backups replace absent team members where they can; the rest is re-planned."])
    ws.append(["An edition changed is moved, re-staffed, re-roomed or in another mode; dropped editions are "
               "counted apart."])
    ws.append([])

    _header(ws, [SUMMARY, "Without backups", "With backups"])
    wo, wi = report.without_backups, report.with_backups
    ws.append(["Share of futures with every edition delivered", wo.all_delivered, wi.all_delivered])
    ws.append(["Share of futures with the calendar untouched", wo.untouched, wi.untouched])
    for row in (ws.max_row - 1, ws.max_row):
        for col in (2, 3):
            ws.cell(row=row, column=col).number_format = PERCENT
    _spread_rows(ws, "Editions changed", wo.changed, wi.changed)
    _spread_rows(ws, "Editions moved (dates)", wo.moved, wi.moved)
    _spread_rows(ws, "Editions dropped", wo.dropped, wi.dropped)
    ws.append([])
    _header(ws, [BEFORE_REPLAN, "Mean", "95th percentile", "Most"])
    ws.append(["Editions broken", report.broken.mean, report.broken.p95, report.broken.most])
    ws.append(["Editions saved by backups", report.saved.mean, report.saved.p95, report.saved.most])
    ws.append([])

    head = _header(ws, [HISTOGRAM, "Futures, without backups", "Futures, with backups"])
    if report.futures:
        for row in changed_counts(report.futures):
            ws.append(list(row))
        last = ws.max_row
        chart = BarChart()
        chart.type, chart.grouping = "col", "clustered"
        chart.title = "Futures by editions changed"
        chart.x_axis.title = "Editions changed in a future"
        chart.y_axis.title = "Futures"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=head, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        chart.height, chart.width = 7.5, 15
        ws.add_chart(chart, f"E{head}")
        # the chart beside the table is 15 rows tall: keep what follows below it
        for _ in range(head + 15 - last):
            ws.append([])
    else:
        ws.append(["No futures were sampled."])
    ws.append([])

    _faults(ws, EDITIONS_AT_FAULT, report.editions_at_fault, "No edition was broken.")
    _faults(ws, PEOPLE_AT_FAULT, report.people_at_fault, "No one's absence broke an edition.")

    _header(ws, FUTURE_HEADER)
    for f in report.futures:
        people = dict.fromkeys(p for who in f.broken.values() for p in who)
        wo_plan, wi_plan = f.without_backups, f.with_backups
        ws.append([f.sample, f.days_away, len(f.broken), ", ".join(f.broken) or None, ", ".join(people) or None,
                   ", ".join(f.saved) or None, len(wo_plan.changed), len(wo_plan.moved), len(wo_plan.dropped),
                   len(wi_plan.changed), len(wi_plan.moved), len(wi_plan.dropped), wo_plan.status, wi_plan.status,
                   _yes(wo_plan.unfrozen), _yes(wi_plan.unfrozen)])

    ws.column_dimensions["A"].width = 48
    for col in range(2, len(FUTURE_HEADER) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    for letter in "DEF":
        ws.column_dimensions[letter].width = 30
    return wb


def write_robustness_workbook(report: RobustnessReport, path: str | Path) -> None:
    """Write :func:`robustness_workbook` to ``path`` all at once: readers see the old file or the new one."""
    buf = io.BytesIO()
    robustness_workbook(report).save(buf)
    write_atomic(path, buf.getvalue())
