"""The schedule as an Excel workbook, for planners: summary, calendar, editions, people, rooms, issues.

Every figure is recomputed from the schedule by the checker (:func:`model.check.kpis`,
:func:`model.check.check`), so a hand-edited calendar exports as faithfully as a solved one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.check import Kpis, Violation, check, kpis
from model.formats.files import write_atomic
from model.rules import RULES
from model.schedule import Schedule

SHEETS = ("Summary", "Calendar", "Editions", "Trainers", "Rooms", "Issues")

DATE = "yyyy-mm-dd"
WEEK = "dd mmm"
MONEY = "#,##0"
POINTS = "#,##0.0"
PERCENT = "0.0%"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WEEK_OFF_FILL = PatternFill("solid", fgColor="D9D9D9")  # a week with no working day
# One pastel fill per module (ColorBrewer Set3): distinct, and black text stays readable on each.
MODULE_FILLS = tuple(
    PatternFill("solid", fgColor=c)
    for c in ("8DD3C7", "FFFFB3", "BEBADA", "FB8072", "80B1D3", "FDB462", "B3DE69", "FCCDE5")
)

STATUS_NOTE = {
    "OPTIMAL": "proven the best calendar for these weights",
    "FEASIBLE": "meets every hard rule; not proven the best (see the gap)",
    "INFEASIBLE": "no calendar meets every hard rule together (see the diagnosis)",
    "UNKNOWN": "no calendar found in the time allowed",
    "MODEL_INVALID": "the solver rejected the model: a bug, please report it",
    "INVALID_INPUT": "the problem did not validate",
}


@dataclass(frozen=True)
class Col:
    """A column of a sheet: its header, width in characters and number format."""

    header: str | date
    width: float
    fmt: str | None = None


def schedule_workbook(schedule: Schedule) -> Workbook:
    """Build the planner's workbook of a schedule.

    Parameters
    ----------
    schedule
        A schedule with its problem; it need not come from the solver, nor be valid:
        broken hard rules are listed on the Issues sheet.

    Returns
    -------
    openpyxl.Workbook
        Sheets Summary, Calendar, Editions, Trainers, Rooms and Issues, in that order.
    """
    figures = kpis(schedule)
    violations = check(schedule)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = schedule.problem.name
    wb.properties.creator = "RTCM Planner"
    summary_sheet(wb.create_sheet("Summary"), schedule, figures, violations)
    calendar_sheet(wb.create_sheet("Calendar"), schedule)
    editions_sheet(wb.create_sheet("Editions"), schedule, figures)
    trainers_sheet(wb.create_sheet("Trainers"), schedule, figures)
    rooms_sheet(wb.create_sheet("Rooms"), schedule, figures)
    issues_sheet(wb.create_sheet("Issues"), schedule, violations)
    return wb


def write_schedule_workbook(schedule: Schedule, path: str | Path) -> None:
    """Write the planner's workbook of a schedule to an ``.xlsx`` file, atomically.

    Parameters
    ----------
    schedule
        The schedule to export.
    path
        The file to write; readers see the old file or the new one, never half of it.
    """
    buffer = BytesIO()
    schedule_workbook(schedule).save(buffer)
    write_atomic(path, buffer.getvalue())


# ------------------------------------------------------------------------------ helpers


def header_row(ws: Worksheet, row: int, cols: Sequence[Col]) -> None:
    """Write bold, shaded headers on ``row`` and set the column widths."""
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=row, column=j, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = col.width


def write_rows(ws: Worksheet, first_row: int, cols: Sequence[Col], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` from ``first_row`` with each column's number format; return the next free row."""
    r = first_row
    for values in rows:
        for j, (col, value) in enumerate(zip(cols, values, strict=True), start=1):
            cell = ws.cell(row=r, column=j, value=value)
            if col.fmt and value is not None:
                cell.number_format = col.fmt
        r += 1
    return r


def table(ws: Worksheet, cols: Sequence[Col], rows: Iterable[Sequence[Any]], *,
          freeze: str = "A2", filter_cols: int | None = None) -> int:
    """A sheet that is one table: header on row 1, frozen, filtered; return the next free row."""
    header_row(ws, 1, cols)
    end = write_rows(ws, 2, cols, rows)
    ws.freeze_panes = freeze
    last = get_column_letter(filter_cols or len(cols))
    ws.auto_filter.ref = f"A1:{last}{max(end - 1, 1)}"
    return end


def words(value: str | None) -> str:
    """``in_person`` -> ``in person``, for values a planner reads."""
    return (value or "").replace("_", " ")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


# ------------------------------------------------------------------------------- sheets


def summary_sheet(ws: Worksheet, schedule: Schedule, k: Kpis, violations: list[Violation]) -> None:
    """Key figures, then the soft-rule penalties, then the solver's diagnosis and warnings."""
    p = schedule.problem
    solver = schedule.solver
    status = solver.status if solver else "not solved"
    status_note = STATUS_NOTE.get(status, "no solver report: a hand-made or edited calendar")
    objective = solver.objective if solver and solver.objective is not None else k.objective
    objective_note = "points: the lower, the better"
    if solver is None or solver.objective is None:
        objective_note += "; recomputed from the calendar"
    elif abs(solver.objective - k.objective) > 0.01:
        objective_note += f"; {k.objective:g} recomputed from this calendar (edited since the solve?)"
    g = k.trainer_days_by_gender
    figures: list[tuple[str, Any, str | None, str]] = [
        ("Problem", p.name, None, ""),
        ("Horizon starts", p.calendar.start, DATE, ""),
        ("Horizon ends", p.calendar.end, DATE, ""),
        ("Working days", len(p.work_calendar), None, "weekends, holidays and closures excluded"),
        ("Solver status", status, None, status_note),
        ("Objective", objective, POINTS, objective_note),
        ("Bound", solver.bound if solver else None, POINTS, "no calendar can score below this"),
        ("Gap", solver.gap if solver else None, PERCENT, "(objective - bound) / objective"),
        ("Runtime (s)", solver.runtime_s if solver else None, "0.0", ""),
        ("Editions scheduled", k.editions_scheduled, None, f"of {k.editions_total} in the programme"),
        ("Mandatory editions unscheduled", k.mandatory_unscheduled, None, ""),
        ("Optional editions left out", k.optional_left_out, None, ""),
        ("Hard rules broken", len(violations), None, "see the Issues sheet" if violations else ""),
        ("Training days", k.training_days, None, "sum of the editions' days"),
        ("Trainer-days, women", g.get("woman", 0), None, ""),
        ("Trainer-days, men", g.get("man", 0), None, ""),
        ("Trainer-days, another identity", g.get("another_identity", 0), None, ""),
        ("Trainer-days, undisclosed", g.get("undisclosed", 0), None, ""),
        ("Share of women", k.women_share_of_trainer_days, PERCENT,
         "of trainer-days; undisclosed gender is excluded from the share"),
        ("Trainer fees (USD)", k.fees_usd, MONEY, ""),
        ("Room costs (USD)", k.room_cost_usd, MONEY, ""),
        ("Total cost (USD)", k.cost_usd, MONEY, "fees + rooms"),
    ]
    cols = [Col("Figure", 34), Col("Value", 28), Col("Note", 62)]
    header_row(ws, 1, cols)
    for r, (label, value, fmt, note) in enumerate(figures, start=2):
        ws.cell(row=r, column=1, value=label)
        cell = ws.cell(row=r, column=2, value=value if value is not None else "n/a")
        if fmt and value is not None:
            cell.number_format = fmt
        ws.cell(row=r, column=3, value=note or None)
    ws.freeze_panes = "A2"

    r = len(figures) + 3
    penalty_cols = [Col("Soft rule", 34), Col("Amount", 28), Col("Unit", 62),
                    Col("Weight", 10), Col("Points", 12, POINTS)]
    header_row(ws, r, penalty_cols)
    rows = [(x.name, round(x.amount, 2), x.unit, x.weight, x.points) for x in k.penalties]
    r = write_rows(ws, r + 1, penalty_cols, rows)
    ws.cell(row=r, column=1, value="Total").font = HEADER_FONT
    total = ws.cell(row=r, column=5, value=k.objective)
    total.font = HEADER_FONT
    total.number_format = POINTS

    for title, lines in (("Diagnosis", solver.diagnosis if solver else []),
                         ("Warnings", solver.warnings if solver else [])):
        if not lines:
            continue
        r += 2
        ws.cell(row=r, column=1, value=title).font = HEADER_FONT
        for line in lines:
            r += 1
            ws.cell(row=r, column=1, value=line)


def calendar_sheet(ws: Worksheet, schedule: Schedule) -> None:
    """One row per edition, one column per week: a Gantt chart coloured by module."""
    p = schedule.problem
    first, last = monday(p.calendar.start), monday(p.calendar.end)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    column_of = {w: 4 + i for i, w in enumerate(weeks)}
    working_weeks = {monday(d) for d in p.work_calendar.days}
    cols = [Col("Edition", 11), Col("Module", 8), Col("Title", 48)]
    cols += [Col(w, 6.5, WEEK) for w in weeks]
    header_row(ws, 1, cols)
    for w, j in column_of.items():
        head = ws.cell(row=1, column=j)
        head.number_format = WEEK
        head.alignment = Alignment(horizontal="center")
        if w not in working_weeks:
            head.fill = WEEK_OFF_FILL
    for r, se in enumerate(schedule.sorted_editions(), start=2):
        fill = MODULE_FILLS[(se.module - 1) % len(MODULE_FILLS)]
        ws.cell(row=r, column=1, value=se.edition)
        ws.cell(row=r, column=2, value=se.module).fill = fill
        # Wrapped text in a row of fixed height is clipped instead of spilling over the weeks.
        ws.cell(row=r, column=3, value=se.title).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15
        for w, n in sorted(Counter(monday(d) for d in se.days).items()):
            if w not in column_of:
                continue  # a day outside the horizon: the Issues sheet reports it
            cell = ws.cell(row=r, column=column_of[w], value=n)
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:C{max(len(schedule.editions) + 1, 1)}"


def editions_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every scheduled edition with its dates, place, team and participants."""
    trainers = schedule.problem.trainer_by_id
    cols = [
        Col("Edition", 11), Col("Topic", 8), Col("Number", 8), Col("Module", 8), Col("Title", 50),
        Col("Start", 12, DATE), Col("End", 12, DATE), Col("Days", 6), Col("Mode", 10),
        Col("Venue", 10), Col("Room", 12), Col("Trainers", 16), Col("Trainer names", 60),
        Col("In person", 10), Col("Online", 8), Col("Women on team", 9),
    ]
    rows = [
        (se.edition, se.topic, se.number, se.module, se.title, se.start, se.end, len(se.days),
         words(se.mode), se.venue, se.room, ", ".join(se.trainers),
         "; ".join(trainers[t].name if t in trainers else f"{t} (unknown)" for t in se.trainers),
         se.participants_in_person, se.participants_online,
         k.edition_trainer_gender.get(se.edition, {}).get("woman", 0))
        for se in schedule.sorted_editions()
    ]
    table(ws, cols, rows, freeze="B2")


def trainers_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every trainer, taught or not, with their editions, days and fees."""
    taught: dict[str, list[str]] = defaultdict(list)
    for se in schedule.sorted_editions():
        for t in dict.fromkeys(se.trainers):
            taught[t].append(se.edition)
    cols = [
        Col("Trainer", 9), Col("Name", 32), Col("Gender", 12), Col("Organisation", 14),
        Col("Fictional", 9), Col("Editions taught", 50), Col("Training days", 9),
        Col("Max days / year", 9), Col("Day rate (USD)", 10, MONEY), Col("Fees (USD)", 11, MONEY),
    ]
    rows = []
    for tr in schedule.problem.trainers:
        days = k.trainer_days.get(tr.id, 0)
        rows.append((tr.id, tr.name, words(tr.gender), tr.organisation, yes_no(tr.fictional),
                     ", ".join(taught[tr.id]), days, tr.max_days_per_year, tr.day_rate,
                     days * tr.day_rate))
    table(ws, cols, rows, freeze="B2")


def rooms_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every room with its capacity, days in use and cost."""
    cols = [
        Col("Venue", 10), Col("Room", 12), Col("Name", 36), Col("Seats", 7), Col("Hybrid", 8),
        Col("Online seats", 8), Col("Days used", 8), Col("Use", 8, PERCENT),
        Col("Day cost (USD)", 10, MONEY), Col("Cost (USD)", 11, MONEY),
    ]
    rows = [
        (v.id, r.id, r.name, r.seats, yes_no(r.hybrid), r.online_seats, k.room_days.get(r.id, 0),
         k.room_use.get(r.id, 0.0), r.day_cost, k.room_days.get(r.id, 0) * r.day_cost)
        for v, r in schedule.problem.rooms
    ]
    table(ws, cols, rows, freeze="C2")
    ws.cell(row=len(rows) + 3, column=1, value="Use: share of the horizon's working days the room is booked.")


def issues_sheet(ws: Worksheet, schedule: Schedule, violations: list[Violation]) -> None:
    """Broken hard rules, then unscheduled editions with the reason, then the solver's notes."""
    rows: list[tuple[str, str, str, str, str]] = []
    if not violations:
        rows.append(("No hard rule broken", "", "", "", "every hard rule was re-tested on this calendar"))
    rows += [("Hard rule broken", v.rule, v.name, ", ".join(v.records), v.message) for v in violations]
    for u in schedule.unscheduled:
        rule = "mandatory_edition_scheduled" if u.mandatory else "optional_edition_left_out"
        kind = "mandatory" if u.mandatory else "optional"
        rows.append(("Not scheduled", rule, RULES[rule].name, u.edition, f"{kind}: {u.reason}"))
    if schedule.solver:
        rows += [("Solver diagnosis", "", "", "", line) for line in schedule.solver.diagnosis]
        rows += [("Solver warning", "", "", "", line) for line in schedule.solver.warnings]
    cols = [Col("Kind", 20), Col("Rule", 34), Col("Rule name", 56), Col("Records", 28), Col("Message", 100)]
    table(ws, cols, rows)
