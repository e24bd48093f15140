"""Every output shows the guest sessions: from the workbook alone a planner answers who
presents what, on which day, for which country; the calendars, the parity report and the
command line agree with it.

The calendar is :func:`tests.formats.guests.guests_schedule`: T5 (Georgia) presents
"Regional best practice" in M1.T1#1 on Wed 3 March, T6 (Armenia) "National border
practice" in M2.T1#1 on Fri 19 March.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from cli.app import app
from cli.common import console
from model.check import check, kpis
from model.formats.excel import write_schedule_workbook
from model.formats.excel_parity import parity_workbook
from model.formats.files import schedule_json
from model.formats.ical import (
    event_uid,
    room_ics,
    session_uid,
    trainer_calendar,
    trainer_ics,
    write_calendars,
)
from model.parity import ParityReport, parity_report
from model.schedule import GuestSession, Schedule, ScheduledEdition
from tests.formats.guests import BORDER, REGIONAL, guests_data, guests_problem, guests_schedule
from tests.instances.tiny import problem_of, record

STAMP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
MARCH_3, MARCH_19 = datetime(2027, 3, 3), datetime(2027, 3, 19)


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    s = guests_schedule()
    assert check(s) == []
    return s


@pytest.fixture(scope="module")
def workbook(schedule: Schedule, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("guests") / "schedule.xlsx"
    write_schedule_workbook(schedule, path)
    return openpyxl.load_workbook(path)


def table(wb: openpyxl.Workbook, sheet: str) -> list[dict[str, Any]]:
    """A sheet's table (headers on row 1) as dicts, down to the first empty row."""
    rows = list(wb[sheet].iter_rows(values_only=True))
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(rows[0], r, strict=True)))
    return out


def _days(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


# ------------------------------------------------------------------------------ workbook


def test_the_editions_sheet_names_each_guest_with_country_and_day(workbook):
    editions = {r["Edition"]: r for r in table(workbook, "Editions")}
    assert editions["M1.T1#1"]["Guests"] == f"{REGIONAL}: T5 Nino (fictional) (Georgia), 2027-03-03"
    assert editions["M2.T1#1"]["Guests"] == f"{BORDER}: T6 Armen (fictional) (Armenia), 2027-03-19"
    assert editions["M1.T1#1"]["Trainers"] == "T1, T4"  # the team stays apart from its guests


def test_the_guest_sessions_sheet_has_one_row_per_session_by_date(workbook):
    ws = workbook["Guest sessions"]
    assert list(ws.tables) == ["GuestSessionsTable"] and ws["A2"].is_date
    assert table(workbook, "Guest sessions") == [
        {"Date": MARCH_3, "Edition": "M1.T1#1", "Topic title": "Migration basics", "Slot": REGIONAL,
         "Person": "T5", "Name": "Nino (fictional)", "Organisation": "GEO-MIA", "Country": "Georgia",
         "Languages": "en, ka", "Day rate (USD)": 150, "Travel (USD)": 400},
        {"Date": MARCH_19, "Edition": "M2.T1#1", "Topic title": "Border management", "Slot": BORDER,
         "Person": "T6", "Name": "Armen (fictional)", "Organisation": "ARM-MS", "Country": "Armenia",
         "Languages": "en, hy", "Day rate (USD)": 100, "Travel (USD)": 300},
    ]


def test_the_trainers_sheet_shows_roles_course_days_and_guest_days_apart(workbook, schedule):
    people = {r["Trainer"]: r for r in table(workbook, "Trainers and resource persons")}
    t5, t1 = people["T5"], people["T1"]
    assert (t5["Role"], t5["Country"], t5["Editions on the team"], t5["Course days"]) == (
        "guest", "Georgia", None, 0)
    assert (t5["Guest sessions"], t5["Guest days"], t5["Training days"], t5["Mar 2027"]) == (
        "M1.T1#1 2027-03-03", 1, 1, 1)
    # One day at 150 USD; one trip of 400 USD to the main hall.
    assert (t5["Fees (USD)"], t5["Travel (USD)"], t5["Editions"]) == (150, 400, 1)
    assert (t1["Role"], t1["Course days"], t1["Guest days"], t1["Training days"]) == ("trainer and guest", 3, 0, 3)
    k = kpis(schedule)
    assert {t: r["Training days"] for t, r in people.items() if r["Training days"]} == k.trainer_days
    assert sum(r["Fees (USD)"] for r in people.values()) == k.fees_usd == 2500
    assert sum(r["Travel (USD)"] for r in people.values()) == k.travel_usd == 700


def test_the_month_view_shows_each_guest_on_their_day(workbook):
    cells = {}
    for r in workbook["Month view"].iter_rows(min_row=3, values_only=True):
        if isinstance(r[0], datetime):
            for i, text in enumerate(r[1:]):
                if text:
                    cells[(r[0] + timedelta(days=i)).date()] = text.splitlines()
    assert cells[date(2027, 3, 3)] == ["3", "M1.T1#1 HALL", "guest T5 (Georgia)"]
    assert cells[date(2027, 3, 2)] == ["2", "M1.T1#1 HALL"]  # a course day without a guest
    assert cells[date(2027, 3, 19)] == ["19", "M2.T1#1 B", "guest T6 (Armenia)"]


def test_the_summary_counts_the_guest_days_in_the_trainer_days(workbook):
    figures = {r[0]: r[1] for r in workbook["Summary"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert figures["Guest sessions"] == 2
    # Teams: women T1 3 + T3 2, men T4 3 + T2 2; guests: T5 a woman, T6 a man.
    assert (figures["Trainer-days, women"], figures["Trainer-days, men"]) == (6, 6)
    assert figures["Travel (USD)"] == 700


def test_the_summary_tells_each_country_s_sessions_against_the_minimum(schedule, tmp_path):
    data = guests_data()
    data["team_rules"] = {"country_sessions_min": 2}
    path = tmp_path / "turns.xlsx"
    write_schedule_workbook(schedule.model_copy(update={"problem": problem_of(data)}), path)
    rows = {r[0]: (r[1], r[2]) for r in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)
            if r[0] and str(r[0]).startswith("Guest sessions, ")}
    assert rows == {"Guest sessions, Georgia": (1, "below the minimum of 2"),
                    "Guest sessions, Armenia": (1, "below the minimum of 2")}


def test_the_workbook_alone_says_who_presents_what_when_and_for_which_country(workbook, schedule):
    """The planner's acceptance: every session of the schedule, read back from its sheet."""
    p = schedule.problem
    told = {(r["Date"].date(), r["Edition"], r["Slot"], r["Person"], r["Country"])
            for r in table(workbook, "Guest sessions")}
    expected = {(g.day, se.edition, p.guest_slot(se.edition, g.slot).title, g.person,
                 p.trainer_by_id[g.person].country) for se in schedule.editions for g in se.guests}
    assert told == expected and len(expected) == 2


def test_a_guest_travels_to_a_room_not_online(tmp_path):
    """T3 (UNHCR, no country, 250 USD travel), on the team of M2.T1#1, also presents in
    M1.T1#1, in the main hall: one trip; T6 presents in M2.T1#1, now online: no trip."""
    data = guests_data()
    record(data, "trainers", "T3")["travel_usd"] = 250
    record(data, "programme", "M1.T1")["guest_slots"].append(
        {"id": "agency", "organisations": ["UNHCR"], "title": "Refugee protection"})
    record(data, "topics", "M2.T1")["modes"] = ["online"]
    record(data, "programme", "M2.T1").update(mode="online", participants_online=15, participants_in_person=0)
    p = problem_of(data)
    guests = [GuestSession(slot="country", person="T5", day=date(2027, 3, 3)),
              GuestSession(slot="agency", person="T3", day=date(2027, 3, 2))]
    s = Schedule(problem=p, editions=[
        ScheduledEdition.place(p, "M1.T1#1", _days(date(2027, 3, 2), 3), "HALL", ["T1", "T4"], guests=guests),
        ScheduledEdition.place(p, "M2.T1#1", _days(date(2027, 3, 18), 2), None, ["T2", "T3"],
                               guests=[GuestSession(slot="country", person="T6", day=date(2027, 3, 19))])])
    assert check(s) == []
    path = tmp_path / "schedule.xlsx"
    write_schedule_workbook(s, path)
    wb = openpyxl.load_workbook(path)
    sessions = [(r["Date"].day, r["Person"], r["Slot"], r["Travel (USD)"]) for r in table(wb, "Guest sessions")]
    assert sessions == [(2, "T3", "Refugee protection", 250), (3, "T5", REGIONAL, 400), (19, "T6", BORDER, 0)]
    t3 = {r["Trainer"]: r for r in table(wb, "Trainers and resource persons")}["T3"]
    assert (t3["Role"], t3["Editions on the team"], t3["Course days"], t3["Guest sessions"], t3["Guest days"]) == (
        "trainer and guest", "M2.T1#1", 2, "M1.T1#1 2027-03-02", 1)
    assert (t3["Training days"], t3["Travel (USD)"], t3["Editions"]) == (3, 250, 2)
    assert sum(r["Travel (USD)"] for r in table(wb, "Guest sessions")) == kpis(s).travel_usd == 650


# ------------------------------------------------------------------------------ iCalendar


def events(ics: bytes) -> list[dict[str, Any]]:
    return [{"uid": str(ev["UID"]), "summary": str(ev["SUMMARY"]), "start": ev.decoded("DTSTART"),
             "end": ev.decoded("DTEND"), "location": str(ev["LOCATION"]), "description": str(ev["DESCRIPTION"])}
            for ev in Calendar.from_ical(ics).walk("VEVENT")]


def test_a_guest_s_calendar_holds_their_session_on_its_day(schedule):
    (ev,) = events(trainer_ics(schedule, "T5", STAMP))
    assert ev["summary"] == f"{REGIONAL}: Migration basics (M1.T1#1)"
    assert (ev["start"], ev["end"]) == (date(2027, 3, 3), date(2027, 3, 4))  # one day, not the course's three
    assert ev["uid"] == session_uid(schedule, "M1.T1#1", "country") == "M1.T1-1.country.20270301@rtcm-planner"
    assert ev["location"] == "Main hall (HALL), Regional Training Center on Migration, Baku"
    assert "Given by: Nino (fictional) (T5), GEO-MIA, Georgia" in ev["description"]
    assert "Team: Amina (fictional) (T1), Rustam (fictional) (T4)" in ev["description"]


def test_the_team_s_and_the_room_s_events_list_the_guests_with_their_day(schedule):
    line = f"- 2027-03-03: {REGIONAL}, by Nino (fictional) (T5), GEO-MIA, Georgia"
    (team,) = events(trainer_ics(schedule, "T1", STAMP))
    assert (team["uid"], team["start"], team["end"]) == (event_uid(schedule, "M1.T1#1"), date(2027, 3, 2),
                                                         date(2027, 3, 5))
    assert line in team["description"].splitlines()
    (room,) = events(room_ics(schedule, "HALL", STAMP))
    assert line in room["description"].splitlines()
    (other,) = events(room_ics(schedule, "B", STAMP))
    assert f"- 2027-03-19: {BORDER}, by Armen (fictional) (T6), ARM-MS, Armenia" in other["description"]


def test_a_session_moved_to_another_day_keeps_its_uid(schedule):
    p = guests_problem()
    moved = schedule.model_copy(update={"editions": [
        ScheduledEdition.place(p, "M1.T1#1", _days(date(2027, 3, 2), 3), "HALL", ["T1", "T4"],
                               guests=[GuestSession(slot="country", person="T5", day=date(2027, 3, 4))])]})
    before = events(trainer_ics(schedule, "T5", STAMP))[0]
    after = events(trainer_ics(moved, "T5", STAMP + timedelta(days=1)))[0]
    assert before["uid"] == after["uid"] and after["start"] == date(2027, 3, 4)


def test_every_guest_gets_a_calendar_file(schedule, tmp_path):
    written = {p.name: p for p in write_calendars(schedule, tmp_path, "trainer", STAMP)}
    assert sorted(written) == [f"trainer-T{i}.ics" for i in range(1, 7)]
    assert [e["start"] for e in events(written["trainer-T6.ics"].read_bytes())] == [date(2027, 3, 19)]
    assert trainer_calendar(schedule, "T6", STAMP)["X-WR-CALDESC"].startswith("Courses and guest sessions of")


# ------------------------------------------------------------------------------ parity


def test_guests_count_their_day_in_the_trainer_days(schedule):
    r = parity_report(schedule)
    year = r.row("trainers", "year", "year")
    assert (year.women, year.men, year.share) == (6, 6, 0.5)
    m1 = r.row("trainers", "edition", "M1.T1#1")  # T1 3 days and T5 1 (women), T4 3 (a man)
    assert (m1.women, m1.men, m1.status) == (4, 3, "pass")
    assert r.row("trainers", "organisation", "GEO-MIA").women == 1
    assert r.guest_days == 2
    assert "a guest counts the one day of their session): 10 days of the teams and 2 of guests" in r.notes[1]


def test_the_report_shows_the_guest_days_apart_from_the_team_days(schedule):
    r = parity_report(schedule)
    split = {(x.scope, x.key, x.given_by): (x.women, x.men, x.days) for x in r.trainer_days_by_source}
    assert split[("year", "year", "team")] == (5, 5, 10)
    assert split[("year", "year", "guests")] == (1, 1, 2)
    assert split[("module", "M1", "guests")] == (1, 0, 1)
    assert split[("month", "2027-03", "guests")] == (1, 1, 2)
    assert split[("organisation", "ARM-MS", "guests")] == (0, 1, 1)
    assert ("organisation", "ARM-MS", "team") not in split  # a row only where there are days
    # The split adds up to the rows the targets are judged on.
    for row in r.trainers:
        if row.scope != "edition":
            parts = [x for x in r.trainer_days_by_source if (x.scope, x.key) == (row.scope, row.key)]
            assert sum(x.women for x in parts) == row.women and sum(x.men for x in parts) == row.men


def test_a_woman_presenting_elsewhere_is_why_a_team_has_none(tmp_path):
    """M2.T1#1 runs Wed 3 - Thu 4 March with T2 and T7, two men (the mixed-team rule soft): T1, a
    woman, teaches M1.T1#1 those days; T3, the other, presents in it on the 3rd."""
    data = guests_data()
    data["team_rules"] = {"mixed_gender": "soft"}
    data["trainers"].append({"id": "T7", "name": "Farid (fictional)", "gender": "man", "organisation": "IOM",
                             "modules": [1, 2], "fictional": True})
    record(data, "programme", "M1.T1")["guest_slots"][0]["organisations"].append("UNHCR")
    p = problem_of(data)
    s = Schedule(problem=p, editions=[
        ScheduledEdition.place(p, "M1.T1#1", _days(date(2027, 3, 2), 3), "HALL", ["T1", "T4"],
                               guests=[GuestSession(slot="country", person="T3", day=date(2027, 3, 3))]),
        ScheduledEdition.place(p, "M2.T1#1", _days(date(2027, 3, 3), 2), "B", ["T2", "T7"])])
    assert check(s) == []
    row = parity_report(s).row("trainers", "edition", "M2.T1#1")
    assert row.status == "fail"
    assert row.reason == ("M2.T1#1: no qualified woman trainer available 3-4 Mar: T1 (IOM) teaching M1.T1#1 on "
                          "those days; T3 (UNHCR) presenting in M1.T1#1 on those days")


def _cli_rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│")]


def test_rtcm_parity_prints_and_writes_the_guest_days_apart(schedule, tmp_path, monkeypatch):
    path = tmp_path / "schedule.json"
    path.write_text(schedule_json(schedule))
    out, js = tmp_path / "parity.xlsx", tmp_path / "parity.json"
    monkeypatch.setattr(console, "_width", 240)
    result = CliRunner().invoke(app, ["parity", str(path), "--out", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    assert "10 days of the teams and 2 of guests" in result.output
    assert "Trainers: days of the teams and of guest sessions" in result.output
    shown = _cli_rows(result.output)
    assert ["year", "teams", "5", "5", "0", "0", "50.00 %", "10"] in shown
    assert ["year", "guest sessions", "1", "1", "0", "0", "50.00 %", "2"] in shown
    assert ["module 1", "guest sessions", "1", "0", "0", "0", "100.00 %", "1"] in shown
    report = ParityReport.model_validate(json.loads(js.read_text()))
    assert report == parity_report(schedule) and report.guest_days == 2
    ws = openpyxl.load_workbook(out)["Gender parity"]
    ref = ws.tables["ParityReportTrainerDaysBySource"].ref
    body = [tuple(c.value for c in row) for row in list(ws[ref])[1:]]
    assert body == [(x.scope, x.key, x.women, x.men, x.another_identity, x.undisclosed, x.share,
                     "guest sessions" if x.given_by == "guests" else "teams", x.days)
                    for x in report.trainer_days_by_source]


def test_without_guests_the_parity_outputs_add_no_split(tmp_path):
    from tests.test_excel import tiny_schedule

    s = tiny_schedule()
    report = parity_report(s)
    assert report.guest_days == 0 and {x.given_by for x in report.trainer_days_by_source} == {"team"}
    assert "ParityReportTrainerDaysBySource" not in parity_workbook(s)["Gender parity"].tables
    path = tmp_path / "schedule.json"
    path.write_text(schedule_json(s))
    result = CliRunner().invoke(app, ["parity", str(path)])
    assert result.exit_code == 0 and "guest sessions" not in result.output


def test_rtcm_check_passes_a_calendar_with_guests(schedule, tmp_path: Path):
    path = tmp_path / "schedule.json"
    path.write_text(schedule_json(schedule))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0 and "No hard rule broken" in result.output
    assert "2 guest sessions checked (by country: Georgia 1, Armenia 1)" in result.output
