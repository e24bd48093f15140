"""Calendars for trainers and rooms: parsed back and compared with the schedule; stable UIDs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from cli.app import app
from model.formats.files import schedule_json
from model.formats.ical import (
    event_uid,
    file_name,
    room_calendar,
    trainer_calendar,
    trainer_ics,
    write_calendars,
)
from model.schedule import Schedule
from tests.instances.tiny import tiny_problem
from tests.test_excel import placed, tiny_schedule

STAMP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
LATER = STAMP + timedelta(days=3)


def events(ics: bytes) -> dict[str, dict[str, object]]:
    """The events of an .ics file by edition id (from the summary), with their decoded fields."""
    out = {}
    for ev in Calendar.from_ical(ics).walk("VEVENT"):
        summary = str(ev["SUMMARY"])
        edition = summary[summary.rindex("(") + 1 : -1]
        out[edition] = {
            "uid": str(ev["UID"]),
            "start": ev.decoded("DTSTART"),
            "end": ev.decoded("DTEND"),
            "location": str(ev["LOCATION"]),
            "description": str(ev["DESCRIPTION"]),
            "sequence": int(ev["SEQUENCE"]),
            "summary": summary,
        }
    return out


def test_a_trainer_s_calendar_holds_their_editions():
    # tiny_schedule: M1.T1#1 Tue 2 - Thu 4 March in HALL with T1 + T4; M2.T1#1 Thu 18 - Fri 19 in B, T2 + T3.
    schedule = tiny_schedule()
    t1 = events(trainer_ics(schedule, "T1", STAMP))
    assert list(t1) == ["M1.T1#1"]
    ev = t1["M1.T1#1"]
    assert ev["summary"] == "Migration basics (M1.T1#1)"
    assert (ev["start"], ev["end"]) == (date(2027, 3, 2), date(2027, 3, 5))  # DTEND: the day after
    assert ev["location"] == "Main hall (HALL), Regional Training Center on Migration, Baku"
    assert "Co-trainers: Rustam (fictional) (T4)" in str(ev["description"])
    assert "3 training day(s)" in str(ev["description"])
    t3 = events(trainer_ics(schedule, "T3", STAMP))
    assert list(t3) == ["M2.T1#1"]
    assert "Co-trainers: Bakhtiyar (fictional) (T2)" in str(t3["M2.T1#1"]["description"])


@pytest.mark.parametrize("trainer", ["T1", "T2", "T3", "T4"])
def test_each_trainer_s_events_match_the_schedule(trainer):
    schedule = tiny_schedule()
    got = events(trainer_ics(schedule, trainer, STAMP))
    expected = {se.edition: se for se in schedule.editions if trainer in se.trainers}
    assert set(got) == set(expected)
    for edition, se in expected.items():
        assert (got[edition]["start"], got[edition]["end"]) == (se.start, se.end + timedelta(days=1))


def test_a_room_s_calendar_names_the_team():
    cal = room_calendar(tiny_schedule(), "B", STAMP)
    assert str(cal["X-WR-CALNAME"]) == "tiny: Room B (B)"
    got = events(cal.to_ical())
    assert list(got) == ["M2.T1#1"]
    description = str(got["M2.T1#1"]["description"])
    assert "Trainers: Bakhtiyar (fictional) (T2), Leyla (fictional) (T3)" in description


def test_uids_stay_when_an_edition_moves():
    """Re-importing an updated calendar moves the event: same UID, later dates, higher SEQUENCE."""
    before = tiny_schedule()
    p = before.problem
    moved = Schedule(problem=p, editions=[
        placed(p, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T4"]),
        placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T2", "T3"]),
    ])
    first = events(trainer_ics(before, "T1", STAMP))["M1.T1#1"]
    second = events(trainer_ics(moved, "T1", LATER))["M1.T1#1"]
    assert first["uid"] == second["uid"] == "M1.T1-1.20270301@rtcm-planner"
    assert first["start"] != second["start"]
    assert second["sequence"] > first["sequence"]


def test_two_exports_give_the_same_uids(tmp_path):
    schedule = tiny_schedule()
    uids = []
    for stamp, folder in ((STAMP, tmp_path / "a"), (LATER, tmp_path / "b")):
        write_calendars(schedule, folder, "all", stamp)
        uids.append({p.name: [e["uid"] for e in events(p.read_bytes()).values()] for p in folder.iterdir()})
    assert uids[0] == uids[1]
    every = [u for us in uids[0].values() for u in us]
    assert set(every) == {event_uid(schedule, "M1.T1#1"), event_uid(schedule, "M2.T1#1")}


def test_one_file_per_trainer_and_per_room(tmp_path):
    schedule = tiny_schedule()
    assert sorted(p.name for p in write_calendars(schedule, tmp_path / "t", "trainer", STAMP)) == [
        "trainer-T1.ics", "trainer-T2.ics", "trainer-T3.ics", "trainer-T4.ics"]
    assert sorted(p.name for p in write_calendars(schedule, tmp_path / "r", "room", STAMP)) == [
        "room-B.ics", "room-HALL.ics"]
    assert len(write_calendars(schedule, tmp_path / "all", "all", STAMP)) == 6
    assert file_name("room", "A/1 big") == "room-A_1_big.ics"


def test_a_trainer_without_courses_gets_an_empty_calendar():
    schedule = tiny_schedule().model_copy(update={"editions": []})
    cal = trainer_calendar(schedule, "T1", STAMP)
    assert cal.walk("VEVENT") == []
    assert str(cal["PRODID"]) == "-//RTCM Planner//rtcm-planner//EN"


def test_an_unknown_trainer_is_a_key_error():
    with pytest.raises(KeyError):
        trainer_ics(tiny_schedule(), "T99")


def test_an_online_course_and_a_straddling_one():
    """With straddling allowed, M1.T1#1 runs Fri 5 and Mon 8 March: the event spans the weekend and
    its description lists the two training days."""
    p = tiny_problem(calendar={"start": "2027-03-01", "end": "2027-03-31", "holiday_country": None,
                               "allow_straddle": True})
    se = placed(p, "M1.T1#1", date(2027, 3, 5), 1, "HALL", ["T1", "T4"])
    se = se.model_copy(update={"days": [date(2027, 3, 5), date(2027, 3, 8)], "end": date(2027, 3, 8)})
    online = placed(p, "M2.T1#1", date(2027, 3, 18), 2, None, ["T2", "T3"]).model_copy(
        update={"mode": "online"})
    schedule = Schedule(problem=p, editions=[se, online])
    t1 = events(trainer_ics(schedule, "T1", STAMP))["M1.T1#1"]
    assert (t1["start"], t1["end"]) == (date(2027, 3, 5), date(2027, 3, 9))
    assert "Training days: 2027-03-05, 2027-03-08" in str(t1["description"])
    assert events(trainer_ics(schedule, "T2", STAMP))["M2.T1#1"]["location"] == "Online"


def test_cli_ical_writes_the_files(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text(schedule_json(tiny_schedule()))
    out = tmp_path / "ics"
    r = CliRunner().invoke(app, ["ical", str(path), "--by", "trainer", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [f"trainer-T{i}.ics" for i in range(1, 5)]
    assert list(events((out / "trainer-T4.ics").read_bytes())) == ["M1.T1#1"]
