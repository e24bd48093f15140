"""The budget frontier as a workbook: a table of what each budget buys, and its chart."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from model.formats.files import write_atomic
from model.frontier import Frontier

BOLD = Font(bold=True)


def frontier_workbook(f: Frontier) -> Workbook:
    """One sheet, "Frontier": a row per budget, then a line chart of the requests seated (in all,
    in person and online) against the budget."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Frontier"
    ws.append([f"{f.problem}: what each budget buys"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Each budget solved for {f.time_limit_s:g} s; a budget keeps the best calendar of any solve at "
               "or below it (column 'From the solve at')."])
    ws.append([])
    priorities = sorted({p for pt in f.points for p in pt.requests_by_priority}, reverse=True)
    header = ["Budget (USD)", "Cost (USD)", "Editions", "Requests", "Requests seated", "In person", "Online",
              "Women's share of participants", *[f"Seated, priority {p}" for p in priorities],
              *[f"Requests, priority {p}" for p in priorities], "From the solve at (USD)", "Solver status", "Why"]
    ws.append(header)
    head = ws.max_row
    for cell in ws[head]:
        cell.font = BOLD
    for pt in f.points:
        found = pt.solved_at_usd is not None
        ws.append([pt.budget_usd, pt.cost_usd, pt.editions if found else None, pt.requests or None,
                   pt.seated if found else None, pt.in_person if found else None, pt.online if found else None,
                   pt.women_share, *[pt.seated_by_priority.get(p, 0) if found else None for p in priorities],
                   *[pt.requests_by_priority.get(p, 0) if found else None for p in priorities],
                   pt.solved_at_usd, pt.status, "; ".join(pt.why) or None])
        row = ws.max_row
        for col in (1, 2, 2 + 2 * len(priorities) + 7):
            ws.cell(row=row, column=col).number_format = "#,##0"
        ws.cell(row=row, column=8).number_format = "0.0%"
    last = ws.max_row
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    ws.column_dimensions[get_column_letter(len(header))].width = 60
    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    if last > head:
        chart = LineChart()
        chart.title = "Requests seated by budget"
        chart.x_axis.title = "Budget (USD)"
        chart.y_axis.title = "Requests seated"
        data = Reference(ws, min_col=5, max_col=7, min_row=head, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"A{last + 3}")
    return wb


def write_frontier_workbook(f: Frontier, path: str | Path) -> None:
    buf = io.BytesIO()
    frontier_workbook(f).save(buf)
    write_atomic(path, buf.getvalue())
