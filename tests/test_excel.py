"""The planner's workbook: sheets, calendar cells, real dates, issues and summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from model.check import check, kpis
from model.formats.excel import SHEETS, schedule_workbook, write_schedule_workbook
from model.problem import Problem
from model.schedule import Schedule, ScheduledEdition, SolverReport, UnscheduledEdition
from tests.instances.tiny import tiny_problem


def placed(problem: Problem, edition: str, first: date, n: int, room: str | None,
           trainers: list[str]) -> ScheduledEdition:
    """An edition of ``problem`` on ``n`` consecutive calendar days from ``first``."""
    ed = problem.edition_by_id[edition]
    days = [first + timedelta(days=i) for i in range(n)]
    venue = problem.room_by_id[room][0].id if room else None
    return ScheduledEdition(
        edition=ed.id, topic=ed.topic.id, number=ed.number, title=ed.topic.title, module=ed.topic.module,
        start=days[0], end=days[-1], days=days, mode=ed.mode, venue=venue, room=room, trainers=trainers,
        participants_in_person=ed.item.participants_in_person,
        participants_online=ed.item.participants_online,
    )


def tiny_schedule(clash: bool = False) -> Schedule:
    """A clean calendar of ``tiny``, or one where trainer T1 teaches both editions at once.

    M1.T1#1: Tue 2 - Thu 4 March (week of 1 March, 3 days), HALL, T1 (woman, IOM) + T4 (man).
    M2.T1#1: Thu 18 - Fri 19 March (week of 15 March, 2 days), room B, T2 (man, IOM) + T3 (woman);
    with ``clash`` it runs Wed 3 - Thu 4 March with T1 + T2, so T1 is double-booked.
    """
    p = tiny_problem()
    first = placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"])
    if clash:
        second = placed(p, "M2.T1#1", date(2027, 3, 3), 2, "B", ["T1", "T2"])
    else:
        second = placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T2", "T3"])
    schedule = Schedule(problem=p, editions=[second, first])
    figures = kpis(schedule)
    schedule.solver = SolverReport(status="OPTIMAL", objective=figures.objective, bound=figures.objective,
                                   gap=0.0, runtime_s=0.2, penalties=figures.penalties)
    return schedule


def reopen(schedule: Schedule, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "schedule.xlsx"
    write_schedule_workbook(schedule, path)
    return openpyxl.load_workbook(path)


def rows(wb: openpyxl.Workbook, sheet: str) -> list[tuple]:
    return list(wb[sheet].iter_rows(values_only=True))


def summary(wb: openpyxl.Workbook) -> dict[str, object]:
    """The Summary's figures, label -> value."""
    out = {}
    for label, value, *_ in rows(wb, "Summary")[1:]:
        if label is None:
            break
        out[label] = value
    return out


def test_the_sheets_come_in_order(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    assert tuple(wb.sheetnames) == SHEETS
    assert SHEETS == ("Summary", "Calendar", "Editions", "Trainers", "Rooms", "Issues")
    for name in SHEETS:
        ws = wb[name]
        assert ws["A1"].font.b, name
        assert ws.freeze_panes is not None, name


def test_calendar_fills_the_weeks_an_edition_runs(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    ws = wb["Calendar"]
    table = rows(wb, "Calendar")
    # Header: 3 columns, then the Mondays of the 5 ISO weeks of March 2027, as real dates.
    assert table[0][:3] == ("Edition", "Module", "Title")
    assert table[0][3:] == tuple(datetime(2027, 3, d) for d in (1, 8, 15, 22, 29))
    assert ws["D1"].number_format == "dd mmm"
    # One row per edition, sorted by start, whatever the schedule's order.
    assert [r[0] for r in table[1:]] == ["M1.T1#1", "M2.T1#1"]
    # M1.T1#1: 3 days in the week of 1 March; M2.T1#1: 2 days in the week of 15 March.
    assert table[1][3:] == (3, None, None, None, None)
    assert table[2][3:] == (None, None, 2, None, None)
    module_1, module_2 = ws["D2"].fill.fgColor.rgb, ws["F3"].fill.fgColor.rgb
    assert module_1 != module_2
    assert ws["B2"].fill.fgColor.rgb == module_1  # the module cell is the legend
    assert ws["E2"].fill.fill_type is None
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == "A1:C3"


def test_editions_carry_real_dates(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    table = rows(wb, "Editions")
    head = table[0]
    first = dict(zip(head, table[1], strict=True))
    assert first["Edition"] == "M1.T1#1"
    assert first["Start"] == datetime(2027, 3, 2)
    assert first["End"] == datetime(2027, 3, 4)
    assert first["Days"] == 3
    assert first["Room"] == "HALL"
    assert first["Trainers"] == "T1, T4"
    assert first["Women on team"] == 1
    assert wb["Editions"]["F2"].is_date


def test_issues_name_a_double_booked_trainer(tmp_path):
    schedule = tiny_schedule(clash=True)
    assert [v.rule for v in check(schedule)] == ["trainer_not_double_booked"]
    table = rows(reopen(schedule, tmp_path), "Issues")
    assert table[0] == ("Kind", "Rule", "Rule name", "Records", "Message")
    assert len(table) == 2
    kind, rule, name, records, message = table[1]
    assert (kind, rule) == ("Hard rule broken", "trainer_not_double_booked")
    assert name == "A trainer teaches one course at a time"
    assert records == "T1, M1.T1#1, M2.T1#1"
    assert "trainer T1" in message
    assert "No hard rule broken" not in str(table)


def test_issues_say_no_hard_rule_broken_when_clean(tmp_path):
    table = rows(reopen(tiny_schedule(), tmp_path), "Issues")
    assert len(table) == 2
    assert table[1][0] == "No hard rule broken"


def test_issues_list_an_unscheduled_edition_with_its_reason(tmp_path):
    clean = tiny_schedule()
    left = UnscheduledEdition(edition="M2.T1#1", topic="M2.T1", number=1, mandatory=True,
                              reason="no room free")
    schedule = clean.model_copy(update={
        "editions": [e for e in clean.editions if e.edition != "M2.T1#1"], "unscheduled": [left]})
    table = rows(reopen(schedule, tmp_path), "Issues")
    kinds = [r[0] for r in table[1:]]
    assert kinds == ["Hard rule broken", "Not scheduled"]
    assert table[2][3:] == ("M2.T1#1", "mandatory: no room free")


def test_summary_shows_status_and_figures(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    figures = summary(wb)
    assert figures["Problem"] == "tiny"
    assert figures["Horizon starts"] == datetime(2027, 3, 1)
    assert figures["Solver status"] == "OPTIMAL"
    assert figures["Editions scheduled"] == 2
    assert figures["Training days"] == 5
    # Women: T1 3 days + T3 2 days; men: T4 3 days + T2 2 days.
    assert (figures["Trainer-days, women"], figures["Trainer-days, men"]) == (5, 5)
    assert figures["Share of women"] == 0.5
    # Fees 3x250 + 3x200 + 2x250 + 2x200 = 2250; rooms 3x100 (HALL) + 2x40 (B) = 380.
    assert figures["Total cost (USD)"] == 2630
    # Penalties: busiest month 5 days x 20, busiest trainer 3 days x 10, cost 26.3 x 1.
    table = rows(wb, "Summary")
    points = {r[0]: r[4] for r in table if r[0] and r[4] is not None}
    assert points["Training days in the busiest month"] == 100
    assert points["Training days of the busiest trainer"] == 30
    assert points["Trainer fees and room costs"] == pytest.approx(26.3)
    assert points["Total"] == pytest.approx(156.3)


def test_a_calendar_without_solver_report_still_exports(tmp_path):
    schedule = tiny_schedule().model_copy(update={"solver": None})
    wb = reopen(schedule, tmp_path)
    figures = summary(wb)
    assert figures["Solver status"] == "not solved"
    assert figures["Objective"] == pytest.approx(156.3)
    assert figures["Gap"] == "n/a"


def test_rooms_and_trainers_count_their_days(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    rooms = {r[1]: r for r in rows(wb, "Rooms")[1:] if r[1]}
    assert rooms["HALL"][6:] == (3, pytest.approx(3 / 23), 100, 300)
    trainers = {r[0]: r for r in rows(wb, "Trainers")[1:]}
    assert trainers["T1"][5:] == ("M1.T1#1", 3, 20, 250, 750)


def test_the_file_is_replaced_whole(tmp_path):
    path = tmp_path / "out" / "schedule.xlsx"
    write_schedule_workbook(tiny_schedule(clash=True), path)
    write_schedule_workbook(tiny_schedule(), path)
    assert [p.name for p in path.parent.iterdir()] == ["schedule.xlsx"]
    assert rows(openpyxl.load_workbook(path), "Issues")[1][0] == "No hard rule broken"


def test_schedule_workbook_is_in_memory():
    wb = schedule_workbook(tiny_schedule())
    assert wb["Calendar"].max_row == 3


@pytest.mark.slow
def test_rtcm_2027_workbook(tmp_path, rtcm_2027):
    result = rtcm_2027
    assert check(result.schedule) == []
    wb = reopen(result.schedule, tmp_path)
    calendar = rows(wb, "Calendar")
    assert len(calendar) - 1 == 68
    assert len(calendar[0]) == 3 + 53  # ISO weeks from Mon 28 Dec 2026 to Mon 27 Dec 2027
    assert all(any(isinstance(c, int) for c in row[3:]) for row in calendar[1:])
    assert summary(wb)["Editions scheduled"] == 68
    assert rows(wb, "Issues")[1][0] == "No hard rule broken"
