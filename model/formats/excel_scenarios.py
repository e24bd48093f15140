"""The scenario comparison as a workbook: one sheet of KPIs, one sheet of differences per scenario."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from model.compare import KpiRow
from model.formats.files import write_atomic

BOLD = Font(bold=True)
MOVED = PatternFill("solid", fgColor="FFF2CC")

KPI_LABELS: list[tuple[str, str, str]] = [
    ("status", "Solver status", "@"),
    ("editions_scheduled", "Editions scheduled", "0"),
    ("editions_total", "Editions in the programme", "0"),
    ("optional_dropped", "Optional editions dropped", "0"),
    ("objective", "Objective (points)", "#,##0.0"),
    ("gap", "Gap", "0.00%"),
    ("women_share_of_trainer_days", "Women's share of trainer-days", "0.0%"),
    ("cost_usd", "Cost (USD)", "#,##0"),
    ("room_use", "Mean room use", "0.0%"),
    ("trainer_days_spread", "Trainer-days spread (busiest - least busy)", "0"),
    ("hard_rules_broken", "Hard rules broken", "0"),
]


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name)[:28] or "scenario"
    base, n = title, 2
    while title in used:
        title = f"{base[:25]} {n}"
        n += 1
    used.add(title)
    return title


def comparison_workbook(comparison: Any) -> Workbook:
    """A workbook from a :class:`scenarios.run.Comparison`."""
    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    rows: list[KpiRow] = [comparison.base] + [s.kpis for s in comparison.scenarios]
    ws.append(["KPI"] + [r.name for r in rows])
    for key, label, fmt in KPI_LABELS:
        ws.append([label] + [getattr(r, key) for r in rows])
        for col in range(2, len(rows) + 2):
            ws.cell(row=ws.max_row, column=col).number_format = fmt
    ws.append(["Calendar changes against the base", "-"] + [len(s.diff.changes) for s in comparison.scenarios])
    for cell in ws[1]:
        cell.font = BOLD
    ws.column_dimensions["A"].width = 44
    for col in range(2, len(rows) + 2):
        ws.column_dimensions[get_column_letter(col)].width = 22
    ws.freeze_panes = "B2"
    used = {"KPIs"}
    for s in comparison.scenarios:
        sheet = wb.create_sheet(_sheet_title(s.name, used))
        sheet.append([s.name])
        sheet["A1"].font = Font(bold=True, size=13)
        for c in s.changes:
            sheet.append([f"change: {c}"])
        sheet.append([])
        header = ["Edition", "Change", "Old start", "Old end", "New start", "New end", "Old room", "New room",
                  "Old mode", "New mode", "Trainers off", "Trainers on", "Why"]
        sheet.append(header)
        head_row = sheet.max_row
        for cell in sheet[head_row]:
            cell.font = BOLD
        for ch in s.diff.changes:
            sheet.append([ch.edition, ", ".join(ch.kinds), ch.old_start, ch.old_end, ch.new_start, ch.new_end,
                          ch.old_room, ch.new_room, ch.old_mode, ch.new_mode, ", ".join(ch.trainers_off),
                          ", ".join(ch.trainers_on),
                          "; ".join(ch.why)])
            if "moved" in ch.kinds:
                for cell in sheet[sheet.max_row]:
                    cell.fill = MOVED
            for col in (3, 4, 5, 6):
                sheet.cell(row=sheet.max_row, column=col).number_format = "yyyy-mm-dd"
        if not s.diff.changes:
            sheet.append(["No edition changed."])
        for letter, width in zip("ABCDEFGHIJK", (12, 18, 12, 12, 12, 12, 12, 12, 14, 14, 70), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = sheet.cell(row=head_row + 1, column=2)
        if s.diff.changes:
            sheet.auto_filter.ref = f"A{head_row}:K{sheet.max_row}"
    return wb


def write_comparison_workbook(comparison: Any, path: str | Path) -> None:
    buf = io.BytesIO()
    comparison_workbook(comparison).save(buf)
    write_atomic(path, buf.getvalue())
