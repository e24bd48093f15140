"""The absence-risk workbook, read back: summary, histogram and chart, the most at fault, a row per future.

``four_futures`` is a report summed up from four hand-made futures (no solver), its figures derived in
the comments: editions changed per future are 0, 1, 3, 1 without backups and 0, 0, 1, 1 with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart
from openpyxl.worksheet.worksheet import Worksheet

from model.formats.excel_robustness import (
    BEFORE_REPLAN,
    EDITIONS_AT_FAULT,
    FUTURE_HEADER,
    HISTOGRAM,
    PEOPLE_AT_FAULT,
    SUMMARY,
    write_robustness_workbook,
)
from model.robustness import AbsenceRates, FutureOutcome, Replanned, RobustnessReport, summarise

RATES = AbsenceRates(day=0.05, week=0.01)


def outcome(sample: int, days_away: int, broken: dict[str, list[str]], without: Replanned, with_: Replanned,
            saved: list[str] | None = None) -> FutureOutcome:
    return FutureOutcome(sample=sample, days_away=days_away, broken=broken, without_backups=without,
                         with_backups=with_, saved=saved or [])


def four_futures_outcomes() -> list[FutureOutcome]:
    return [
        # nobody away on a course day: the calendar stands as published
        outcome(0, 0, {}, Replanned(status="OPTIMAL"), Replanned(status="OPTIMAL")),
        # T1 away on A#1: re-planned, A#1 moves; T1's backup saves it as it is
        outcome(1, 3, {"A#1": ["T1"]}, Replanned(status="OPTIMAL", moved=["A#1"], changed=["A#1"]),
                Replanned(status="OPTIMAL"), saved=["A#1"]),
        # A#1 and B#1 broken (B#1 by its trainer and a guest); without backups three editions change,
        # with them A#1 is saved and only B#1 moves
        outcome(2, 5, {"A#1": ["T1"], "B#1": ["T2", "G1"]},
                Replanned(status="FEASIBLE", moved=["A#1", "B#1"], changed=["A#1", "B#1", "C#1"]),
                Replanned(status="FEASIBLE", moved=["B#1"], changed=["B#1"]), saved=["A#1"]),
        # B#1 re-staffed and C#1 dropped either way, the frozen re-plan having had to unfreeze
        outcome(3, 9, {"B#1": ["T2"], "C#1": ["T1"]},
                Replanned(status="FEASIBLE", changed=["B#1"], dropped=["C#1"], unfrozen=True),
                Replanned(status="FEASIBLE", changed=["B#1"], dropped=["C#1"], unfrozen=True)),
    ]


@pytest.fixture
def four_futures() -> RobustnessReport:
    return summarise(four_futures_outcomes(), rates=RATES, seed=7, editions=3, runtime_s=12.34)


def reopen(report: RobustnessReport, tmp_path: Path) -> Worksheet:
    path = tmp_path / "robustness.xlsx"
    write_robustness_workbook(report, path)
    return openpyxl.load_workbook(path)["Robustness"]


def table(ws: Worksheet, title: str) -> tuple[list[Any], list[list[Any]]]:
    """The table whose header starts with ``title``: its header and rows, down to the first blank row."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    width = max(i + 1 for i, v in enumerate(rows[start]) if v is not None)
    body = []
    for r in rows[start + 1:]:
        if all(v is None for v in r):
            break
        body.append(r[:width])
    return rows[start][:width], body


def row_of(ws: Worksheet, label: str) -> int:
    return next(c.row for c in ws["A"] if c.value == label)


def test_the_intro_says_what_was_sampled(four_futures: RobustnessReport, tmp_path: Path) -> None:
    ws = reopen(four_futures, tmp_path)
    assert ws["A1"].value == "Absence risk: the calendar in 4 sampled futures"
    assert ws["A1"].font.bold
    assert ws["A2"].value == ("4 futures: each person away on each course day with probability 5% and for whole "
                              "weeks with probability 1%; seed 7; the calendar has 3 editions; sampled and "
                              "re-planned in 12.3 s.")


def test_the_summary_holds_the_reports_figures(four_futures: RobustnessReport, tmp_path: Path) -> None:
    ws = reopen(four_futures, tmp_path)
    header, rows = table(ws, SUMMARY)
    assert header == [SUMMARY, "Without backups", "With backups"]
    got = {r[0]: (r[1], r[2]) for r in rows}
    wo, wi = four_futures.without_backups, four_futures.with_backups
    # delivered: all but future 3 (C#1 dropped); untouched: future 0 without backups, futures 0 and 1 with
    assert got["Share of futures with every edition delivered"] == (wo.all_delivered, wi.all_delivered) == (0.75, 0.75)
    assert got["Share of futures with the calendar untouched"] == (wo.untouched, wi.untouched) == (0.25, 0.5)
    for label in ("Share of futures with every edition delivered", "Share of futures with the calendar untouched"):
        r = row_of(ws, label)
        assert ws.cell(row=r, column=2).number_format == ws.cell(row=r, column=3).number_format == "0.0%"
    for label, pick in (("Editions changed", "changed"), ("Editions moved (dates)", "moved"),
                        ("Editions dropped", "dropped")):
        a, b = getattr(wo, pick), getattr(wi, pick)
        assert got[f"{label}, mean"] == (a.mean, b.mean)
        assert got[f"{label}, 95th percentile"] == (a.p95, b.p95)
        assert got[f"{label}, most"] == (a.most, b.most)
    # changed 0, 1, 3, 1 and 0, 0, 1, 1; with four futures the 95th percentile (nearest rank) is the most
    assert got["Editions changed, mean"] == (1.25, 0.5)
    assert got["Editions changed, 95th percentile"] == (3, 1)
    assert got["Editions moved (dates), mean"] == (0.75, 0.25)
    assert got["Editions dropped, most"] == (1, 1)
    assert all(c.font.bold for c in ws[row_of(ws, SUMMARY)] if c.value)


def test_broken_and_saved_are_given_once(four_futures: RobustnessReport, tmp_path: Path) -> None:
    header, rows = table(reopen(four_futures, tmp_path), BEFORE_REPLAN)
    assert header == [BEFORE_REPLAN, "Mean", "95th percentile", "Most"]
    b, s = four_futures.broken, four_futures.saved
    # broken 0, 1, 2, 2; saved 0, 1, 1, 0
    assert rows == [["Editions broken", b.mean, b.p95, b.most], ["Editions saved by backups", s.mean, s.p95, s.most]]
    assert rows == [["Editions broken", 1.25, 2, 2], ["Editions saved by backups", 0.5, 1, 1]]


def test_the_histogram_counts_every_future_once(four_futures: RobustnessReport, tmp_path: Path) -> None:
    header, rows = table(reopen(four_futures, tmp_path), HISTOGRAM)
    assert header == [HISTOGRAM, "Futures, without backups", "Futures, with backups"]
    # without backups 0, 1, 3, 1 -> k=0: 1, k=1: 2, k=3: 1; with them 0, 0, 1, 1 -> k=0: 2, k=1: 2
    assert rows == [[0, 1, 2], [1, 2, 2], [2, 0, 0], [3, 1, 0]]
    assert sum(r[1] for r in rows) == sum(r[2] for r in rows) == four_futures.samples == 4


def test_the_histogram_has_its_bar_chart(four_futures: RobustnessReport, tmp_path: Path) -> None:
    ws = reopen(four_futures, tmp_path)
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert isinstance(chart, BarChart)
    assert (chart.type, chart.grouping) == ("col", "clustered")
    assert len(chart.series) == 2
    assert chart.x_axis.title is not None and chart.y_axis.title is not None
    head = row_of(ws, HISTOGRAM)
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == [f"'Robustness'!$B${head + 1}:$B${head + 4}", f"'Robustness'!$C${head + 1}:$C${head + 4}"]


def test_the_most_at_fault(four_futures: RobustnessReport, tmp_path: Path) -> None:
    ws = reopen(four_futures, tmp_path)
    # A#1 broken in futures 1 and 2, B#1 in 2 and 3, C#1 in 3; T1 away in 1, 2, 3, T2 in 2, 3, G1 in 2
    assert table(ws, EDITIONS_AT_FAULT) == ([EDITIONS_AT_FAULT, "Futures"], [["A#1", 2], ["B#1", 2], ["C#1", 1]])
    assert table(ws, PEOPLE_AT_FAULT) == ([PEOPLE_AT_FAULT, "Futures"], [["T1", 3], ["T2", 2], ["G1", 1]])
    assert [[f.id, f.futures] for f in four_futures.editions_at_fault] == table(ws, EDITIONS_AT_FAULT)[1]


def test_a_row_per_future(four_futures: RobustnessReport, tmp_path: Path) -> None:
    ws = reopen(four_futures, tmp_path)
    header, rows = table(ws, "Sample")
    assert header == FUTURE_HEADER
    assert rows == [
        [0, 0, 0, None, None, None, 0, 0, 0, 0, 0, 0, "OPTIMAL", "OPTIMAL", "no", "no"],
        [1, 3, 1, "A#1", "T1", "A#1", 1, 1, 0, 0, 0, 0, "OPTIMAL", "OPTIMAL", "no", "no"],
        [2, 5, 2, "A#1, B#1", "T1, T2, G1", "A#1", 3, 2, 0, 1, 1, 0, "FEASIBLE", "FEASIBLE", "no", "no"],
        [3, 9, 2, "B#1, C#1", "T2, T1", None, 1, 0, 1, 1, 0, 1, "FEASIBLE", "FEASIBLE", "yes", "yes"],
    ]
    assert all(ws.column_dimensions[c].width for c in "ABCDEF")


def test_no_futures_still_make_a_workbook(tmp_path: Path) -> None:
    report = summarise([], rates=AbsenceRates(day=0.1), seed=0, editions=5)
    ws = reopen(report, tmp_path)
    assert ws["A2"].value.startswith("0 futures: each person away on each course day with probability 10% ")
    assert ws["A2"].value.endswith("the calendar has 5 editions.")
    assert [r[0] for r in table(ws, HISTOGRAM)[1]] == ["No futures were sampled."]
    assert ws._charts == []
    assert [r[0] for r in table(ws, EDITIONS_AT_FAULT)[1]] == ["No edition was broken."]
    assert table(ws, "Sample") == (FUTURE_HEADER, [])
