"""The planner's workbook: sheets, calendar cells, real dates, issues and summary."""

from __future__ import annotations

import json
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
    days = [first + timedelta(days=i) for i in range(n)]
    return ScheduledEdition.place(problem, edition, days, room, trainers)


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


def gantt(wb: openpyxl.Workbook) -> list[tuple]:
    """The Calendar's header and edition rows: the rows above the blank row before the legend."""
    table = rows(wb, "Calendar")
    return table[: table.index(tuple([None] * len(table[0])))] if None in table[-1] else table


def problems(table: list[tuple]) -> list[tuple]:
    """The Issues rows before the soft-rule penalties: broken rules, editions left out, solver notes."""
    return [r for r in table if r[0] not in ("Soft rule", "Penalty breakdown")]


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
    assert SHEETS == ("Summary", "Calendar", "Month view", "Editions", "Guest sessions",
                      "Trainers and resource persons", "Rooms", "Budget", "Gender parity", "Participants", "Issues")
    for name in SHEETS:
        ws = wb[name]
        assert ws["A1"].font.b, name
        assert ws.freeze_panes is not None, name


def test_calendar_fills_the_weeks_an_edition_runs(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    ws = wb["Calendar"]
    table = gantt(wb)
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
    table = problems(rows(reopen(schedule, tmp_path), "Issues"))
    assert table[0] == ("Kind", "Rule", "Rule name", "Records", "Message")
    assert len(table) == 2
    kind, rule, name, records, message = table[1]
    assert (kind, rule) == ("Hard rule broken", "trainer_not_double_booked")
    assert name == "A trainer teaches one course at a time"
    assert records == "T1, M1.T1#1, M2.T1#1"
    assert "trainer T1" in message
    assert "No hard rule broken" not in str(table)


def test_issues_say_no_hard_rule_broken_when_clean(tmp_path):
    table = problems(rows(reopen(tiny_schedule(), tmp_path), "Issues"))
    assert len(table) == 2
    assert table[1][0] == "No hard rule broken"


def test_issues_list_an_unscheduled_edition_with_its_reason(tmp_path):
    clean = tiny_schedule()
    left = UnscheduledEdition(edition="M2.T1#1", topic="M2.T1", number=1, mandatory=True,
                              reason="no room free")
    schedule = clean.model_copy(update={
        "editions": [e for e in clean.editions if e.edition != "M2.T1#1"], "unscheduled": [left]})
    table = problems(rows(reopen(schedule, tmp_path), "Issues"))
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
    assert points["Fees, travel, room costs and interpretation"] == pytest.approx(26.3)
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
    assert rooms["HALL"][6:10] == (3, pytest.approx(3 / 23), 100, 300)
    trainers = {r["Trainer"]: r for r in table_of(wb, "Trainers and resource persons")}
    t1 = trainers["T1"]
    assert (t1["Editions on the team"], t1["Course days"], t1["Guest days"], t1["Training days"]) == (
        "M1.T1#1", 3, 0, 3)
    assert (t1["Max days / year"], t1["Day rate (USD)"], t1["Fees (USD)"]) == (20, 250, 750)


def test_the_file_is_replaced_whole(tmp_path):
    path = tmp_path / "out" / "schedule.xlsx"
    write_schedule_workbook(tiny_schedule(clash=True), path)
    write_schedule_workbook(tiny_schedule(), path)
    assert [p.name for p in path.parent.iterdir()] == ["schedule.xlsx"]
    assert rows(openpyxl.load_workbook(path), "Issues")[1][0] == "No hard rule broken"


def test_schedule_workbook_is_in_memory():
    wb = schedule_workbook(tiny_schedule())
    assert len(gantt(wb)) == 3


@pytest.mark.slow
def test_rtcm_2027_workbook(tmp_path, rtcm_2027):
    result = rtcm_2027
    s = result.schedule
    assert check(s) == []
    wb = reopen(s, tmp_path)
    calendar = gantt(wb)
    # One row per scheduled edition; of the 71 in the programme the others are optional, left out
    # (too few nominees could sit them, or cancelled after the seating), each listed with its reason.
    assert len(s.problem.editions) == 71 == len(s.editions) + len(s.unscheduled)
    assert sorted(row[0] for row in calendar[1:]) == sorted(e.edition for e in s.editions)
    assert len(calendar[0]) == 3 + 53  # ISO weeks from Mon 28 Dec 2026 to Mon 27 Dec 2027
    assert all(any(isinstance(c, int) for c in row[3:]) for row in calendar[1:])
    figures = summary(wb)
    assert (figures["Editions scheduled"], figures["Mandatory editions unscheduled"]) == (len(s.editions), 0)
    issues = rows(wb, "Issues")
    assert issues[1][0] == "No hard rule broken"
    assert all(not u.mandatory and u.reason for u in s.unscheduled)
    assert sorted((r[1], r[3], r[4]) for r in issues if r[0] == "Not scheduled") == sorted(
        ("optional_edition_left_out", u.edition, f"optional: {u.reason}") for u in s.unscheduled)
    assert rows(wb, "Month view")[0][1:] == ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                              "Saturday", "Sunday")


# ------------------------------------------------------------------ what a planner hands on


def table_of(wb: openpyxl.Workbook, sheet: str, first: int = 0) -> list[dict[str, object]]:
    """A sheet's table (headers on row ``first`` + 1) as dicts, down to the first empty row."""
    table = rows(wb, sheet)
    head, out = table[first], []
    for r in table[first + 1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(head, r, strict=True)))
    return out


def test_calendar_has_a_legend_and_prints_on_a3_landscape(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    ws = wb["Calendar"]
    below = rows(wb, "Calendar")[len(gantt(wb)) + 1:]
    assert below[0][0] == "Legend"
    assert below[1][:3] == ("Module 1", 1, "Introduction to migration")
    assert below[2][:3] == ("Module 2", 2, "Irregular migration")
    legend_row = len(gantt(wb)) + 3
    assert ws.cell(row=legend_row, column=2).fill.fgColor.rgb == ws["D2"].fill.fgColor.rgb  # module 1
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A3)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$1"  # the week headers on every page
    assert ws.print_title_cols == "$A:$C"


def test_month_view_is_a_wall_calendar(tmp_path):
    # March 2027 starts on a Monday: five week rows (1, 8, 15, 22, 29 March).
    wb = reopen(tiny_schedule(), tmp_path)
    ws = wb["Month view"]
    table = rows(wb, "Month view")
    assert table[0] == ("Week of", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                        "Sunday")
    assert table[1][0] == datetime(2027, 3, 1) and ws["A2"].number_format == "mmmm yyyy"
    weeks = table[2:7]
    assert [w[0] for w in weeks] == [datetime(2027, 3, d) for d in (1, 8, 15, 22, 29)]
    # M1.T1#1: Tue 2 - Thu 4 in HALL; M2.T1#1: Thu 18 - Fri 19 in room B.
    assert weeks[0][1:] == ("1", "2\nM1.T1#1 HALL", "3\nM1.T1#1 HALL", "4\nM1.T1#1 HALL", "5", "6", "7")
    assert weeks[2][4:6] == ("18\nM2.T1#1 B", "19\nM2.T1#1 B")
    assert weeks[4][1:] == ("29", "30", "31", None, None, None, None)  # April is not March
    assert ws["C3"].fill.fgColor.rgb == wb["Calendar"]["D2"].fill.fgColor.rgb  # module 1's colour
    assert ws["G3"].fill.fgColor.rgb != ws["F3"].fill.fgColor.rgb  # Saturday greyed
    assert len(ws.row_breaks.brk) == 0  # one month: no page break


def test_trainers_and_rooms_count_their_days_per_month(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    trainers = {r["Trainer"]: r for r in table_of(wb, "Trainers and resource persons")}
    assert (trainers["T1"]["Mar 2027"], trainers["T2"]["Mar 2027"]) == (3, 2)
    assert (trainers["T1"]["Editions"], trainers["T3"]["Training days"]) == (1, 2)
    rooms = {r["Room"]: r for r in table_of(wb, "Rooms")}
    assert (rooms["HALL"]["Mar 2027"], rooms["B"]["Mar 2027"]) == (3, 2)
    assert wb["Rooms"]["K2"].number_format == "0;-0;;@"  # a month without use shows empty


def test_gender_parity_sheet_is_in_the_workbook(tmp_path):
    # Women T1 (3 days) + T3 (2 days), men T4 (3) + T2 (2): 5 of 10 trainer-days, 50 %.
    # The sheet itself is tested with the parity report (tests/model/test_parity.py).
    wb = reopen(tiny_schedule(), tmp_path)
    table = list(wb["Gender parity"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(table) if r[:2] == ("Month", "Trainers (trainer-days)"))
    assert table[head + 1][:2] == ("2027-03", 0.5)
    assert any("never guessed" in str(r[0]) for r in table[:4])
    assert wb["Participants"]["A1"].value.startswith("Participants: 0 seats")


def test_each_table_is_an_excel_table_with_filters(tmp_path):
    wb = reopen(tiny_schedule(clash=True), tmp_path)
    expected = {"Summary": ["Figures", "Penalties"], "Editions": ["EditionsTable"],
                "Guest sessions": ["GuestSessionsTable"], "Trainers and resource persons": ["TrainersTable"],
                "Rooms": ["RoomsTable"], "Issues": ["IssuesTable"]}
    for sheet, names in expected.items():
        assert sorted(wb[sheet].tables) == sorted(names), sheet
    assert wb["Editions"].tables["EditionsTable"].ref == "A1:T3"
    assert wb["Guest sessions"].tables["GuestSessionsTable"].ref == "A1:K2"  # no guest: one empty row
    # 17 columns and March 2027; 4 trainers
    assert wb["Trainers and resource persons"].tables["TrainersTable"].ref == "A1:R5"
    assert wb["Calendar"].auto_filter.ref == "A1:C3"  # dates head the weeks: a filter, not a table


def test_no_formulas_no_errors_and_real_dates(tmp_path):
    wb = reopen(tiny_schedule(clash=True), tmp_path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate)
                text = cell.value if isinstance(cell.value, str) else ""
                assert not text.startswith(("=", "#")), (ws.title, cell.coordinate)
    assert wb["Editions"]["F2"].is_date and wb["Editions"]["G2"].is_date
    assert wb["Month view"]["A3"].is_date and wb["Summary"]["B3"].is_date


def test_column_widths_fit_their_content(tmp_path):
    wb = reopen(tiny_schedule(), tmp_path)
    ws = wb["Editions"]
    assert ws.column_dimensions["E"].width == len("Border management") + 2  # the longest title
    assert ws.column_dimensions["M"].width == len("Bakhtiyar (fictional); Leyla (fictional)") + 2
    assert all(ws.column_dimensions[c].width >= 6 for c in "ABCDEFGHIJKLMNOP")


def test_issues_explain_each_penalty_in_planner_words(tmp_path):
    # busiest month 2027-03: 5 days x 20 (3 of M1.T1#1, 2 of M2.T1#1); busiest trainer T1: 3 days x 10;
    # cost per edition x 1 per 100 USD: 1,650 and 980 USD.
    soft = [r for r in rows(reopen(tiny_schedule(), tmp_path), "Issues") if r[0] == "Soft rule"]
    assert [(r[1], r[4]) for r in soft] == [
        ("busiest_month", "M1.T1#1 has 3 of the 5 training days of the busiest month, 2027-03: 60 points"),
        ("busiest_month", "M2.T1#1 has 2 of the 5 training days of the busiest month, 2027-03: 40 points"),
        ("busiest_trainer", "the busiest trainer, T1 Amina (fictional) (3 days in all), teaches 3 days on "
                            "M1.T1#1: 30 points"),
        ("cost", "M1.T1#1: fees 1,350 USD (T1 250, T4 200 a day x 3) and room HALL 300 USD (100 a day x 3), "
                 "1,650 USD: 16.5 points"),
        ("cost", "M2.T1#1: fees 900 USD (T2 250, T3 200 a day x 2) and room B 80 USD (40 a day x 2), "
                 "980 USD: 9.8 points"),
    ]


@pytest.fixture(scope="module")
def rtcm_2027_json(tmp_path_factory) -> Path:
    """The greedy calendar of the embedded default (no solver needed), as schedule JSON."""
    from data import default_problem
    from model.formats.files import schedule_json, write_atomic
    from scheduler.greedy import greedy_schedule

    path = tmp_path_factory.mktemp("rtcm") / "rtcm-2027.json"
    write_atomic(path, schedule_json(greedy_schedule(default_problem())))
    return path


def test_the_default_workbook_reads_back_as_its_json(rtcm_2027_json, tmp_path):
    from model.formats.files import read_schedule

    js = json.loads(rtcm_2027_json.read_text())
    schedule = read_schedule(rtcm_2027_json)
    wb = reopen(schedule, tmp_path)
    editions = {r["Edition"]: r for r in table_of(wb, "Editions")}
    # The programme's 71 editions: those the greedy calendar left out are optional, each with a reason.
    assert len(schedule.problem.editions) == 71
    assert len(editions) == len(js["editions"]) == 71 - len(js["unscheduled"])
    assert all(not u["mandatory"] and u["reason"] for u in js["unscheduled"])
    days_of: dict[str, int] = {}
    room_days: dict[str, int] = {}
    for e in js["editions"]:
        row = editions[e["edition"]]
        assert (row["Start"].date().isoformat(), row["End"].date().isoformat()) == (e["start"], e["end"])
        assert (row["Days"], row["Room"]) == (len(e["days"]), e["room"])
        assert row["Trainers"] == ", ".join(e["trainers"])
        assert (row["In person"], row["Online"]) == (e["participants_in_person"], e["participants_online"])
        for t in e["trainers"]:
            days_of[t] = days_of.get(t, 0) + len(e["days"])
        for g in e.get("guests", []):  # a guest gives one day
            days_of[g["person"]] = days_of.get(g["person"], 0) + 1
        if e["room"]:
            room_days[e["room"]] = room_days.get(e["room"], 0) + len(e["days"])
    months = [f"{m} 2027" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec")]
    for r in table_of(wb, "Trainers and resource persons"):
        assert r["Training days"] == days_of.get(r["Trainer"], 0) == sum(r[m] for m in months)
    for r in table_of(wb, "Rooms"):
        assert r["Days used"] == room_days.get(r["Room"], 0) == sum(r[m] for m in months)
    figures = summary(wb)
    assert figures["Editions scheduled"] == len(js["editions"])
    assert figures["Training days"] == sum(len(e["days"]) for e in js["editions"])
    # The Gantt's week cells add up to each edition's days; the month view names each day's editions.
    for row in gantt(wb)[1:]:
        assert sum(c for c in row[3:] if isinstance(c, int)) == editions[row[0]]["Days"]
    cells = {}
    for r in rows(wb, "Month view")[1:]:
        if isinstance(r[0], datetime) and r[1:] != (None,) * 7:
            for i, text in enumerate(r[1:]):
                if text:
                    cells[(r[0] + timedelta(days=i)).date().isoformat()] = text
    for e in js["editions"]:
        for d in e["days"]:
            assert f"{e['edition']} {e['room'] or 'online'}" in cells[d].splitlines()


def test_the_issues_add_up_to_the_penalties(rtcm_2027_json, tmp_path):
    from model.formats.files import read_schedule

    schedule = read_schedule(rtcm_2027_json)
    soft = [r for r in rows(reopen(schedule, tmp_path), "Issues") if r[0] == "Soft rule"]
    told: dict[str, float] = {}
    for _, rule, _, _, message in soft:
        told[rule] = told.get(rule, 0.0) + float(message.rsplit(": ", 1)[1].split()[0].replace(",", ""))
    for pen in kpis(schedule).penalties:
        assert told.get(pen.rule, 0.0) == pytest.approx(pen.points, abs=0.01 * max(1, len(soft))), pen.rule


