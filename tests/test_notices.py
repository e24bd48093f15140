"""Change notices: what a new version tells each trainer and room manager, and the e-mails of it.

The calendars are ``tiny``'s (``tests/test_excel.tiny_schedule``): M1.T1#1 Tue 2 - Thu 4 March in
HALL with T1 Amina + T4 Rustam; M2.T1#1 Thu 18 - Fri 19 March in room B with T2 Bakhtiyar + T3
Leyla. Every trainer has a fictional address and room B a manager, so that a notice that showed
anybody else's address would be caught.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from model import notices as notices_module
from model.compare import NOT_FORCED, diff
from model.notices import INDEX, Notice, email_message, notices, write_notices
from model.problem import Problem
from model.schedule import GuestSession, Schedule, ScheduledEdition
from tests.formats.guests import guests_data
from tests.instances.tiny import problem_of, record, tiny_data
from tests.test_excel import placed, tiny_schedule

PUBLISHED = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)
LEAVE = "annual leave"


def addresses(data: dict[str, Any]) -> dict[str, Any]:
    """Every trainer's fictional address (t1@trainers.example.org, ...) and room B's manager."""
    for t in data["trainers"]:
        t["email"] = f"{t['id'].lower()}@trainers.example.org"
    record(data, "rooms", "B").update(manager="Samira (fictional)", manager_email="rooms@rtcm.example.org")
    return data


def old_calendar() -> Schedule:
    """``tiny_schedule`` on ``tiny`` with the addresses."""
    s = tiny_schedule()
    return s.model_copy(update={"problem": problem_of(addresses(tiny_data()))})


def away_problem() -> Problem:
    """T2 Bakhtiyar away the week of 15 March, when M2.T1#1 runs."""
    data = addresses(tiny_data())
    record(data, "trainers", "T2")["unavailable"] = [{"start": "2027-03-15", "end": "2027-03-19", "reason": LEAVE}]
    return problem_of(data)


def calendar(problem: Problem, *editions: ScheduledEdition) -> Schedule:
    return Schedule(problem=problem, editions=list(editions))


def m1(p: Problem) -> ScheduledEdition:
    return placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T4"])


def by_id(listed: list[Notice]) -> dict[str, Notice]:
    return {n.id: n for n in listed}


# ---------------------------------------------------------------------------- the notices


def test_a_trainer_away_is_told_the_move_and_its_reason() -> None:
    # Re-planned for T2's week away: M2.T1#1 a week later (Thu 25 - Fri 26 March), same room and team.
    old, p = old_calendar(), away_problem()
    new = calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"]))
    listed = notices(old, new, old_version=1, new_version=2, published_at=PUBLISHED)
    # The team of the moved course and its room; T1 and T4 keep M1.T1#1 as it was.
    assert [n.id for n in listed] == ["trainer-T2", "trainer-T3", "room-B"]
    [change] = diff(old, new).changes
    t2 = listed[0]
    assert (t2.kind, t2.subject, t2.name, t2.email, t2.old_version, t2.new_version) == (
        "trainer", "T2", "Bakhtiyar (fictional)", "t2@trainers.example.org", 1, 2)
    [item] = t2.items
    assert item.model_dump() == {
        "edition": "M2.T1#1", "title": "Border management", "role": "team", "session": None, "changes": ["moved"],
        "what": "moved from 2027-03-18..2027-03-19 to 2027-03-25..2027-03-26",
        "old_start": date(2027, 3, 18), "old_end": date(2027, 3, 19),
        "new_start": date(2027, 3, 25), "new_end": date(2027, 3, 26),
        "old_place": "Room B (B), Regional Training Center on Migration, Baku, in person",
        "new_place": "Room B (B), Regional Training Center on Migration, Baku, in person",
        "old_co_trainers": ["Leyla (fictional)"], "new_co_trainers": ["Leyla (fictional)"],
        "why": change.why,
    }
    assert change.why == ["M2.T1#1: trainer T2 is unavailable 2027-03-15 to 2027-03-19 (annual leave)"]
    assert t2.email_subject == "tiny, version 2: one change to your courses"
    assert t2.text.startswith("Dear Bakhtiyar (fictional),\n\nVersion 2 of the calendar \"tiny\" changes one of "
                              "your courses (compared with version 1):\n")
    assert "Border management (M2.T1#1): moved from 2027-03-18..2027-03-19 to 2027-03-25..2027-03-26." in t2.text
    assert f"Why: {change.why[0]}" in t2.text


def test_a_co_trainer_reads_the_rule_not_the_other_person_s_absence() -> None:
    old, p = old_calendar(), away_problem()
    new = calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"]))
    notices_by_id = by_id(notices(old, new, old_version=1, new_version=2))
    for other in ("trainer-T3", "room-B"):
        n = notices_by_id[other]
        assert n.items[0].why == ["M2.T1#1: a rule about another person: every trainer is available on every "
                                  "course day"]
        assert LEAVE not in n.text and "T2 is unavailable" not in n.text
        assert "Bakhtiyar (fictional)" in n.text  # by name, as a co-trainer (or the room's team)


def test_a_room_manager_hears_of_courses_moving_in_and_out() -> None:
    # M2.T1#1 moves from room B to the main hall, on its days: room B loses it, the hall gains it.
    old, p = old_calendar(), problem_of(addresses(tiny_data()))
    new = calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 18), 2, "HALL", ["T2", "T3"]))
    listed = by_id(notices(old, new, old_version=3, new_version=4))
    assert sorted(listed) == ["room-B", "room-HALL", "trainer-T2", "trainer-T3"]
    b, hall = listed["room-B"], listed["room-HALL"]
    assert (b.recipient, b.email, b.name) == ("Samira (fictional)", "rooms@rtcm.example.org", "Room B")
    assert (b.items[0].changes, b.items[0].what) == (["dropped"], "the course leaves this room")
    assert b.items[0].new_place == "Main hall (HALL), Regional Training Center on Migration, Baku, in person"
    assert b.email_subject == "tiny, version 4: one change in Room B (B)"
    assert b.text.startswith("Dear Samira (fictional),\n\nVersion 4 of the calendar \"tiny\" changes one of the "
                             "courses in Room B (B) (compared with version 3):")
    # The hall has no manager: the notice greets the room's manager and has no address.
    assert (hall.recipient, hall.email) == ("manager of Main hall (HALL)", None)
    assert (hall.items[0].changes, hall.items[0].what) == (["added"], "the course moves into this room")
    assert hall.items[0].old_place == "Room B (B), Regional Training Center on Migration, Baku, in person"
    assert hall.items[0].why == [NOT_FORCED]
    t2 = listed["trainer-T2"].items[0]
    assert (t2.changes, t2.what) == (["room"], "now in Main hall (HALL) (was Room B (B))")


def test_co_trainers_changed_for_whoever_stays_on_the_team() -> None:
    # Leyla (T3) leaves M2.T1#1, Amina (T1) joins; Bakhtiyar (T2) stays, with a new co-trainer.
    old, p = old_calendar(), problem_of(addresses(tiny_data()))
    new = calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 18), 2, "B", ["T1", "T2"]))
    listed = by_id(notices(old, new, old_version=1, new_version=2))
    assert sorted(listed) == ["trainer-T1", "trainer-T2", "trainer-T3"]  # the room's course did not move
    t2 = listed["trainer-T2"].items[0]
    assert (t2.changes, t2.old_co_trainers, t2.new_co_trainers) == (
        ["co_trainers"], ["Leyla (fictional)"], ["Amina (fictional)"])
    assert t2.what == "co-trainers now Amina (fictional) (were Leyla (fictional))"
    assert listed["trainer-T1"].items[0].what == "you join the team"
    assert listed["trainer-T3"].items[0].what == "you are no longer on the team"
    assert listed["trainer-T1"].items[0].why == listed["trainer-T3"].items[0].why == [NOT_FORCED]


def test_a_course_off_the_calendar_and_a_new_one() -> None:
    old, p = old_calendar(), problem_of(addresses(tiny_data()))
    new = calendar(p, m1(p))
    listed = by_id(notices(old, new, old_version=1, new_version=2))
    assert listed["trainer-T2"].items[0].what == "the course is off the calendar"
    assert listed["room-B"].items[0].what == "the course is off the calendar"
    back = by_id(notices(new, old, old_version=2, new_version=3))
    assert back["trainer-T2"].items[0].what == "a new course for you"
    assert back["trainer-T2"].items[0].why == []  # nothing forced a new course
    assert back["room-B"].items[0].what == "a new course in this room"


def guests_calendars() -> tuple[Schedule, Schedule]:
    """``tests/formats/guests.py``'s calendar, then: Nino (T5) presents a day later (Thu 4 March),
    Armen (T6) no longer presents in M2.T1#1; the teams, rooms and dates as they were."""
    data = guests_data()
    for t in data["trainers"]:
        t["email"] = f"{t['id'].lower()}@trainers.example.org"
    p = problem_of(data)

    def days(first: date, n: int) -> list[date]:
        return [date(first.year, first.month, first.day + i) for i in range(n)]

    def m1_with(day: int) -> ScheduledEdition:
        return ScheduledEdition.place(p, "M1.T1#1", days(date(2027, 3, 2), 3), "HALL", ["T1", "T4"],
                                      guests=[GuestSession(slot="country", person="T5", day=date(2027, 3, day))])

    m2 = ScheduledEdition.place(p, "M2.T1#1", days(date(2027, 3, 18), 2), "B", ["T2", "T3"],
                                guests=[GuestSession(slot="country", person="T6", day=date(2027, 3, 19))])
    m2_alone = ScheduledEdition.place(p, "M2.T1#1", days(date(2027, 3, 18), 2), "B", ["T2", "T3"])
    return calendar(p, m1_with(3), m2), calendar(p, m1_with(4), m2_alone)


def test_guest_sessions_moved_and_dropped_which_diff_does_not_see() -> None:
    old, new = guests_calendars()
    assert diff(old, new).unchanged  # the editions' dates, rooms, modes and teams are as they were
    listed = notices(old, new, old_version=1, new_version=2)
    assert [n.id for n in listed] == ["trainer-T5", "trainer-T6"]
    nino, armen = listed[0].items[0], listed[1].items[0]
    assert (nino.role, nino.session, nino.changes, nino.old_start, nino.new_start) == (
        "guest", "Regional best practice", ["moved"], date(2027, 3, 3), date(2027, 3, 4))
    assert nino.what == "moved from 2027-03-03 to 2027-03-04"
    assert nino.old_co_trainers == nino.new_co_trainers == ["Amina (fictional)", "Rustam (fictional)"]  # the team
    assert (armen.changes, armen.what, armen.why) == (["dropped"], "you no longer present it", [NOT_FORCED])
    assert listed[0].text.split("\n")[2] == ('Version 2 of the calendar "tiny" changes one of your guest sessions '
                                             "(compared with version 1):")
    assert 'Migration basics (M1.T1#1), guest session "Regional best practice": moved' in listed[0].text
    # Added back: the session is new for Armen.
    [again] = notices(new, old, old_version=2, new_version=3)[1:]
    assert again.items[0].what == "you now present it"


def test_a_first_publication_gives_everyone_their_courses() -> None:
    new = old_calendar()
    empty = Schedule(problem=new.problem, editions=[])
    listed = notices(empty, new, old_version=0, new_version=1, published_at=PUBLISHED)
    assert [n.id for n in listed] == ["trainer-T1", "trainer-T2", "trainer-T3", "trainer-T4", "room-B", "room-HALL"]
    t1 = listed[0]
    assert t1.email_subject == "tiny, version 1: your courses"
    [item] = t1.items
    assert (item.changes, item.what, item.why, item.old_start, item.new_start) == (
        [], "on the team", [], None, date(2027, 3, 2))
    assert t1.text == (
        "Dear Amina (fictional),\n\n"
        'Version 1 of the calendar "tiny" is published. Your courses in it:\n\n'
        "1. Migration basics (M1.T1#1): on the team.\n"
        "   When: 2027-03-02 to 2027-03-04, Main hall (HALL), Regional Training Center on Migration, Baku, hybrid; "
        "with Rustam (fictional)\n\n"
        "This message was written by RTCM Planner from the published calendar.\n")
    assert listed[4].email_subject == "tiny, version 1: the courses in Room B (B)"
    assert listed[4].items[0].new_co_trainers == ["Bakhtiyar (fictional)", "Leyla (fictional)"]


def test_the_same_calendar_again_gives_no_notice() -> None:
    assert notices(old_calendar(), old_calendar(), old_version=1, new_version=2) == []


def test_no_notice_shows_anybody_else_s_address() -> None:
    old, p = old_calendar(), away_problem()
    new = calendar(p, placed(p, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T3"]),
                   placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T4"]))
    listed = notices(old, new, old_version=1, new_version=2) + notices(
        Schedule(problem=p, editions=[]), new, old_version=0, new_version=1)
    everyone = {t.email for t in p.trainers} | {"rooms@rtcm.example.org"}
    for n in listed:
        others = everyone - {n.email}
        shown = n.model_dump_json(exclude={"email"}) + email_message(n).as_string().replace(f"<{n.email}>", "")
        assert not [a for a in others if a and a in shown], n.id
        assert "@" not in n.text


def test_notices_are_in_a_fixed_order() -> None:
    old, p = old_calendar(), away_problem()
    new = calendar(p, placed(p, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T3"]),
                   placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T4"]))
    listed = notices(old, new, old_version=1, new_version=2)
    assert [n.id for n in listed] == ["trainer-T1", "trainer-T2", "trainer-T3", "trainer-T4", "room-B",
                                      "room-HALL"]
    t3 = listed[2]  # leaves M2.T1#1 (18 March), joins M1.T1#1 (9 March): in date order
    assert [(i.edition, i.changes) for i in t3.items] == [("M1.T1#1", ["added"]), ("M2.T1#1", ["dropped"])]
    assert t3.text.split("\n")[2].endswith("changes two of your courses (compared with version 1):")
    again = notices(old, new.model_copy(update={"editions": new.editions[::-1]}), old_version=1, new_version=2)
    assert [n.model_dump() for n in again] == [n.model_dump() for n in listed]


# ---------------------------------------------------------------------------------- e-mails


def moved_notices() -> list[Notice]:
    old, p = old_calendar(), away_problem()
    new = calendar(p, m1(p), placed(p, "M2.T1#1", date(2027, 3, 25), 2, "B", ["T2", "T3"]))
    return notices(old, new, old_version=1, new_version=2, published_at=PUBLISHED)


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_notice_as_an_e_mail_reads_back() -> None:
    t2 = moved_notices()[0]
    sender = "RTCM planning <planning@rtcm.example.org>"
    message = parsed(email_message(t2, sender).as_bytes())
    assert message["From"] == sender
    assert message["To"] == "\"Bakhtiyar (fictional)\" <t2@trainers.example.org>"
    assert message["Subject"] == "tiny, version 2: one change to your courses"
    assert message["Date"].datetime == PUBLISHED
    assert message["Message-ID"].startswith("<trainer-T2.v1-v2.") and message["Message-ID"].endswith(
        "@rtcm.example.org>")
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message.get_content() == t2.text
    # The same notice, the same message: byte for byte.
    assert email_message(t2, sender).as_bytes() == email_message(t2, sender).as_bytes()


def test_a_notice_without_an_address_has_no_recipient() -> None:
    n = moved_notices()[1].model_copy(update={"email": None})
    message = parsed(email_message(n).as_bytes())
    assert message["To"] is None and message["From"] == notices_module.DEFAULT_SENDER


def test_a_name_cannot_add_a_header() -> None:
    n = moved_notices()[0]
    n = n.model_copy(update={"recipient": "Bakhtiyar\nBcc: everyone@example.org",
                             "email_subject": "Hello\r\nBcc: everyone@example.org"})
    message = parsed(email_message(n).as_bytes())
    assert message["Bcc"] is None
    assert message["To"] == "\"Bakhtiyar Bcc: everyone@example.org\" <t2@trainers.example.org>"
    assert message["Subject"] == "Hello Bcc: everyone@example.org"


def test_non_ascii_names_survive_the_round_trip() -> None:
    n = moved_notices()[0]
    n = n.model_copy(update={"recipient": "Bəxtiyar Ağayev (fictional)", "text": "Hörmətli Bəxtiyar,\n"})
    message = parsed(email_message(n).as_bytes())
    assert message["To"].addresses[0].display_name == "Bəxtiyar Ağayev (fictional)"
    assert message.get_content() == "Hörmətli Bəxtiyar,\n"


def test_notices_are_written_as_eml_files_and_one_text(tmp_path: Path) -> None:
    listed = moved_notices()
    written = write_notices(listed, tmp_path / "out")
    assert [p.name for p in written] == ["trainer-T2.eml", "trainer-T3.eml", "room-B.eml", INDEX]
    for n, path in zip(listed, written, strict=False):
        assert parsed(path.read_bytes()).get_content() == n.text
    text = (tmp_path / "out" / INDEX).read_text(encoding="utf-8")
    assert all(n.text in text for n in listed)
    assert "trainer-T2: to Bakhtiyar (fictional) <t2@trainers.example.org>" in text
    assert json.loads(json.dumps([n.model_dump(mode="json") for n in listed]))[0]["id"] == "trainer-T2"


def test_nothing_is_written_when_a_message_cannot_be_made(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_notices(moved_notices(), tmp_path / "out", sender="RTCM\nBcc: everyone@example.org")
    assert not (tmp_path / "out").exists()


def test_no_change_writes_a_text_that_says_so(tmp_path: Path) -> None:
    assert [p.name for p in write_notices([], tmp_path)] == [INDEX]
    assert (tmp_path / INDEX).read_text(encoding="utf-8") == "No notice: nobody's courses changed.\n"
