"""Subscription feeds across published versions, read back with vobject (not the library that writes them).

``tiny_schedule``: M1.T1#1 Tue 2 - Thu 4 March 2027 in HALL with T1 + T4; M2.T1#1 Thu 18 - Fri 19 March
in room B with T2 + T3. The versions below move, re-staff, drop and bring back those two editions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import vobject

from model.formats.feeds import (
    FeedSubject,
    PublishedCalendar,
    events_held,
    feed,
    feed_subjects,
    the_year,
)
from model.formats.ical import event_uid
from model.schedule import Schedule
from tests.test_excel import placed, tiny_schedule

V1 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
T1, T2, T3, T4 = (FeedSubject("trainer", t) for t in ("T1", "T2", "T3", "T4"))
HALL, ROOM_B, CENTRE = FeedSubject("room", "HALL"), FeedSubject("room", "B"), FeedSubject("centre")


def version(number: int, schedule: Schedule) -> PublishedCalendar:
    return PublishedCalendar(number, V1 + timedelta(days=7 * (number - 1)), schedule)


def with_editions(schedule: Schedule, *editions) -> Schedule:
    return Schedule(problem=schedule.problem, editions=list(editions))


def events(versions, subject) -> dict[str, dict]:
    """The feed's events by UID, as vobject reads them."""
    cal = vobject.readOne(feed(versions, subject).ics.decode("utf-8"))
    out = {}
    for ev in getattr(cal, "vevent_list", []):
        out[ev.uid.value] = {"start": ev.dtstart.value, "end": ev.dtend.value, "sequence": int(ev.sequence.value),
                             "status": ev.status.value, "stamp": ev.dtstamp.value,
                             "modified": ev.last_modified.value, "description": ev.description.value}
    return out


@pytest.fixture
def first() -> Schedule:
    return tiny_schedule()


def moved(first: Schedule) -> Schedule:
    """M1.T1#1 a week later (9-11 March), M2.T1#1 as it was."""
    p = first.problem
    return with_editions(first, placed(p, "M1.T1#1", date(2027, 3, 9), 3, "HALL", ["T1", "T4"]),
                         first.by_edition["M2.T1#1"])


def test_the_first_version_holds_each_trainer_s_courses_at_sequence_0(first):
    got = events([version(1, first)], T1)
    uid = event_uid(first, "M1.T1#1")
    assert list(got) == [uid]
    assert got[uid]["sequence"] == 0 and got[uid]["status"] == "CONFIRMED"
    assert (got[uid]["start"], got[uid]["end"]) == (date(2027, 3, 2), date(2027, 3, 5))
    assert got[uid]["stamp"] == got[uid]["modified"] == V1


def test_a_moved_course_keeps_its_uid_with_a_higher_sequence(first):
    versions = [version(1, first), version(2, moved(first))]
    got = events(versions, T1)[event_uid(first, "M1.T1#1")]
    assert got["start"] == date(2027, 3, 9) and got["sequence"] == 1
    assert got["stamp"] == got["modified"] == versions[1].published_at
    # T2's course did not change: the same event, stamp and sequence as in version 1.
    assert events(versions, T2) == events(versions[:1], T2)


def test_a_feed_nothing_changed_in_is_the_same_bytes(first):
    versions = [version(1, first), version(2, moved(first))]
    one, two = feed(versions[:1], ROOM_B), feed(versions, ROOM_B)
    assert one.ics == two.ics and one.etag == two.etag and one.last_modified == two.last_modified == V1
    assert feed(versions, HALL).etag != feed(versions[:1], HALL).etag
    assert feed(versions, HALL).last_modified == versions[1].published_at


def test_a_dropped_course_is_sent_cancelled(first):
    versions = [version(1, first), version(2, with_editions(first, first.by_edition["M1.T1#1"]))]
    uid = event_uid(first, "M2.T1#1")
    for subject in (T2, T3, ROOM_B, CENTRE):
        got = events(versions, subject)[uid]
        assert got["status"] == "CANCELLED" and got["sequence"] == 1, subject
        assert got["start"] == date(2027, 3, 18)  # where it was, so the program finds it
    body = feed(versions, T2)
    assert (body.events, body.cancelled) == (0, 1)
    assert feed(versions, CENTRE).events == 1


def test_a_trainer_taken_off_a_team_sees_it_cancelled_and_the_new_one_sees_it_added(first):
    p = first.problem
    restaffed = with_editions(first, placed(p, "M1.T1#1", date(2027, 3, 2), 3, "HALL", ["T1", "T3"]),
                              first.by_edition["M2.T1#1"])
    versions = [version(1, first), version(2, restaffed)]
    uid = event_uid(first, "M1.T1#1")
    off = events(versions, T4)[uid]
    assert off["status"] == "CANCELLED" and off["sequence"] == 1
    on = events(versions, T3)[uid]
    assert on["status"] == "CONFIRMED" and on["sequence"] == 0 and on["stamp"] == versions[1].published_at
    # T1 stays: the co-trainer changed, so the event did.
    stays = events(versions, T1)[uid]
    assert stays["sequence"] == 1 and "Co-trainers: Leyla (fictional)" in stays["description"]


def test_a_course_brought_back_is_confirmed_with_a_higher_sequence_again(first):
    dropped = with_editions(first, first.by_edition["M1.T1#1"])
    versions = [version(1, first), version(2, dropped), version(3, first)]
    got = events(versions, T2)[event_uid(first, "M2.T1#1")]
    assert got["status"] == "CONFIRMED" and got["sequence"] == 2


def test_another_year_s_calendar_ends_the_cancellations(first):
    next_problem = first.problem.model_copy(update={"calendar": first.problem.calendar.model_copy(
        update={"start": date(2028, 3, 1), "end": date(2028, 12, 31)})})
    next_year = Schedule(problem=next_problem, editions=[])
    versions = [version(1, first), version(2, next_year)]
    assert [v.number for v in the_year(reversed(versions))] == [2]
    assert events(versions, T2) == {}


def test_feeds_name_other_people_by_name_only(first):
    text = "\n".join(e["description"] for e in events([version(1, first)], T1).values())
    assert "Co-trainers: Rustam (fictional)\n" in text
    centre = "\n".join(e["description"] for e in events([version(1, first)], CENTRE).values())
    assert "Trainers: Bakhtiyar (fictional), Leyla (fictional)\n" in centre
    for ident in ("(T1)", "(T2)", "(T3)", "(T4)", "IOM"):  # ids and organisations stay out
        assert ident not in text + centre


def test_a_subject_without_courses_is_a_valid_empty_calendar(first):
    for subject in (FeedSubject("trainer", "T5"), FeedSubject("trainer", "nobody"), FeedSubject("room", "gone")):
        body = feed([version(1, first)], subject)
        cal = vobject.readOne(body.ics.decode("utf-8"))
        assert not getattr(cal, "vevent_list", [])
        assert (body.events, body.cancelled, body.last_modified) == (0, 0, V1)


def test_every_trainer_and_room_has_a_feed_and_counts_its_events(first):
    subjects = feed_subjects(first)
    assert subjects[0] == CENTRE
    assert {s.id for s in subjects} >= {"trainer-T1", "trainer-T4", "room-HALL", "room-B"}
    for subject in subjects:
        assert events_held(first, subject) == feed([version(1, first)], subject).events, subject.id


def test_feed_ids_parse_back():
    for subject in (T1, ROOM_B, CENTRE, FeedSubject("trainer", "GEO-MIA-2")):
        assert FeedSubject.parse(subject.id) == subject
    assert FeedSubject.parse("nobody") is None and FeedSubject.parse("trainer-") is None


def test_a_feed_needs_a_version():
    with pytest.raises(ValueError):
        feed([], CENTRE)
