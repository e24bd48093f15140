"""How every workbook the planner writes looks: header style, column widths, print setup.

Shared by the schedule workbook (:mod:`model.formats.excel`) and the input workbook
(:mod:`model.formats.excel_input`), which otherwise know nothing of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
DATE_FORMAT = "yyyy-mm-dd"


def _text_width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10 if fmt in (None, DATE_FORMAT) else 6
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def fit_widths(ws: Worksheet, widest: Sequence[float], first_row: int = 1,
               last_row: int | None = None) -> None:
    """Set each column's width to fit its longest value (from ``first_row``), at most ``widest``."""
    last = last_row or ws.max_row
    longest = [0] * len(widest)
    for row in ws.iter_rows(min_row=first_row, max_row=last, max_col=len(widest)):
        for j, cell in enumerate(row):
            longest[j] = max(longest[j], _text_width(cell.value, cell.number_format))
    for j, cap in enumerate(widest, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(6.0, min(float(cap), longest[j - 1] + 2.0))


def wrap_headers(ws: Worksheet, row: int) -> None:
    """Wrap the headers on ``row`` that are wider than their column, and make the row tall enough."""
    lines = 1
    for cell in ws[row]:
        if not isinstance(cell.value, str):
            continue
        width = ws.column_dimensions[cell.column_letter].width or 8.43
        need = -(-len(cell.value) // max(1, int(width - 1)))
        if need > 1:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(lines, need)
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def print_setup(ws: Worksheet, *, paper: str = "A4", title_rows: str | None = "1:1",
                title_cols: str | None = None) -> None:
    """Landscape, one page wide, header rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    ws.oddFooter.center.text = "&A - page &P of &N"
