"""Calendars for trainers and rooms: iCalendar (``.ics``) files a calendar app can import.

One calendar per trainer (their editions, with venue, room and co-trainers) and one per room
(the editions it hosts, with their teams). An event's UID is made of the edition and the
horizon, never of its dates or place, so importing an updated calendar moves the event
instead of adding a second one; its SEQUENCE grows with the export time, so that apps which
compare versions keep the latest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from icalendar import Calendar, Event

from model.formats.files import write_atomic
from model.schedule import Schedule, ScheduledEdition

PRODID = "-//RTCM Planner//rtcm-planner//EN"
UID_DOMAIN = "rtcm-planner"
By = Literal["trainer", "room", "all"]


def event_uid(schedule: Schedule, edition: str) -> str:
    """The stable UID of an edition's event: the same in every export of the same horizon.

    Parameters
    ----------
    schedule
        The schedule (its problem's horizon start tells one year's plan from another's).
    edition
        The edition id, e.g. ``M3.T2#1``.
    """
    start = schedule.problem.calendar.start
    return f"{re.sub(r'[^A-Za-z0-9.-]', '-', edition)}.{start:%Y%m%d}@{UID_DOMAIN}"


def _stamp(stamp: datetime | None) -> datetime:
    moment = stamp or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _people(schedule: Schedule, ids: Iterable[str]) -> str:
    trainers = schedule.problem.trainer_by_id
    return ", ".join(f"{trainers[t].name} ({t})" if t in trainers else t for t in ids)


def _where(schedule: Schedule, se: ScheduledEdition) -> str:
    if se.room is None or se.room not in schedule.problem.room_by_id:
        return "Online" if se.mode == "online" else (se.room or "")
    venue, room = schedule.problem.room_by_id[se.room]
    return f"{room.name} ({room.id}), {venue.name}, {venue.city}"


def edition_event(schedule: Schedule, se: ScheduledEdition, *, trainer: str | None = None,
                  stamp: datetime | None = None) -> Event:
    """The all-day event of one scheduled edition.

    Parameters
    ----------
    schedule
        The schedule the edition belongs to.
    se
        The edition.
    trainer
        In a trainer's own calendar, the trainer: the description then names the co-trainers.
    stamp
        The export time (DTSTAMP, and the SEQUENCE derived from it); default now.
    """
    moment = _stamp(stamp)
    item = schedule.problem.edition_by_id.get(se.edition)
    lines = [
        f"Edition: {se.edition} (module {se.module}, topic {se.topic}, edition {se.number})",
        f"Dates: {se.start.isoformat()} to {se.end.isoformat()}, {len(se.days)} training day(s)",
        f"Mode: {se.mode.replace('_', ' ')}",
        f"Place: {_where(schedule, se)}",
    ]
    if (se.end - se.start).days + 1 != len(se.days):
        lines.append("Training days: " + ", ".join(d.isoformat() for d in se.days))
    if trainer is not None:
        others = [t for t in se.trainers if t != trainer]
        lines.append(f"Co-trainers: {_people(schedule, others) or 'none'}")
    else:
        lines.append(f"Trainers: {_people(schedule, se.trainers) or 'none'}")
    lines.append(f"Participants: {se.participants_in_person} in person, {se.participants_online} online")
    if item is not None:
        lines.append(f"Language: {item.item.language}")
    event = Event()
    event.add("uid", event_uid(schedule, se.edition))
    event.add("dtstamp", moment)
    event.add("sequence", int(moment.timestamp()) // 60)
    event.add("summary", f"{se.title or se.topic} ({se.edition})")
    event.add("dtstart", se.start)
    event.add("dtend", se.end + timedelta(days=1))  # all-day events end the day after (RFC 5545)
    event.add("location", _where(schedule, se))
    event.add("description", "\n".join(lines))
    event.add("categories", [f"Module {se.module}", se.mode.replace("_", " ")])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(name: str, description: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    return cal


def trainer_calendar(schedule: Schedule, trainer_id: str, stamp: datetime | None = None) -> Calendar:
    """A trainer's calendar: each edition they teach, with venue, room and co-trainers.

    Parameters
    ----------
    schedule
        The schedule.
    trainer_id
        A trainer of the schedule's problem; one without editions gets an empty calendar.
    stamp
        The export time; default now.

    Raises
    ------
    KeyError
        When the problem has no such trainer.
    """
    trainer = schedule.problem.trainer_by_id[trainer_id]
    cal = _calendar(f"{schedule.problem.name}: {trainer.name}",
                    f"Courses of {trainer.name} ({trainer.id}), exported by RTCM Planner")
    for se in schedule.sorted_editions():
        if trainer_id in se.trainers:
            cal.add_component(edition_event(schedule, se, trainer=trainer_id, stamp=stamp))
    return cal


def room_calendar(schedule: Schedule, room_id: str, stamp: datetime | None = None) -> Calendar:
    """A room's calendar: each edition it hosts, with its team.

    Raises
    ------
    KeyError
        When the problem has no such room.
    """
    venue, room = schedule.problem.room_by_id[room_id]
    cal = _calendar(f"{schedule.problem.name}: {room.name} ({room.id})",
                    f"Courses in {room.name}, {venue.name}, exported by RTCM Planner")
    for se in schedule.sorted_editions():
        if se.room == room_id:
            cal.add_component(edition_event(schedule, se, stamp=stamp))
    return cal


def trainer_ics(schedule: Schedule, trainer_id: str, stamp: datetime | None = None) -> bytes:
    """A trainer's calendar as ``.ics`` bytes (``text/calendar``); ``KeyError`` for an unknown trainer."""
    return trainer_calendar(schedule, trainer_id, stamp).to_ical()


def room_ics(schedule: Schedule, room_id: str, stamp: datetime | None = None) -> bytes:
    """A room's calendar as ``.ics`` bytes (``text/calendar``); ``KeyError`` for an unknown room."""
    return room_calendar(schedule, room_id, stamp).to_ical()


def file_name(kind: str, ident: str) -> str:
    """``trainer-T07.ics``: the file of a trainer's or room's calendar, safe on every file system."""
    return f"{kind}-{re.sub(r'[^A-Za-z0-9._-]', '_', ident)}.ics"


def write_calendars(schedule: Schedule, out_dir: str | Path, by: By = "all",
                    stamp: datetime | None = None) -> list[Path]:
    """Write one ``.ics`` file per trainer and/or per room of the problem.

    Parameters
    ----------
    schedule
        The schedule.
    out_dir
        The folder to write to (created if needed); files are named by :func:`file_name`.
    by
        ``trainer``, ``room`` or ``all`` (both).
    stamp
        The export time, the same for every file; default now.

    Returns
    -------
    list of Path
        The files written: every trainer's (or room's), including those with no editions, so
        that a subscribed calendar empties when its last course is taken off.
    """
    out = Path(out_dir)
    moment = _stamp(stamp)
    written = []
    if by in ("trainer", "all"):
        for tr in schedule.problem.trainers:
            path = out / file_name("trainer", tr.id)
            write_atomic(path, trainer_ics(schedule, tr.id, moment))
            written.append(path)
    if by in ("room", "all"):
        for _, room in schedule.problem.rooms:
            path = out / file_name("room", room.id)
            write_atomic(path, room_ics(schedule, room.id, moment))
            written.append(path)
    return written
