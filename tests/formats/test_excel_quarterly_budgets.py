"""Quarterly budgets in the workbooks: the input's Quarterly budgets sheet, the output's Budget sheet.

The input of ``two_quarters`` (``tiny`` over March and April 2027) with caps 2027-Q1 1,500 USD
(Quarterly budgets row 3) and 2027-Q2 2,000 (row 4): Quarter in A, Cap (USD) in B. A sheet name
with a space is quoted in a cell's address, as Excel's Name Box takes it.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from model.formats.excel import write_schedule_workbook
from model.formats.excel_input import FIRST_ROW, HEADER_ROW, import_workbook
from model.problem import Problem
from model.rules import Reading
from scheduler.solve import solve
from tests.formats.test_excel_input import _delete_sheet, _set, edited, errors_of, workbook_bytes
from tests.instances.tiny import problem_of
from tests.scheduler.solving import OPTIONS
from tests.scheduler.test_quarter_budgets import two_quarters


def capped() -> Problem:
    return problem_of(two_quarters({"2027-Q1": 1500, "2027-Q2": 2000}))


@pytest.fixture(scope="module")
def capped_xlsx() -> bytes:
    return workbook_bytes(capped())


def test_quarterly_budgets_survive_the_round_trip(capped_xlsx):
    imported = import_workbook(capped_xlsx)
    assert imported.warnings == []
    assert imported.problem.model_dump() == capped().model_dump()
    assert imported.problem.quarterly_budget_usd == {"2027-Q1": 1500, "2027-Q2": 2000}


def test_the_quarterly_budgets_sheet_as_the_planner_sees_it(capped_xlsx):
    wb = openpyxl.load_workbook(BytesIO(capped_xlsx))
    ws = wb["Quarterly budgets"]
    assert [c.value for c in ws[HEADER_ROW]] == ["Quarter", "Cap (USD)"]
    assert [list(r) for r in ws.iter_rows(min_row=FIRST_ROW, values_only=True)] == [["2027-Q1", 1500],
                                                                                    ["2027-Q2", 2000]]
    assert len(ws.tables) == 1
    assert wb.sheetnames.index("Quarterly budgets") == wb.sheetnames.index("Fares") + 1


def test_no_sheet_or_no_row_means_no_quarterly_cap(capped_xlsx, tmp_path):
    for edit in (_delete_sheet("Quarterly budgets"), _set("Quarterly budgets", A3=None, B3=None, A4=None, B4=None)):
        imported = import_workbook(edited(capped_xlsx, tmp_path, edit))
        assert imported.warnings == []
        assert imported.problem.quarterly_budget_usd == {}


def test_a_cap_typed_by_hand_is_read(capped_xlsx, tmp_path):
    path = edited(capped_xlsx, tmp_path, _set("Quarterly budgets", A4=" 2027-Q2 ", B4="2500"))
    assert import_workbook(path).problem.quarterly_budget_usd == {"2027-Q1": 1500, "2027-Q2": 2500}


BROKEN = [
    # Not a quarter: the issue of the quarter lands on its cell.
    ("not a quarter", _set("Quarterly budgets", A3="2027-Q5"),
     ["'Quarterly budgets'!A3: quarterly budget 2027-Q5: the quarter is not of the form YYYY-Qn, e.g. 2027-Q1"]),
    # A quarter the horizon (March to April 2027) does not reach.
    ("outside the horizon", _set("Quarterly budgets", A4="2027-Q3"),
     ["'Quarterly budgets'!A4: quarterly budget 2027-Q3: the quarter (2027-07-01 to 2027-09-30) is outside the "
      "horizon (2027-03-01 to 2027-04-30)"]),
    # The amount: pydantic's check, on the Cap cell.
    ("negative cap", _set("Quarterly budgets", B3=-5), ["'Quarterly budgets'!B3: cap (USD) -5 must be at least 0"]),
    ("cap not a number", _set("Quarterly budgets", B4="lots"),
     ["'Quarterly budgets'!B4: cap (USD) 'lots' is not a whole number"]),
    ("cap left blank", _set("Quarterly budgets", B4=None),
     ["'Quarterly budgets'!B4: cap (USD) is required (the cell is empty)"]),
    # A quarter listed twice: the first row stands.
    ("quarter listed twice", _set("Quarterly budgets", A4="2027-Q1"),
     ["'Quarterly budgets'!A4: quarter '2027-Q1' is already used on row 3"]),
]


@pytest.mark.parametrize(("edit", "expected"), [pytest.param(e, x, id=name) for name, e, x in BROKEN])
def test_a_broken_quarterly_cap_names_its_sheet_row_and_column(capped_xlsx, tmp_path, edit, expected):
    assert errors_of(edited(capped_xlsx, tmp_path, edit)) == expected


def test_the_budget_sheet_shows_each_quarter_s_spending_against_its_cap(tmp_path: Path) -> None:
    result = solve(capped(), OPTIONS)
    assert result.found, str(result)
    spent = Reading(result.schedule).quarter_costs()
    path = tmp_path / "plan.xlsx"
    write_schedule_workbook(result.schedule, path)
    rows = list(openpyxl.load_workbook(path)["Budget"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Quarter")
    assert rows[head][:5] == ("Quarter", "Editions starting", "Spent (USD)", "Cap (USD)", "Left (USD)")
    by_quarter = {r[0]: r[1:5] for r in rows[head + 1: head + 3]}
    # One edition per quarter (the cap of 2027-Q1 holds only one: tests/scheduler/test_quarter_budgets.py).
    assert by_quarter == {"2027-Q1": (1, spent["2027-Q1"], 1500, 1500 - spent["2027-Q1"]),
                          "2027-Q2": (1, spent["2027-Q2"], 2000, 2000 - spent["2027-Q2"])}
    assert sum(spent.values()) == next(r for r in rows if r[0] == "Total")[11]
