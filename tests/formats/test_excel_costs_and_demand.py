"""The workbook's costs per edition (Budget sheet) and demand served (Summary sheet), read back.

On ``seated_tiny`` (tests/model/test_kpis_costs_and_demand.py, figures derived there) and on
the default calendar, with the figures recomputed from the schedule alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from model.check import kpis
from model.formats.excel import COST_COLUMNS, words, write_schedule_workbook
from model.rules.reading import COST_CATEGORIES
from model.schedule import Schedule
from scheduler.solve import Result
from tests.model.test_kpis_costs_and_demand import independent_costs, independent_demand, seated_tiny_schedule
from tests.test_excel import tiny_schedule

TOTAL = "Total (USD)"


def reopen(schedule: Schedule, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "calendar.xlsx"
    write_schedule_workbook(schedule, path)
    return openpyxl.load_workbook(path)


def budget(wb: openpyxl.Workbook) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The Budget sheet's rows by edition, and its Total row, as header -> value."""
    rows = list(wb["Budget"].iter_rows(values_only=True))
    header, editions, total = rows[0], {}, {}
    for r in rows[1:]:
        if r[0] == "Total":
            total = dict(zip(header, r, strict=True))
            break
        editions[r[0]] = dict(zip(header, r, strict=True))
    return editions, total


def summary_figures(wb: openpyxl.Workbook) -> dict[str, Any]:
    out = {}
    for label, value, *_ in wb["Summary"].iter_rows(min_row=2, values_only=True):
        if label is None:
            break
        out[label] = value
    return out


def demand_table(wb: openpyxl.Workbook) -> dict[str, tuple[int, int, float]]:
    """The Summary's "Requests seated" table: label -> (requests, seated, share seated)."""
    ws = wb["Summary"]
    ref = ws.tables["DemandServed"].ref
    rows = list(ws[ref])
    assert [c.value for c in rows[0]] == ["Requests seated", "Requests", "Seated", "Share seated"]
    return {r[0].value: (r[1].value, r[2].value, r[3].value) for r in rows[1:]}


def test_the_column_of_each_cost_category() -> None:
    assert tuple(COST_COLUMNS) == COST_CATEGORIES


def test_the_budget_sheet_gives_each_edition_s_costs_by_category(tmp_path: Path) -> None:
    schedule = seated_tiny_schedule()
    editions, total = budget(reopen(schedule, tmp_path))
    headers = {c: header for c, (header, _) in COST_COLUMNS.items()}
    # As derived in the docstring of tests/model/test_kpis_costs_and_demand.py.
    m1, m2 = editions["M1.T1#1"], editions["M2.T1#1"]
    assert [m1[headers[c]] for c in COST_CATEGORIES] == [1350, 300, 300, 2700, 400, 300]
    assert [m2[headers[c]] for c in COST_CATEGORIES] == [900, 0, 80, 0, 900, 200]
    assert (m1[TOTAL], m2[TOTAL], total[TOTAL]) == (5350, 2080, 7430)
    assert list(editions) == ["M1.T1#1", "M2.T1#1"]  # M2.T1#2 is not on the calendar


def test_demand_served_is_a_small_table_on_the_summary(tmp_path: Path) -> None:
    wb = reopen(seated_tiny_schedule(), tmp_path)
    # Priority 3: N1 and N3 in M1.T1; priority 0: N2 of N1, N2, N4 (twice); by audience likewise.
    assert demand_table(wb) == {
        "All requests": (6, 3, 0.5),
        "Priority 3 (urgent)": (2, 2, 1),
        "Priority 0 (none)": (4, 1, 0.25),
        "Audience: csos": (4, 1, 0.25),
        "Audience: government": (2, 2, 1),
    }
    assert wb["Summary"]["D1"].value is None  # the figures table keeps its three columns


def test_a_calendar_without_nominations_has_no_demand_table(tmp_path: Path) -> None:
    wb = reopen(tiny_schedule(), tmp_path)
    assert sorted(wb["Summary"].tables) == ["Figures", "Penalties"]


@pytest.mark.slow
def test_the_default_workbook_s_costs_and_demand(rtcm_2027: Result, tmp_path: Path) -> None:
    schedule = rtcm_2027.schedule
    wb = reopen(schedule, tmp_path)
    editions, total = budget(wb)
    expected = independent_costs(schedule)
    assert set(editions) == set(expected)
    for edition, costs in expected.items():
        row = editions[edition]
        assert {c: row[header] for c, (header, _) in COST_COLUMNS.items()} == costs, edition
        assert row[TOTAL] == sum(costs.values())
    # Each category's column and the total add up to the Total row, the Summary's and the KPIs'.
    k = kpis(schedule)
    figures = summary_figures(wb)
    for c, (header, _) in COST_COLUMNS.items():
        assert sum(r[header] for r in editions.values()) == total[header] == getattr(k, c)
    assert sum(r[TOTAL] for r in editions.values()) == total[TOTAL] == figures["Total cost (USD)"] == k.cost_usd
    assert figures["Trainer fees (USD)"] == total["Fees (USD)"]
    assert figures["Participants' fares (USD)"] == total["Participants' fares (USD)"]

    figures = independent_demand(schedule)
    table = demand_table(wb)
    for level, asked in figures["requests_by_priority"].items():
        label = next(x for x in table if x.startswith(f"Priority {level}"))
        assert table[label][:2] == (asked, figures["seated_by_priority"][level])
    assert {label.removeprefix("Audience: "): row[:2] for label, row in table.items()
            if label.startswith("Audience: ")} == {
        words(a): (asked, figures["seated_by_audience"][a]) for a, asked in figures["requests_by_audience"].items()}
    assert table["All requests"][:2] == (sum(figures["requests_by_priority"].values()),
                                         sum(figures["seated_by_priority"].values()))
