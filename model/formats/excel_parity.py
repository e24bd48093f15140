"""The parity sheets of the planner's workbook: "Gender parity" and "Participants".

Every number comes from :func:`model.parity.parity_report`, the report the CLI prints and
the JSON holds, so the three agree exactly (shares are written as the report's rounded
values, shown as percentages). "Gender parity" has one table per group (trainers,
participants, country caps) with pass in green and fail in red, and a chart of the
women's share by month for trainers and participants. Trainer-days include the days
guests give; when there are any, a table shows the teams' days apart from the guests'.
"Participants" lists every seat and every nomination left without one, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from model.formats.files import write_atomic
from model.parity import ParityReport, ParityRow, TrainerDaysRow, parity_report
from model.schedule import Schedule

PARITY_SHEETS = ("Gender parity", "Participants")

PERCENT = "0.00%"
DATE = "yyyy-mm-dd"
TITLE_FONT = Font(bold=True, size=13)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
# Excel's own "good" green and "bad" red; a conditional format's solid fill shows its end colour.
PASS_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
FAIL_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
TABLE_STYLE = "TableStyleLight9"

ROW_HEADERS = ("Scope", "Group", "Women", "Men", "Another identity", "Undisclosed (not in the share)",
               "Women's share", "Target", "Mode", "Status", "Reason")
ROW_WIDTHS = (12, 18, 8, 8, 10, 12, 10, 36, 10, 8, 90)
SOURCE_HEADERS = ("Scope", "Group", "Women", "Men", "Another identity", "Undisclosed (not in the share)",
                  "Women's share", "Given by", "Trainer-days")
CAP_HEADERS = ("Edition", "Country", "Participants", "Seats", "Share of seats", "Cap", "Cap (seats)", "Mode",
               "Status", "Reason")
SEAT_HEADERS = ("Nominee", "Gender", "Country", "Audience", "Edition", "Topic", "Seat", "Start", "End",
                "Preference")
UNPLACED_HEADERS = ("Nominee", "Gender", "Country", "Audience", "Topic", "Preference", "Reason")


def add_parity_sheets(workbook: Workbook, schedule: Schedule, report: ParityReport | None = None) -> None:
    """Append the "Gender parity" and "Participants" sheets to a workbook.

    Parameters
    ----------
    workbook
        The workbook to extend (e.g. the one :func:`model.formats.excel.schedule_workbook` builds).
    schedule
        The schedule with its problem, allocations and unplaced nominations.
    report
        Its parity report, when already computed.
    """
    report = report or parity_report(schedule)
    parity_sheet(workbook.create_sheet(PARITY_SHEETS[0]), report)
    participants_sheet(workbook.create_sheet(PARITY_SHEETS[1]), schedule)


def parity_workbook(schedule: Schedule, report: ParityReport | None = None) -> Workbook:
    """A workbook with the parity sheets only (what ``rtcm parity --out`` writes)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{schedule.problem.name}: gender parity"
    wb.properties.creator = "RTCM Planner"
    add_parity_sheets(wb, schedule, report)
    return wb


def write_parity_workbook(schedule: Schedule, path: str | Path, report: ParityReport | None = None) -> None:
    buffer = BytesIO()
    parity_workbook(schedule, report).save(buffer)
    write_atomic(path, buffer.getvalue())


# ------------------------------------------------------------------------------ sheets


def _print_setup(ws: Worksheet) -> None:
    """Landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "&A - page &P of &N"


def _title(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = TITLE_FONT
    return row + 1


def _table(ws: Worksheet, name: str, first: int, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           formats: dict[int, str] | None = None, status_col: int | None = None) -> int:
    """Headers on row ``first``, the rows below, as an Excel table; return the next free row."""
    for j, h in enumerate(headers, start=1):
        cell = ws.cell(row=first, column=j, value=h)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    r = first + 1
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=j, value=value)
            if formats and j in formats and value is not None:
                cell.number_format = formats[j]
            if j == len(headers) and isinstance(value, str) and len(value) > 60:
                cell.alignment = wrap  # a long reason wraps in its column rather than run off the page
        r += 1
    last = max(r - 1, first + 1)
    t = Table(displayName=name, ref=f"A{first}:{get_column_letter(len(headers))}{last}")
    t.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(t)
    if status_col is not None:
        col = get_column_letter(status_col)
        cells = f"{col}{first + 1}:{col}{last}"
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=['"pass"'], fill=PASS_FILL))
        ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=['"fail"'], fill=FAIL_FILL))
    return max(r, first + 2) + 1


def _row_values(row: ParityRow) -> tuple[Any, ...]:
    return (row.scope, row.key, row.women, row.men, row.another_identity, row.undisclosed, row.share,
            row.target, row.mode, row.status, row.reason or None)


def _source_values(row: TrainerDaysRow) -> tuple[Any, ...]:
    return (row.scope, row.key, row.women, row.men, row.another_identity, row.undisclosed, row.share,
            "guest sessions" if row.given_by == "guests" else "teams", row.days)


def parity_sheet(ws: Worksheet, report: ParityReport) -> None:
    r = _title(ws, 1, f"Gender parity: {report.problem}")
    fails = report.failures()
    summary = (f"{len(fails)} failure(s); {report.seated} seats filled, {report.unplaced} of "
               f"{report.nominations} nominations left without a seat")
    for text in [*report.notes, summary]:
        # A note spans the table's width and wraps, so that it prints on the page.
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(ROW_HEADERS))
        cell = ws.cell(row=r, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * (1 + len(text) // 190)
        r += 1
    r += 1

    r = _title(ws, r, "Women's share by month")
    month_first = r
    months = report.months()
    r = _table(ws, "ParityReportByMonth", r, ("Month", "Trainers (trainer-days)", "Participants"),
               [(m, t, p) for m, t, p in months], {2: PERCENT, 3: PERCENT})
    if months:
        chart = LineChart()
        chart.title = "Women's share by month"
        chart.y_axis.title = "women's share"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.title = "month"
        data = Reference(ws, min_col=2, max_col=3, min_row=month_first, max_row=month_first + len(months))
        cats = Reference(ws, min_col=1, min_row=month_first + 1, max_row=month_first + len(months))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, f"E{month_first}")
        r = max(r, month_first + 17)

    formats = {7: PERCENT}
    r = _title(ws, r, "Trainers (trainer-days)")
    r = _table(ws, "ParityReportTrainers", r, ROW_HEADERS, [_row_values(x) for x in report.trainers],
               formats, 10)
    if report.guest_days:
        r = _title(ws, r, f"Trainer-days: the teams' apart from the {report.guest_days} given in guest sessions")
        r = _table(ws, "ParityReportTrainerDaysBySource", r, SOURCE_HEADERS,
                   [_source_values(x) for x in report.trainer_days_by_source], formats)
    r = _title(ws, r, "Participants")
    r = _table(ws, "ParityReportParticipants", r, ROW_HEADERS,
               [_row_values(x) for x in report.participants], formats, 10)
    r = _title(ws, r, "Country caps (the largest country of each edition, and every one over its cap)")
    _table(ws, "ParityReportCountryCaps", r, CAP_HEADERS,
           [(c.edition, c.country, c.participants, c.seats, c.share, c.cap_share, c.cap_seats, c.mode,
             c.status, c.reason or None) for c in report.country_caps], {5: PERCENT, 6: PERCENT}, 9)
    for j, width in enumerate(ROW_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws)


def participants_sheet(ws: Worksheet, schedule: Schedule) -> None:
    p = schedule.problem
    by_id = p.nomination_by_id
    r = _title(ws, 1, f"Participants: {len(schedule.allocations)} seats; "
                      f"{len(schedule.unplaced)} nominations without a seat")
    r += 1
    seats = []
    for a in schedule.allocations:
        n = by_id.get(a.nominee)
        se = schedule.by_edition.get(a.edition)
        topic = se.topic if se else a.edition.split("#")[0]
        rank = n.topics.index(topic) + 1 if n and topic in n.topics else None
        seats.append((a.nominee, n.gender if n else None, n.country if n else None, n.audience if n else None,
                      a.edition, topic, a.mode, se.start if se else None, se.end if se else None, rank))
    r = _title(ws, r, "Seats")
    r = _table(ws, "ParticipantSeats", r, SEAT_HEADERS, seats, {8: DATE, 9: DATE})
    left = []
    for u in schedule.unplaced:
        n = by_id.get(u.nominee)
        rank = n.topics.index(u.topic) + 1 if n and u.topic in n.topics else None
        left.append((u.nominee, n.gender if n else None, n.country if n else None, n.audience if n else None,
                     u.topic, rank, u.reason))
    r = _title(ws, r, "Nominations without a seat")
    _table(ws, "ParticipantsUnplaced", r, UNPLACED_HEADERS, left)
    for j, width in enumerate((10, 16, 14, 16, 10, 10, 12, 11, 11, 10), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.column_dimensions["G"].width = 80
    ws.freeze_panes = "A2"
    _print_setup(ws)
