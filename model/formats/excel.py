"""The schedule as an Excel workbook, for planners: what they hand on to the State Migration
Service, IOM and the trainers.

Sheets: Summary (key figures, solver status and gap, penalties, the nominees' requests seated
by topic priority and by audience, warnings), Calendar (a Gantt chart by week, coloured by
module, with a legend, printable on A3 landscape), Month view (a wall calendar per month, guest
sessions on their day), Editions (with their teams, guests and backups), Guest sessions (who presents
what, on which day, for which country), Trainers and resource persons and Rooms (with their
days per month), Budget (each edition's costs by category, and the total), Gender parity
(women's share of trainer-days and of participants against the targets) and Issues (every
broken hard rule, edition left out, soft-rule penalty and warning, in planner words). Tables
are Excel tables with filters; dates are real dates; there are no formulas.

A guest gives one whole day of a course: that day counts as one trainer-day of theirs, in the
figures, their fees and their days per month, like a day of a team member.

Every figure is recomputed from the schedule by the checker (:func:`model.check.kpis`,
:func:`model.check.check`), so a hand-edited calendar exports as faithfully as a solved one.
"""

from __future__ import annotations

import calendar as month_names
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
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from model.check import Kpis, Violation, check, kpis, penalty_breakdown
from model.formats.atomic import write_atomic
from model.formats.excel_parity import add_parity_sheets
from model.formats.sheets import HEADER_FILL, HEADER_FONT, fit_widths, print_setup, wrap_headers
from model.problem import Problem
from model.rules import PARTICIPANT_SOFT_RULES, RULES, Reading
from model.rules.reading import quarter_of
from model.schedule import EditionBackups, GuestSession, Schedule, ScheduledEdition

TRAINERS_SHEET = "Trainers and resource persons"
SHEETS = ("Summary", "Calendar", "Month view", "Editions", "Guest sessions", TRAINERS_SHEET, "Rooms", "Budget",
          "Gender parity", "Participants", "Issues")
ROLE_WORDS = {"trainer": "trainer", "guest": "guest", "both": "trainer and guest"}

DATE = "yyyy-mm-dd"
WEEK = "dd mmm"
MONTH = "mmmm yyyy"
MONEY = "#,##0"
POINTS = "#,##0.0"
PERCENT = "0.0%"
COUNT_OR_BLANK = "0;-0;;@"  # a zero shows as an empty cell

# The Budget sheet's columns of an edition's costs, by category (Kpis.edition_costs), with their widths.
COST_COLUMNS: dict[str, tuple[str, float]] = {
    "fees_usd": ("Fees (USD)", 11), "travel_usd": ("Travel (USD)", 11), "room_cost_usd": ("Room (USD)", 11),
    "interpretation_usd": ("Interpretation (USD)", 13), "participant_fares_usd": ("Participants' fares (USD)", 13),
    "participant_allowances_usd": ("Allowances (USD)", 12),
}
PRIORITY_WORDS = {3: "Priority 3 (urgent)", 0: "Priority 0 (none)"}  # the Summary's demand served

WEEK_OFF_FILL = PatternFill("solid", fgColor="D9D9D9")  # a week with no working day
DAY_OFF_FILL = PatternFill("solid", fgColor="E4E4E4")  # a weekend, holiday or closure
# One pastel fill per module (ColorBrewer Set3): distinct, and black text stays readable on each.
MODULE_FILLS = tuple(
    PatternFill("solid", fgColor=c)
    for c in ("8DD3C7", "FFFFB3", "BEBADA", "FB8072", "80B1D3", "FDB462", "B3DE69", "FCCDE5")
)
TABLE_STYLE = "TableStyleLight9"

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
    """A column of a sheet: its header, widest width in characters and number format."""

    header: str | date
    width: float
    fmt: str | None = None


def module_fill(module: int) -> PatternFill:
    return MODULE_FILLS[(module - 1) % len(MODULE_FILLS)]


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
        The sheets of :data:`SHEETS`, in that order.
    """
    figures = kpis(schedule)
    violations = check(schedule)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = schedule.problem.name
    wb.properties.creator = "RTCM Planner"
    summary_sheet(wb.create_sheet("Summary"), schedule, figures, violations)
    calendar_sheet(wb.create_sheet("Calendar"), schedule)
    month_view_sheet(wb.create_sheet("Month view"), schedule)
    editions_sheet(wb.create_sheet("Editions"), schedule, figures)
    guest_sessions_sheet(wb.create_sheet("Guest sessions"), schedule)
    trainers_sheet(wb.create_sheet(TRAINERS_SHEET), schedule, figures)
    rooms_sheet(wb.create_sheet("Rooms"), schedule, figures)
    budget_sheet(wb.create_sheet("Budget"), schedule, figures)
    add_parity_sheets(wb, schedule)  # "Gender parity" and "Participants"
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


def excel_table(ws: Worksheet, name: str, first_row: int, n_cols: int, last_row: int) -> None:
    """Make the block from ``first_row`` (headers) to ``last_row`` an Excel table with filters."""
    ref = f"A{first_row}:{get_column_letter(n_cols)}{max(last_row, first_row + 1)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)


def table(ws: Worksheet, name: str, cols: Sequence[Col], rows: Iterable[Sequence[Any]], *,
          freeze: str = "A2", title_rows: str | None = "1:1") -> int:
    """A sheet that is one Excel table: headers on row 1, frozen, filtered; return the next free row."""
    header_row(ws, 1, cols)
    end = write_rows(ws, 2, cols, rows)
    ws.freeze_panes = freeze
    excel_table(ws, name, 1, len(cols), end - 1)
    fit_widths(ws, [c.width for c in cols])
    wrap_headers(ws, 1)
    print_setup(ws, title_rows=title_rows)
    return end


def words(value: str | None) -> str:
    """``in_person`` -> ``in person``, for values a planner reads."""
    return (value or "").replace("_", " ")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def month_label(year: int, month: int) -> str:
    return f"{month_names.month_abbr[month]} {year}"


def days_per_month(schedule: Schedule, key: str) -> dict[str, Counter[tuple[int, int]]]:
    """Days per (year, month) each person gives (``key="trainer"``: course days and guest days)
    or each room is in use (``"room"``)."""
    out: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for se in schedule.editions:
        if key == "trainer":
            for t, d in se.person_days():
                out[t][(d.year, d.month)] += 1
        elif se.room:
            out[se.room].update((d.year, d.month) for d in se.days)
    return out


def slot_title(p: Problem, se: ScheduledEdition, slot: str) -> str:
    """What a guest slot presents ('Regional best practice'); its id when it has no title."""
    found = p.guest_slot(se.edition, slot)
    return (found.title or found.id) if found else slot


def represents(p: Problem, person: str) -> str:
    """The country a guest represents, else their organisation ('unknown' for an unknown id)."""
    tr = p.trainer_by_id.get(person)
    return (tr.country or tr.organisation) if tr else "unknown"


def guest_name(p: Problem, person: str) -> str:
    """'T71 Nino (Georgia)': a guest with the country they represent, else their organisation."""
    tr = p.trainer_by_id.get(person)
    return f"{person} {tr.name} ({represents(p, person)})" if tr else f"{person} (unknown)"


def guest_sessions(se: ScheduledEdition) -> list[GuestSession]:
    """An edition's guest sessions by day."""
    return sorted(se.guests, key=lambda g: (g.day, g.slot, g.person))


def guests_text(p: Problem, se: ScheduledEdition) -> str:
    """'Regional best practice: T71 Nino (Georgia), 2027-03-10; ...': an edition's guests by day."""
    return "; ".join(f"{slot_title(p, se, g.slot)}: {guest_name(p, g.person)}, {g.day.isoformat()}"
                     for g in guest_sessions(se))


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
    busiest_month = max(k.days_by_month.items(), key=lambda kv: kv[1], default=("", 0))
    busiest_trainer = max(k.trainer_days.items(), key=lambda kv: kv[1], default=("", 0))
    trainer_name = p.trainer_by_id[busiest_trainer[0]].name if busiest_trainer[0] in p.trainer_by_id else ""
    figures: list[tuple[str, Any, str | None, str]] = [
        ("Problem", p.name, None, ""),
        ("Horizon starts", p.calendar.start, DATE, ""),
        ("Horizon ends", p.calendar.end, DATE, ""),
        ("Working days", len(p.work_calendar), None, "weekends, holidays and closures excluded"),
        ("Solver status", status, None, status_note),
        ("Objective", objective, POINTS, objective_note),
        ("Bound", solver.bound if solver else None, POINTS, "no calendar can score below this"),
        ("Gap", solver.gap if solver else None, PERCENT,
         "(objective - bound) / objective, a bound below 0 counted as 0"),
        ("Runtime (s)", solver.runtime_s if solver else None, "0.0", ""),
        ("Calendars found", solver.solutions if solver else None, None,
         "by the solver, each better than the last"),
        ("Editions scheduled", k.editions_scheduled, None, f"of {k.editions_total} in the programme"),
        ("Mandatory editions unscheduled", k.mandatory_unscheduled, None, ""),
        ("Optional editions left out", k.optional_left_out, None, ""),
        ("Hard rules broken", len(violations), None, "see the Issues sheet" if violations else ""),
        ("Training days", k.training_days, None, "sum of the editions' days"),
        ("Guest sessions", sum(len(se.guests) for se in schedule.editions), None,
         "a day each, given by a guest besides the team; counted in the trainer-days"),
        *_country_rows(schedule, k),
        ("Busiest month", busiest_month[1], None,
         busiest_month[0] and f"training days in {busiest_month[0]}"),
        ("Busiest trainer", busiest_trainer[1], None,
         busiest_trainer[0] and f"training days of {busiest_trainer[0]} {trainer_name}".rstrip()),
        ("Trainer-days, women", g.get("woman", 0), None, ""),
        ("Trainer-days, men", g.get("man", 0), None, ""),
        ("Trainer-days, another identity", g.get("another_identity", 0), None, ""),
        ("Trainer-days, undisclosed", g.get("undisclosed", 0), None, ""),
        ("Share of women", k.women_share_of_trainer_days, PERCENT,
         "of trainer-days; undisclosed gender is excluded from the share"),
        ("Trainer fees (USD)", k.fees_usd, MONEY, "teams' and guests' day rates"),
        ("Travel (USD)", k.travel_usd, MONEY, "one trip per person for each edition held in a room"),
        ("Room costs (USD)", k.room_cost_usd, MONEY, ""),
        ("Interpretation (USD)", k.interpretation_usd, MONEY, ""),
        ("Participants' fares (USD)", k.participant_fares_usd, MONEY, "in-person seats: a return fare by country"),
        ("Participants' allowances (USD)", k.participant_allowances_usd, MONEY,
         "in-person seats: a night's allowance per course day"),
        ("Total cost (USD)", k.cost_usd, MONEY, "fees + travel + rooms + interpretation + participants' fares "
                                                "and allowances; each edition's on the Budget sheet"),
        ("Budget (USD)", schedule.problem.budget_usd, MONEY, "" if schedule.problem.budget_usd is not None
         else "no cap set"),
        ("Seats in person", k.seats_by_mode.get("in_person", 0), None, ""),
        ("Seats online", k.seats_by_mode.get("online", 0), None, ""),
        ("Cost per participant-day (USD)", k.cost_per_participant_day_usd, MONEY,
         "the total cost over the seats' course days"),
    ]
    if schedule.backups is not None:
        b = schedule.backups
        figures.append(("Team members with a backup", b.covered, None,
                        f"of {b.roles}; {b.complete} of {len(b.editions)} editions have one for every member "
                        "and room (see the Editions sheet)"))
    report = solver.allocation if solver else None
    if p.nominations:
        figures += [
            ("Nominations", len(p.nominations), None, "people nominated for training"),
            ("Seats allocated", len(schedule.allocations), None,
             f"allocation {report.status}" if report else "no allocation report"),
            ("Nominated topics without a seat", len(schedule.unplaced), None, "see the Issues sheet"),
        ]
    cols = [Col("Figure", 34), Col("Value", 28), Col("Note", 70), Col("", 10), Col("", 12)]
    header_row(ws, 1, cols[:3])
    for r, (label, value, fmt, note) in enumerate(figures, start=2):
        ws.cell(row=r, column=1, value=label)
        cell = ws.cell(row=r, column=2, value=value if value is not None else "n/a")
        cell.alignment = Alignment(horizontal="left")
        if fmt and value is not None:
            cell.number_format = fmt
        ws.cell(row=r, column=3, value=note or None)
    excel_table(ws, "Figures", 1, 3, len(figures) + 1)
    ws.freeze_panes = "A2"

    r = len(figures) + 3
    penalty_cols = [Col("Soft rule", 34), Col("Amount", 28), Col("Unit", 70),
                    Col("Weight", 10), Col("Points", 12, POINTS)]
    header_row(ws, r, penalty_cols)
    rows = [(x.name, round(x.amount, 2), x.unit, x.weight, x.points) for x in k.penalties]
    end = write_rows(ws, r + 1, penalty_cols, rows)
    for row in ws.iter_rows(min_row=r + 1, max_row=end - 1, min_col=2, max_col=2):
        row[0].alignment = Alignment(horizontal="left")
    excel_table(ws, "Penalties", r, 5, end - 1)
    r = end
    ws.cell(row=r, column=1, value="Total").font = HEADER_FONT
    total = ws.cell(row=r, column=5, value=k.objective)
    total.font = HEADER_FONT
    total.number_format = POINTS
    if k.requests_by_priority:
        r = _demand_table(ws, r + 2, k)

    for title, lines in (("Diagnosis", solver.diagnosis if solver else []),
                         ("Warnings", solver.warnings if solver else [])):
        if not lines:
            continue
        r += 2
        ws.cell(row=r, column=1, value=title).font = HEADER_FONT
        for line in lines:
            r += 1
            ws.cell(row=r, column=1, value=line)
    fit_widths(ws, [c.width for c in cols], last_row=end)
    print_setup(ws, title_rows=None)


def _demand_table(ws: Worksheet, first_row: int, k: Kpis) -> int:
    """Demand served: the topic requests and those seated, in all, by topic priority and by audience
    (those with requests), as a table from ``first_row``, then a note; return the note's row."""
    cols = [Col("Requests seated", 34), Col("Requests", 28), Col("Seated", 70), Col("Share seated", 10, PERCENT)]
    groups = [("All requests", k.requests_total, k.seated_total)]
    groups += [(PRIORITY_WORDS.get(level, f"Priority {level}"), asked, k.seated_by_priority[level])
               for level, asked in k.requests_by_priority.items()]
    groups += [(f"Audience: {words(audience)}", asked, k.seated_by_audience[audience])
               for audience, asked in k.requests_by_audience.items()]
    header_row(ws, first_row, cols)
    end = write_rows(ws, first_row + 1, cols, [(label, asked, seated, seated / asked)
                                               for label, asked, seated in groups])
    for line in ws.iter_rows(min_row=first_row + 1, max_row=end - 1, min_col=2, max_col=3):
        for cell in line:
            cell.alignment = Alignment(horizontal="left")
    excel_table(ws, "DemandServed", first_row, len(cols), end - 1)
    ws.cell(row=end, column=1, value="A request: a nominee and a topic of their list; seated: the nominee sits "
                                     "in an edition of that topic.")
    return end


def calendar_sheet(ws: Worksheet, schedule: Schedule) -> None:
    """One row per edition, one column per week: a Gantt chart coloured by module, then its legend."""
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
        head.alignment = Alignment(horizontal="center", text_rotation=90)
        if w not in working_weeks:
            head.fill = WEEK_OFF_FILL
    ws.row_dimensions[1].height = 42
    editions = schedule.sorted_editions()
    for r, se in enumerate(editions, start=2):
        fill = module_fill(se.module)
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
    ws.auto_filter.ref = f"A1:C{max(len(editions) + 1, 1)}"

    r = len(editions) + 3
    ws.cell(row=r, column=1, value="Legend").font = HEADER_FONT
    ws.cell(row=r, column=3, value="Each coloured cell: the course's training days in that week "
                                   "(weeks start on Monday).")
    for m in p.modules:
        r += 1
        ws.cell(row=r, column=1, value=f"Module {m.number}")
        ws.cell(row=r, column=2, value=m.number).fill = module_fill(m.number)
        ws.cell(row=r, column=3, value=m.title)
    r += 1
    ws.cell(row=r, column=2).fill = WEEK_OFF_FILL
    ws.cell(row=r, column=3, value="A week header in grey: a week with no working day")
    print_setup(ws, paper="A3", title_rows="1:1", title_cols="A:C")


def month_view_sheet(ws: Worksheet, schedule: Schedule) -> None:
    """A wall calendar: per month, one row per week, one column per weekday, the courses in each day
    and, under a course, each guest presenting in it that day."""
    p = schedule.problem
    cal = p.work_calendar
    on_day: dict[date, list[ScheduledEdition]] = defaultdict(list)
    for se in schedule.sorted_editions():
        for d in se.days:
            on_day[d].append(se)
    cols = [Col("Week of", 10, WEEK)] + [Col(name, 24) for name in month_names.day_name]
    header_row(ws, 1, cols)
    for j in range(2, 9):
        ws.cell(row=1, column=j).alignment = Alignment(horizontal="center")
    ws.freeze_panes = "B2"
    r = 2
    for y, m in cal.months:
        if r > 2:
            ws.row_breaks.append(Break(id=r - 1))  # a month per printed page
        title = ws.cell(row=r, column=1, value=date(y, m, 1))
        title.number_format = MONTH
        title.font = Font(bold=True, size=13)
        title.alignment = Alignment(horizontal="left")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
        ws.row_dimensions[r].height = 20
        r += 1
        first = date(y, m, 1)
        last = date(y, m, month_names.monthrange(y, m)[1])
        week = monday(first)
        while week <= last:
            label = ws.cell(row=r, column=1, value=week)
            label.number_format = WEEK
            label.alignment = Alignment(horizontal="left", vertical="top")
            lines = 1
            for i in range(7):
                d = week + timedelta(days=i)
                if d.month != m or not p.calendar.start <= d <= p.calendar.end:
                    continue
                text = [str(d.day)]
                cell = ws.cell(row=r, column=2 + i)
                courses = on_day.get(d, [])
                for se in courses:
                    text.append(f"{se.edition} {se.room or 'online'}")
                    text += [f"guest {g.person} ({represents(p, g.person)})"
                             for g in guest_sessions(se) if g.day == d]
                if courses:
                    cell.fill = module_fill(courses[0].module)
                elif d not in cal.index:
                    reason = cal.off.get(d, "")
                    if reason and reason != "weekend":
                        text.append(reason)
                    cell.fill = DAY_OFF_FILL
                cell.value = "\n".join(text)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                lines = max(lines, len(text))
            ws.row_dimensions[r].height = max(30, 13 * lines)
            r += 1
            week += timedelta(days=7)
    for j, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width
    print_setup(ws)


BACKUP_COLUMNS = (Col("Backups", 24), Col("Backup room", 12), Col("Why no backup", 70))


def backup_cells(se: ScheduledEdition, backups: EditionBackups | None) -> tuple[str | None, str | None, str | None]:
    """An edition's backups as the Editions sheet shows them: "T03 → T11; T07 → none", its backup
    room ("none", or nothing online) and why a role has none ("T07: ...; room: ...")."""
    if backups is None:  # an edition added since the backups were chosen
        return "not chosen", None, None
    team = "; ".join(f"{m.trainer} → {m.backup or 'none'}" for m in backups.members) or None
    why = [f"{m.trainer}: {m.reason}" for m in backups.members if not m.backup and m.reason]
    if se.room is not None and backups.backup_room is None and backups.room_reason:
        why.append(f"room: {backups.room_reason}")
    room = backups.backup_room or ("none" if se.room is not None else None)
    return team, room, "; ".join(why) or None


def editions_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every scheduled edition with its dates, place, team, guests, participants and languages, and
    its backups when the schedule carries them."""
    p = schedule.problem
    trainers = p.trainer_by_id
    cols = [
        Col("Edition", 11), Col("Topic", 8), Col("Number", 8), Col("Module", 8), Col("Title", 50),
        Col("Start", 12, DATE), Col("End", 12, DATE), Col("Days", 6), Col("Mode", 10),
        Col("Venue", 10), Col("Room", 12), Col("Trainers", 16), Col("Trainer names", 60),
        Col("Guests", 70), Col("In person", 10), Col("Online", 8), Col("Women on team", 9),
        Col("Language", 9), Col("Interpreted into", 11), Col("Interpretation (USD)", 12, MONEY),
    ]
    standing = any(se.standbys for se in schedule.editions)
    if standing:
        cols.append(Col("Standbys", 16))
    report = schedule.backups
    if report is not None:
        cols += BACKUP_COLUMNS
    chosen = {e.edition: e for e in report.editions} if report is not None else {}
    reading = Reading(schedule)
    rows = []
    for se in schedule.sorted_editions():
        item = p.edition_by_id[se.edition].item if se.edition in p.edition_by_id else None
        talk = reading.edition_interpretation_cost(se)
        rows.append((
            se.edition, se.topic, se.number, se.module, se.title, se.start, se.end, len(se.days),
            words(se.mode), se.venue, se.room, ", ".join(se.trainers),
            "; ".join(trainers[t].name if t in trainers else f"{t} (unknown)" for t in se.trainers),
            guests_text(p, se) or None, se.participants_in_person, se.participants_online,
            k.edition_trainer_gender.get(se.edition, {}).get("woman", 0),
            item.language if item else None, ", ".join(item.interpretation) if item else None, talk,
            *((", ".join(se.standbys) or None,) if standing else ()),
            *(backup_cells(se, chosen.get(se.edition)) if report is not None else ())))
    table(ws, "EditionsTable", cols, rows, freeze="B2")


def _country_rows(schedule: Schedule, k: Kpis) -> list[tuple[str, int, None, str]]:
    """Each country's guest sessions (countries take turns), against the team rules' minimum."""
    if not any(se.guests for se in schedule.editions):
        return []
    least = schedule.problem.team_rules.country_sessions_min
    return [(f"Guest sessions, {country}", n, None,
             (f"below the minimum of {least}" if n < least else f"minimum {least}") if least else "")
            for country, n in k.country_sessions.items()]


def guest_sessions_sheet(ws: Worksheet, schedule: Schedule) -> None:
    """One row per guest session, by date: who presents what, in which edition, for which country.

    Travel is the trip that brings the guest to an edition held in a room (none online).
    """
    p = schedule.problem
    cols = [
        Col("Date", 12, DATE), Col("Edition", 11), Col("Topic title", 40), Col("Slot", 30), Col("Person", 9),
        Col("Name", 28), Col("Organisation", 14), Col("Country", 14), Col("Languages", 12),
        Col("Day rate (USD)", 10, MONEY), Col("Travel (USD)", 10, MONEY),
    ]
    sessions = sorted(((g, se) for se in schedule.editions for g in se.guests),
                      key=lambda gs: (gs[0].day, gs[1].edition, gs[0].slot, gs[0].person))
    rows = []
    for g, se in sessions:
        tr = p.trainer_by_id.get(g.person)
        # One session per person and edition, never by a team member: the trip is the session's.
        travel = Reading.trip_cost(se, tr) if tr else 0
        rows.append((g.day, se.edition, se.title, slot_title(p, se, g.slot), g.person,
                     tr.name if tr else "(unknown)", tr.organisation if tr else None, tr.country if tr else None,
                     ", ".join(tr.languages) if tr else None, tr.day_rate if tr else None, travel))
    table(ws, "GuestSessionsTable", cols, rows, freeze="C2")


def trainers_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every trainer and resource person, active or not: their role, the editions they teach
    whole and the guest sessions they give, their days, fees, travel and days per month."""
    reading = Reading(schedule)
    on_team: dict[str, list[str]] = defaultdict(list)
    sessions: dict[str, list[str]] = defaultdict(list)
    delivered: dict[str, set[str]] = defaultdict(set)
    course_days: Counter[str] = Counter()
    travel: Counter[str] = Counter()
    for se in schedule.sorted_editions():
        for t in dict.fromkeys(se.trainers):
            on_team[t].append(se.edition)
            course_days[t] += len(se.days)
            delivered[t].add(se.edition)
        for g in guest_sessions(se):
            sessions[g.person].append(f"{se.edition} {g.day.isoformat()}")
            delivered[g.person].add(se.edition)
        for tr in reading.people(se):
            travel[tr.id] += reading.trip_cost(se, tr)
    months = schedule.problem.work_calendar.months
    per_month = days_per_month(schedule, "trainer")
    cols = [
        Col("Trainer", 9), Col("Name", 32), Col("Role", 10), Col("Gender", 12), Col("Organisation", 14),
        Col("Country", 14), Col("Fictional", 9), Col("Editions on the team", 50), Col("Course days", 9),
        Col("Guest sessions", 40), Col("Guest days", 9), Col("Training days", 9),
        Col("Max days / year", 9), Col("Day rate (USD)", 10, MONEY), Col("Fees (USD)", 11, MONEY),
        Col("Travel (USD)", 10, MONEY), Col("Editions", 9),
    ] + [Col(month_label(y, m), 9, COUNT_OR_BLANK) for y, m in months]
    rows = []
    for tr in schedule.problem.trainers:
        days = k.trainer_days.get(tr.id, 0)
        rows.append((tr.id, tr.name, ROLE_WORDS.get(tr.role, tr.role), words(tr.gender), tr.organisation,
                     tr.country, yes_no(tr.fictional), ", ".join(on_team[tr.id]), course_days[tr.id],
                     ", ".join(sessions[tr.id]), len(sessions[tr.id]), days, tr.max_days_per_year, tr.day_rate,
                     days * tr.day_rate, travel[tr.id], len(delivered[tr.id]),
                     *(per_month[tr.id][ym] for ym in months)))
    table(ws, "TrainersTable", cols, rows, freeze="C2")
    ws.cell(row=len(rows) + 3, column=1, value="Training days: course days on teams plus guest days, one "
                                               "trainer-day each. Months: the days given in each.")


def rooms_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every room with its capacity, days in use, cost and days in use per month."""
    months = schedule.problem.work_calendar.months
    per_month = days_per_month(schedule, "room")
    cols = [
        Col("Venue", 10), Col("Room", 12), Col("Name", 36), Col("Seats", 7), Col("Hybrid", 8),
        Col("Online seats", 8), Col("Days used", 8), Col("Use", 8, PERCENT),
        Col("Day cost (USD)", 10, MONEY), Col("Cost (USD)", 11, MONEY),
    ] + [Col(month_label(y, m), 9, COUNT_OR_BLANK) for y, m in months]
    rows = [
        (v.id, r.id, r.name, r.seats, yes_no(r.hybrid), r.online_seats, k.room_days.get(r.id, 0),
         k.room_use.get(r.id, 0.0), r.day_cost, k.room_days.get(r.id, 0) * r.day_cost,
         *(per_month[r.id][ym] for ym in months))
        for v, r in schedule.problem.rooms
    ]
    table(ws, "RoomsTable", cols, rows, freeze="C2")
    ws.cell(row=len(rows) + 3, column=1, value="Use: share of the horizon's working days the room is booked. "
                                               "Months: days in use.")


def budget_sheet(ws: Worksheet, schedule: Schedule, k: Kpis) -> None:
    """Every edition's cost by category (``Kpis.edition_costs``, the rules' own figures), its seats and
    cost per participant-day, and the programme's total in the last row."""
    r = Reading(schedule)
    seats: dict[str, list[str]] = defaultdict(list)
    for a, _, se, _ in r.seat_costs:
        seats[se.edition].append(a.mode)
    cols = [
        Col("Edition", 11), Col("Title", 40), Col("Start", 12, DATE), Col("Mode", 10), Col("Days", 6),
        *(Col(header, width, MONEY) for header, width in COST_COLUMNS.values()),
        Col("Total (USD)", 12, MONEY), Col("Seats in person", 9),
        Col("Seats online", 9), Col("Cost per participant-day (USD)", 14, MONEY),
    ]
    rows: list[Sequence[Any]] = []
    for _, se in r.placed:
        modes = seats.get(se.edition, [])
        costs, cost = k.edition_costs[se.edition], k.edition_cost_usd(se.edition)
        days = len(modes) * len(se.days)
        rows.append((se.edition, se.title, se.start, se.mode, len(se.days), *(costs[c] for c in COST_COLUMNS),
                     cost, modes.count("in_person"), modes.count("online"), cost / days if days else None))
    table(ws, "BudgetTable", cols, rows, freeze="C2")
    # The programme's total, below the table (out of its filters and sorting).
    total = ("Total", "", None, "", sum(len(se.days) for _, se in r.placed), *(getattr(k, c) for c in COST_COLUMNS),
             k.cost_usd, k.seats_by_mode.get("in_person", 0), k.seats_by_mode.get("online", 0),
             k.cost_per_participant_day_usd)
    for i, (col, figure) in enumerate(zip(cols, total, strict=True), start=1):
        cell = ws.cell(row=len(rows) + 2, column=i, value=figure)
        cell.font = Font(bold=True)
        if col.fmt:
            cell.number_format = col.fmt
    budget = schedule.problem.budget_usd
    note = (f"Budget {budget:,} USD: {budget - k.cost_usd:,} USD left." if budget is not None else "No budget cap set.")
    ws.cell(row=len(rows) + 4, column=1, value=note + " Travel: one trip per person delivering an edition held in "
            "a room. Participants: in-person seats only (online seats cost nothing).")
    _quarters_table(ws, len(rows) + 6, schedule, r)
    fit_widths(ws, [max(c.width, q.width) for c, q in zip(cols, [*QUARTER_COLUMNS, *cols[len(QUARTER_COLUMNS):]],
                                                              strict=True)])


# The Budget sheet's spending by quarter, below the editions: each in the column of the editions' table
# whose width suits it.
QUARTER_COLUMNS = (Col("Quarter", 11), Col("Editions starting", 10), Col("Spent (USD)", 12, MONEY),
                   Col("Cap (USD)", 12, MONEY), Col("Left (USD)", 12, MONEY))


def _quarters_table(ws: Worksheet, first_row: int, schedule: Schedule, r: Reading) -> None:
    """Each quarter of the horizon: the editions starting in it, what they cost (all categories, seats
    included: ``Reading.quarter_costs``), its cap and what is left of it."""
    p = schedule.problem
    spent = r.quarter_costs()
    starting = Counter(quarter_of(se.start) for _, se in r.placed)
    quarters = sorted({quarter_of(d) for d in p.work_calendar.days} | set(spent) | set(p.quarterly_budget_usd))
    rows = []
    for q in quarters:
        cap = p.quarterly_budget_usd.get(q)
        rows.append((q, starting[q], spent[q], cap, None if cap is None else cap - spent[q]))
    for j, col in enumerate(QUARTER_COLUMNS, start=1):
        cell = ws.cell(row=first_row, column=j, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    end = write_rows(ws, first_row + 1, QUARTER_COLUMNS, rows)
    excel_table(ws, "QuartersTable", first_row, len(QUARTER_COLUMNS), end - 1)
    ws.cell(row=end, column=1, value="An edition's costs count in the quarter of its first day. A quarter "
                                     "without a cap shows none." if p.quarterly_budget_usd else
            "No quarterly cap set: what the editions starting in each quarter cost.")


def issues_sheet(ws: Worksheet, schedule: Schedule, violations: list[Violation]) -> None:
    """Broken hard rules, unscheduled editions, the solver's notes, then every soft-rule penalty."""
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
        allocation = schedule.solver.allocation
        if allocation:
            rows += [("Allocation diagnosis", "", "", "", line) for line in allocation.diagnosis]
    # Every soft-rule penalty record by record, as the rules' evaluators charge it.
    items = penalty_breakdown(schedule)
    if schedule.problem.nominations:  # the allocation's own, weighed apart from the calendar's objective
        items += penalty_breakdown(schedule, PARTICIPANT_SOFT_RULES)
    # A nomination without a seat is one row: its charge (if the rule weighs) with the reason the
    # allocation found.
    why = {(n.nominee, n.topic): n.reason for n in schedule.unplaced}
    unplaced = RULES["nomination_unplaced"]
    for it in items:
        key = (it.records[0], it.records[1]) if it.rule == unplaced.id and len(it.records) == 2 else None
        reason = why.pop(key, None) if key else None
        rows.append(("Nomination not placed" if key else "Soft rule", it.rule, it.name, ", ".join(it.records),
                     f"{it.message}; why: {reason}" if reason else it.message))
    rows += [("Nomination not placed", unplaced.id, unplaced.name, f"{nominee}, {topic}", reason)
             for (nominee, topic), reason in why.items()]
    cols = [Col("Kind", 20), Col("Rule", 34), Col("Rule name", 56), Col("Records", 28), Col("Message", 100)]
    table(ws, "IssuesTable", cols, rows)
