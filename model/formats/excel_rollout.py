"""The rollout as a workbook: the first year's sheets in full, and a "Rollout" sheet by year and quarter."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from model.formats.excel import module_fill, schedule_workbook
from model.formats.files import write_atomic
from model.formats.sheets import HEADER_FILL, HEADER_FONT
from model.rollout import RolloutPlan
from model.schedule import Schedule

ROLLOUT_SHEET = "Rollout"


def rollout_sheet(ws: Worksheet, first_year: Schedule, plan: RolloutPlan) -> None:
    """A row per topic (its module's colour), a column per quarter: the editions it runs there
    (the first year's from its calendar); then each quarter's course days against the most it
    holds, each year's cost, and the themes with the year each is covered."""
    p = first_year.problem
    ws.append([f"{p.name}: the rollout over {plan.years} year(s), by quarter"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Year 1 is the calendar of the other sheets; the later years are planned by quarter with "
               "each topic's length and estimated cost (columns at the right)."])
    ws.append([])
    labels = [q.label for q in plan.quarters]
    header = ["Topic", "Title", "Priority", *labels, "Editions", "Days each", "Estimated cost (USD)",
              "Requests carried from year 1"]
    ws.append(header)
    head = ws.max_row
    for cell in ws[head]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    runs: dict[tuple[str, str], int] = {}
    for e in plan.editions:
        runs[(e.topic, e.quarter)] = runs.get((e.topic, e.quarter), 0) + 1
    priority = {item.topic: item.priority for item in p.programme}
    for item in p.programme:
        topic = p.topic_by_id[item.topic]
        counts = [runs.get((item.topic, q)) for q in labels]
        ws.append([item.topic, topic.title, priority[item.topic] or None, *counts, sum(c or 0 for c in counts),
                   plan.topic_days.get(item.topic), plan.topic_cost_usd.get(item.topic),
                   plan.carried_requests.get(item.topic)])
        ws.cell(row=ws.max_row, column=1).fill = module_fill(topic.module)
        ws.cell(row=ws.max_row, column=len(header) - 1).number_format = "#,##0"
    days = plan.days_by_quarter()
    ws.append([])
    ws.append(["Course days", None, None, *[days[q] for q in labels]])
    ws.append(["Most course days", "at the centre's pace (year 1: its calendar)", None,
               *[plan.most_days.get(q) for q in labels]])
    ws.append([])
    ws.append(["Year", "Cost (USD)", "Budget (USD)"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for year, cost in sorted(plan.cost_by_year().items()):
        ws.append([year, cost, p.budget_usd])
        for col in (2, 3):
            ws.cell(row=ws.max_row, column=col).number_format = "#,##0"
    if plan.themes:
        ws.append([])
        ws.append(["Theme", "Name", "Due by year", "Covered in year", "Not run"])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for t in plan.themes:
            ws.append([t.theme, t.name, t.by_year, t.covered_in_year, ", ".join(t.missing) or None])
    for d in plan.diagnosis:
        ws.append([d])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 44
    for col in range(3, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 10
    ws.freeze_panes = ws.cell(row=head + 1, column=4)


def rollout_workbook_bytes(first_year: Schedule, plan: RolloutPlan) -> bytes:
    wb = schedule_workbook(first_year)
    rollout_sheet(wb.create_sheet(ROLLOUT_SHEET, 1), first_year, plan)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_rollout_workbook(first_year: Schedule, plan: RolloutPlan, path: str | Path) -> None:
    """The first year's workbook with the Rollout sheet after its Summary, written atomically."""
    write_atomic(path, rollout_workbook_bytes(first_year, plan))
