"""A calendar's backups carried by the schedule, re-verified, and shown in the workbook and the calendars.

``tiny_schedule`` (tests/test_excel.py): M1.T1#1 Tue 2 - Thu 4 March in HALL with T1 (woman, IOM) +
T4 (man, UNHCR); M2.T1#1 Thu 18 - Fri 19 March in room B with T2 (man, IOM) + T3 (woman, UNHCR). Its
backups (tests/scheduler/test_backups.py derives them): T4 -> T2 and T3 -> T1, M2.T1#1's room -> HALL;
nobody for T1 (an IOM woman) nor T2 (an IOM man), and no other room streams the hybrid M1.T1#1.

``overlapping``: the same problem with a fifth trainer T5 (man, IOM), a third room C (20 seats) and
M1.T1 in person; M1.T1#1 on 2-4 March in HALL with T1 + T4, M2.T1#1 on 3-4 March in B with T2 + T3.
T5 could replace T4 or T2 and room C could take either course, but never both on 3 March.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import vobject
from icalendar import Calendar
from typer.testing import CliRunner

import model.backups
from cli.app import app
from model.backups import BACKUPS_RULE, verify_backups
from model.formats.excel import write_schedule_workbook
from model.formats.feeds import FeedSubject, PublishedCalendar, events_held, feed
from model.formats.files import problem_yaml, read_schedule, schedule_json
from model.formats.ical import backup_uid, event_uid, trainer_ics, write_calendars
from model.schedule import BackupReport, EditionBackups, MemberBackup, Schedule
from scheduler.backups import backups
from scheduler.solve import SolveOptions, solve
from tests.instances.tiny import _trainer, problem_of, record, tiny_data, tiny_problem
from tests.test_excel import placed, tiny_schedule

STAMP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
V1 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
runner = CliRunner()


def with_backups() -> Schedule:
    """``tiny_schedule`` carrying the backups the engine chooses for it."""
    s = tiny_schedule()
    s.backups = backups(s)
    return s


def hand_made(*editions: EditionBackups) -> BackupReport:
    return BackupReport(editions=list(editions))


def member(trainer: str, backup: str | None = None) -> MemberBackup:
    return MemberBackup(trainer=trainer, backup=backup)


def overlapping() -> Schedule:
    data = tiny_data()
    data["trainers"].append(_trainer("T5", "Farid (fictional)", "man", "IOM", 220))
    data["venues"][0]["rooms"].append({"id": "C", "name": "Room C", "seats": 20, "day_cost": 30})
    record(data, "programme", "M1.T1").update(mode="in_person", participants_online=0)
    p = problem_of(data)
    return Schedule(problem=p, editions=[placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"]),
                                         placed(p, "M2.T1#1", date(2027, 3, 3), 2, "B", ["T2", "T3"])])


# ------------------------------------------------------------------ the schedule carries them


def test_the_schedule_s_json_carries_its_backups_and_old_json_still_loads(tmp_path) -> None:
    s = with_backups()
    path = tmp_path / "cal.json"
    path.write_text(schedule_json(s), encoding="utf-8")
    carried = read_schedule(path).backups
    assert carried is not None and carried == s.backups
    assert (carried.covered, carried.roles, carried.complete) == (2, 4, 0)
    assert carried.backing_up("T2") == {"M1.T1#1": ["T4"]}
    # A schedule written before backups existed has no such field: it loads without them.
    old = json.loads(schedule_json(tiny_schedule()))
    del old["backups"]
    path.write_text(json.dumps(old), encoding="utf-8")
    assert read_schedule(path).backups is None
    # The report's models are the schedule's, still importable from model.backups.
    assert model.backups.BackupReport is BackupReport and model.backups.MemberBackup is MemberBackup


def test_solve_attaches_the_backups_only_when_asked() -> None:
    options = SolveOptions(time_limit_s=10, workers=1, deterministic=True)
    plain = solve(tiny_problem(), options)
    assert plain.found and plain.schedule.backups is None  # the default: off
    result = solve(tiny_problem(), replace(options, backups=True))
    assert result.found and result.schedule.backups is not None
    assert result.schedule.backups == backups(result.schedule)
    assert [e.edition for e in result.schedule.backups.editions] == [se.edition for se in result.schedule.editions]


def test_a_solve_cancelled_early_ends_without_backups() -> None:
    stop = threading.Event()
    stop.set()  # asked to end at once: the start calendar is the answer, and no time goes to backups
    result = solve(tiny_problem(), SolveOptions(time_limit_s=30, workers=1, backups=True), stop=stop)
    assert result.found and result.schedule.backups is None


def test_rtcm_solve_writes_the_backups_unless_told_not_to(tmp_path) -> None:
    problem = tmp_path / "tiny.yaml"
    problem.write_text(problem_yaml(tiny_problem()), encoding="utf-8")
    args = ["solve", str(problem), "--time-limit", "10", "--workers", "1", "--deterministic", "--quiet"]
    js, xlsx = tmp_path / "cal.json", tmp_path / "cal.xlsx"
    r = runner.invoke(app, [*args, "--json", str(js), "--out", str(xlsx)])
    assert r.exit_code == 0, r.output
    carried = json.loads(js.read_text())["backups"]
    assert [e["edition"] for e in carried["editions"]] == ["M1.T1#1", "M2.T1#1"]
    assert "backups: " in r.output
    assert "Backups" in [c.value for c in openpyxl.load_workbook(xlsx)["Editions"][1]]
    r = runner.invoke(app, [*args, "--json", str(js), "--no-backups"])
    assert r.exit_code == 0, r.output
    assert json.loads(js.read_text())["backups"] is None


# ------------------------------------------------------------------ verification


def test_the_engine_s_backups_verify() -> None:
    assert verify_backups(with_backups()) == []
    s = overlapping()
    s.backups = backups(s)
    assert s.backups.covered == 1  # T5 for one of T4 and T2, never both
    assert verify_backups(s) == []
    assert verify_backups(tiny_schedule()) == []  # no backups, nothing to verify


WRONG = [
    # T1 teaches M1.T1#1: she cannot be its backup too.
    (hand_made(EditionBackups(edition="M1.T1#1", members=[member("T1"), member("T4", "T1")], room="HALL")),
     ["M1.T1#1", "T4", "T1"], "M1.T1#1: T1, the backup of T4, is on the team already"),
    # T3 (UNHCR) in place of T1 leaves M1.T1#1 without an IOM trainer: the checker says so.
    (hand_made(EditionBackups(edition="M1.T1#1", members=[member("T1", "T3"), member("T4")], room="HALL")),
     ["M1.T1#1", "T1", "T3"], "M1.T1#1: T3, the backup of T1, would break: "),
    # A name the problem does not have.
    (hand_made(EditionBackups(edition="M2.T1#1", members=[member("T2"), member("T3", "T9")], room="B")),
     ["M2.T1#1", "T3", "T9"], "M2.T1#1: T9, the backup of T3, is not a trainer of the problem"),
    # Stale: T4 was taken off M2.T1#1's team (or never on it) since the backups were chosen.
    (hand_made(EditionBackups(edition="M2.T1#1", members=[member("T4", "T1")], room="B")),
     ["M2.T1#1", "T4", "T1"], "M2.T1#1: T4 has a backup (T1) but is not on the team (T2, T3)"),
    # Stale: an edition no longer on the calendar.
    (hand_made(EditionBackups(edition="M3.T1#1", members=[member("T1", "T2")])),
     ["M3.T1#1"], "M3.T1#1 has backups but is not on the calendar"),
    # A course's own room is no backup for it.
    (hand_made(EditionBackups(edition="M2.T1#1", members=[], room="B", backup_room="B")),
     ["M2.T1#1", "B"], "M2.T1#1: B, its backup room, is its room already"),
    # Room B cannot stream the hybrid M1.T1#1.
    (hand_made(EditionBackups(edition="M1.T1#1", members=[], room="HALL", backup_room="B")),
     ["M1.T1#1", "B"], "M1.T1#1: B, its backup room, would break: "),
]


@pytest.mark.parametrize(("report", "records", "message"), WRONG)
def test_a_wrong_backup_in_a_hand_edited_schedule_is_reported(report, records, message) -> None:
    s = tiny_schedule()
    s.backups = report
    wrong = verify_backups(s)
    assert len(wrong) == 1, wrong
    assert wrong[0].rule == BACKUPS_RULE and wrong[0].records == records
    assert wrong[0].message.startswith(message), wrong[0].message


def test_the_rule_a_backup_would_break_is_named() -> None:
    s = tiny_schedule()
    s.backups = WRONG[1][0]
    (wrong,) = verify_backups(s)  # T3 + T4, both UNHCR: the team needs an IOM trainer
    assert "IOM" in wrong.message.removeprefix("M1.T1#1: T3, the backup of T1, would break: ")


def test_nobody_and_no_room_backs_up_two_courses_on_one_day() -> None:
    s = overlapping()
    s.backups = hand_made(
        EditionBackups(edition="M1.T1#1", members=[member("T1"), member("T4", "T5")], room="HALL", backup_room="C"),
        EditionBackups(edition="M2.T1#1", members=[member("T2", "T5"), member("T3")], room="B", backup_room="C"))
    assert [(v.records, v.message) for v in verify_backups(s)] == [
        (["T5", "M1.T1#1", "M2.T1#1", "T4", "T2"], "T5 backs up T4 on M1.T1#1 and T2 on M2.T1#1 on the same day "
                                                   "(2027-03-03), and could not step in for both"),
        (["C", "M1.T1#1", "M2.T1#1"], "C is the backup room of M1.T1#1 and M2.T1#1 on the same day (2027-03-03), "
                                      "and could not take both"),
    ]


def test_rtcm_check_reports_a_wrong_backup_and_fails(tmp_path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(schedule_json(with_backups()), encoding="utf-8")
    r = runner.invoke(app, ["check", str(path)])
    assert r.exit_code == 0, r.output
    assert "No hard rule broken" in r.output and "Backups checked" in r.output
    # Edited by hand: M1.T1#1 moved onto M2.T1#1's days, where its backup T2 teaches.
    s = with_backups()
    s.editions = [placed(s.problem, "M1.T1#1", date(2027, 3, 17), 3, "HALL", ["T1", "T4"]), s.by_edition["M2.T1#1"]]
    path.write_text(schedule_json(s), encoding="utf-8")
    r = runner.invoke(app, ["check", str(path)], terminal_width=250)
    assert r.exit_code == 1, r.output
    assert "No hard rule broken" in r.output
    assert "backup(s) could not step in" in r.output
    assert "M1.T1#1: T2, the backup of T4, would break" in r.output


# ------------------------------------------------------------------ the workbook


def editions_rows(s: Schedule, tmp_path) -> list[dict]:
    path = tmp_path / "cal.xlsx"
    write_schedule_workbook(s, path)
    table = list(openpyxl.load_workbook(path)["Editions"].iter_rows(values_only=True))
    return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


def test_the_editions_sheet_shows_each_edition_s_backups_and_why_none(tmp_path) -> None:
    first, second = editions_rows(with_backups(), tmp_path)
    assert first["Edition"] == "M1.T1#1"
    assert first["Backups"] == "T1 → none; T4 → T2"
    assert first["Backup room"] == "none"
    assert first["Why no backup"] == (
        "T1: a backup must bring a person of IOM and a woman; none of those free and within their limits (T2, T3) "
        "does; room: no other room that fits it is open and free on those days")
    assert (second["Backups"], second["Backup room"]) == ("T2 → none; T3 → T1", "HALL")
    assert second["Why no backup"].startswith("T2: a backup must bring a person of IOM and a man")
    summary = {row[0]: row for row in openpyxl.load_workbook(tmp_path / "cal.xlsx")["Summary"].iter_rows(
        values_only=True)}
    assert summary["Team members with a backup"][1] == 2
    assert summary["Team members with a backup"][2].startswith("of 4; 0 of 2 editions")


def test_without_backups_the_sheet_has_no_such_columns(tmp_path) -> None:
    (row, _) = editions_rows(tiny_schedule(), tmp_path)
    assert "Backups" not in row and "Backup room" not in row


# ------------------------------------------------------------------ calendars


def ics_events(ics: bytes) -> dict[str, dict]:
    return {str(ev["UID"]): {"summary": str(ev["SUMMARY"]), "status": str(ev["STATUS"]),
                             "start": ev.decoded("DTSTART"), "end": ev.decoded("DTEND"),
                             "description": str(ev["DESCRIPTION"])}
            for ev in Calendar.from_ical(ics).walk("VEVENT")}


def test_a_trainer_s_calendar_holds_the_courses_they_back_up_as_tentative(tmp_path) -> None:
    s = with_backups()
    t2 = ics_events(trainer_ics(s, "T2", STAMP))
    uid = backup_uid(s, "M1.T1#1", "T2")
    assert set(t2) == {event_uid(s, "M2.T1#1"), uid}  # the course T2 teaches, and the one they back up
    assert uid != event_uid(s, "M1.T1#1")
    held = t2[uid]
    assert held["status"] == "TENTATIVE" and held["summary"] == "Backup: Migration basics (M1.T1#1)"
    assert (held["start"], held["end"]) == (date(2027, 3, 2), date(2027, 3, 5))
    assert "Backup of Rustam (fictional) (T4)" in held["description"]
    assert t2[event_uid(s, "M2.T1#1")]["status"] == "CONFIRMED"
    # T4 backs up nobody; T1 backs up M2.T1#1; the written files hold the same.
    assert set(ics_events(trainer_ics(s, "T4", STAMP))) == {event_uid(s, "M1.T1#1")}
    write_calendars(s, tmp_path, by="trainer", stamp=STAMP)
    t1 = ics_events((tmp_path / "trainer-T1.ics").read_bytes())
    assert t1[backup_uid(s, "M2.T1#1", "T1")]["start"] == date(2027, 3, 18)
    # The same calendar without backups: no tentative event.
    assert set(ics_events(trainer_ics(tiny_schedule(), "T2", STAMP))) == {event_uid(s, "M2.T1#1")}


def feed_events(versions: list[PublishedCalendar], subject: FeedSubject) -> dict[str, dict]:
    cal = vobject.readOne(feed(versions, subject).ics.decode("utf-8"))
    return {ev.uid.value: {"start": ev.dtstart.value, "sequence": int(ev.sequence.value), "status": ev.status.value}
            for ev in getattr(cal, "vevent_list", [])}


def test_a_trainer_s_feed_moves_and_cancels_the_courses_they_back_up() -> None:
    first = with_backups()
    moved = Schedule(problem=first.problem, editions=[
        placed(first.problem, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T4"]), first.by_edition["M2.T1#1"]])
    moved.backups = backups(moved)
    assert moved.backups.backing_up("T2") == {"M1.T1#1": ["T4"]}  # still T2, a week later
    dropped = first.model_copy(update={"backups": None})
    t2 = FeedSubject("trainer", "T2")
    uid = backup_uid(first, "M1.T1#1", "T2")
    versions = [PublishedCalendar(n, V1 + timedelta(days=7 * n), s) for n, s in enumerate((first, moved, dropped))]
    assert feed_events(versions[:1], t2)[uid] == {"start": date(2027, 3, 2), "sequence": 0, "status": "TENTATIVE"}
    assert feed_events(versions[:2], t2)[uid] == {"start": date(2027, 3, 9), "sequence": 1, "status": "TENTATIVE"}
    # The calendar published without backups: the role is gone, and cancelled like a course that is.
    gone = feed_events(versions, t2)
    assert gone[uid]["status"] == "CANCELLED" and gone[uid]["sequence"] == 2
    assert gone[event_uid(first, "M2.T1#1")] == feed_events(versions[:1], t2)[event_uid(first, "M2.T1#1")]
    body = feed(versions[:2], t2)
    assert (body.events, body.cancelled) == (2, 0) == (events_held(moved, t2), 0)
    assert events_held(dropped, t2) == feed(versions, t2).events == 1
    # The centre's feed holds the courses only.
    assert uid not in feed_events(versions[:1], FeedSubject("centre"))
