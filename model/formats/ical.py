"""Calendars for trainers and rooms: iCalendar (``.ics``) files a calendar app can import.

One calendar per trainer or resource person (the editions they teach, with venue, room and
co-trainers, and the guest sessions they give) and one per room (the editions it hosts, with
their teams and guests). An event's UID is made of the edition (and, for a guest session, its
slot) and the horizon, never of its dates, place or people, so importing an updated calendar
moves the event instead of adding a second one; its SEQUENCE grows with the export time, so
that apps which compare versions keep the latest.

A guest session is its own one-day event in the calendar of the person who gives it: their
calendar app shows them busy on that day only, not across the whole course. The calendars
of the team and of the room keep one event per edition and list its guest sessions, each
with its day, in the description: they are busy every day of the course anyway, and a second
all-day event on the same day would book them twice and crowd the app's month view.

A trainer who backs up an edition (``Schedule.backups``) has it in their calendar as a tentative
event over the course's days ("Backup: ..."), with a UID of its own: their app shows the days held,
not booked, and the event moves or goes like any other when the backups change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from icalendar import Calendar, Event

from model.formats.files import write_atomic
from model.schedule import GuestSession, Schedule, ScheduledEdition

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
    return f"{_uid_part(edition)}.{schedule.problem.calendar.start:%Y%m%d}@{UID_DOMAIN}"


def session_uid(schedule: Schedule, edition: str, slot: str) -> str:
    """The stable UID of a guest session's event: the edition's and the slot's, whoever gives it
    and on whichever day."""
    return f"{_uid_part(edition)}.{_uid_part(slot)}.{schedule.problem.calendar.start:%Y%m%d}@{UID_DOMAIN}"


def backup_uid(schedule: Schedule, edition: str, person: str) -> str:
    """The stable UID of the tentative event of ``person`` backing up ``edition``: the edition's, the
    person's and the horizon's, apart from the edition's own event (whomever they would step in for)."""
    return f"backup.{_uid_part(edition)}.{_uid_part(person)}.{schedule.problem.calendar.start:%Y%m%d}@{UID_DOMAIN}"


def backed_up(schedule: Schedule, person: str) -> list[tuple[ScheduledEdition, list[str]]]:
    """The editions on the calendar ``person`` backs up (by the backups it carries), in date order,
    each with the team members they would step in for."""
    if schedule.backups is None:
        return []
    roles = schedule.backups.backing_up(person)
    return [(se, roles[se.edition]) for se in schedule.sorted_editions() if se.edition in roles]


def _uid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


def _stamp(stamp: datetime | None) -> datetime:
    moment = stamp or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _people(schedule: Schedule, ids: Iterable[str], names_only: bool = False) -> str:
    trainers = schedule.problem.trainer_by_id
    if names_only:
        return ", ".join(trainers[t].name if t in trainers else t for t in ids)
    return ", ".join(f"{trainers[t].name} ({t})" if t in trainers else t for t in ids)


def _slot_title(schedule: Schedule, se: ScheduledEdition, slot: str) -> str:
    found = schedule.problem.guest_slot(se.edition, slot)
    return (found.title or found.id) if found else slot


def _guest(schedule: Schedule, g: GuestSession, names_only: bool = False) -> str:
    """'Nino (T5), GEO-MIA, Georgia': who gives a session, for which organisation and country."""
    tr = schedule.problem.trainer_by_id.get(g.person)
    if tr is None:
        return g.person
    if names_only:
        return tr.name
    return ", ".join([f"{tr.name} ({tr.id})", tr.organisation, *([tr.country] if tr.country else [])])


def sessions_by_day(se: ScheduledEdition) -> list[GuestSession]:
    return sorted(se.guests, key=lambda g: (g.day, g.slot, g.person))


def _where(schedule: Schedule, se: ScheduledEdition) -> str:
    if se.room is None or se.room not in schedule.problem.room_by_id:
        return "Online" if se.mode == "online" else (se.room or "")
    venue, room = schedule.problem.room_by_id[se.room]
    return f"{room.name} ({room.id}), {venue.name}, {venue.city}"


def edition_event(schedule: Schedule, se: ScheduledEdition, *, trainer: str | None = None,
                  stamp: datetime | None = None, names_only: bool = False) -> Event:
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
        The export time (DTSTAMP, and the SEQUENCE derived from it); default now. None with
        ``names_only`` leaves both out, for a feed that sets them from the published versions.
    names_only
        Other people by their names alone (a subscription feed), not with their ids and organisations.
    """
    item = schedule.problem.edition_by_id.get(se.edition)
    lines = _what_and_when(schedule, se)
    if trainer is not None:
        others = [t for t in se.trainers if t != trainer]
        lines.append(f"Co-trainers: {_people(schedule, others, names_only) or 'none'}")
    else:
        lines.append(f"Trainers: {_people(schedule, se.trainers, names_only) or 'none'}")
    if se.guests:
        lines.append("Guest sessions:")
        lines += [f"- {g.day.isoformat()}: {_slot_title(schedule, se, g.slot)}, by {_guest(schedule, g, names_only)}"
                  for g in sessions_by_day(se)]
    lines.append(f"Participants: {se.participants_in_person} in person, {se.participants_online} online")
    if item is not None:
        lines.append(f"Language: {item.item.language}")
    event = Event()
    event.add("uid", event_uid(schedule, se.edition))
    _add_stamp(event, stamp, names_only)
    event.add("summary", f"{se.title or se.topic} ({se.edition})")
    event.add("dtstart", se.start)
    event.add("dtend", se.end + timedelta(days=1))  # all-day events end the day after (RFC 5545)
    event.add("location", _where(schedule, se))
    event.add("description", "\n".join(lines))
    event.add("categories", [f"Module {se.module}", se.mode.replace("_", " ")])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def guest_event(schedule: Schedule, se: ScheduledEdition, g: GuestSession, *,
                stamp: datetime | None = None, names_only: bool = False) -> Event:
    """The all-day event of a guest session, on its day, for the calendar of the person giving it.

    Parameters
    ----------
    schedule
        The schedule the edition belongs to.
    se
        The edition the session is part of.
    g
        The session.
    stamp, names_only
        As for :func:`edition_event`.
    """
    item = schedule.problem.edition_by_id.get(se.edition)
    title = _slot_title(schedule, se, g.slot)
    lines = [
        f"Guest session: {title}",
        f"Day: {g.day.isoformat()}, one day of the course",
        f"Given by: {_guest(schedule, g, names_only)}",
        f"Edition: {se.edition} (module {se.module}, topic {se.topic}, edition {se.number}), "
        f"{se.start.isoformat()} to {se.end.isoformat()}",
        f"Mode: {se.mode.replace('_', ' ')}",
        f"Place: {_where(schedule, se)}",
        f"Team: {_people(schedule, se.trainers, names_only) or 'none'}",
        f"Participants: {se.participants_in_person} in person, {se.participants_online} online",
    ]
    if item is not None:
        lines.append(f"Language: {item.item.language}" + (
            f", interpreted into {', '.join(item.item.interpretation)}" if item.item.interpretation else ""))
    event = Event()
    event.add("uid", session_uid(schedule, se.edition, g.slot))
    _add_stamp(event, stamp, names_only)
    event.add("summary", f"{title}: {se.title or se.topic} ({se.edition})")
    event.add("dtstart", g.day)
    event.add("dtend", g.day + timedelta(days=1))
    event.add("location", _where(schedule, se))
    event.add("description", "\n".join(lines))
    event.add("categories", [f"Module {se.module}", "guest session"])
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def backup_event(schedule: Schedule, se: ScheduledEdition, person: str, members: list[str], *,
                 stamp: datetime | None = None, names_only: bool = False) -> Event:
    """The tentative all-day event of an edition ``person`` backs up, over the course's days: they
    would step in for ``members`` were one of them unable to come.

    Parameters
    ----------
    schedule
        The schedule the edition belongs to.
    se
        The edition.
    person
        The backup, whose calendar the event is in.
    members
        The team members they would step in for.
    stamp, names_only
        As for :func:`edition_event`.
    """
    lines = [
        f"Backup of {_people(schedule, members, names_only)}: you may be asked to step in if "
        + ("they cannot come" if len(members) == 1 else "one of them cannot come"),
        *_what_and_when(schedule, se),
    ]
    lines.append(f"Team: {_people(schedule, se.trainers, names_only) or 'none'}")
    event = Event()
    event.add("uid", backup_uid(schedule, se.edition, person))
    _add_stamp(event, stamp, names_only)
    event.add("summary", f"Backup: {se.title or se.topic} ({se.edition})")
    event.add("dtstart", se.start)
    event.add("dtend", se.end + timedelta(days=1))
    event.add("location", _where(schedule, se))
    event.add("description", "\n".join(lines))
    event.add("categories", [f"Module {se.module}", "backup"])
    event.add("status", "TENTATIVE")  # held, not booked: free/busy shows the days as tentatively busy
    event.add("transp", "OPAQUE")
    return event


def _what_and_when(schedule: Schedule, se: ScheduledEdition) -> list[str]:
    """The description's lines an edition's event and its backups' share: the edition, dates, mode and place."""
    lines = [
        f"Edition: {se.edition} (module {se.module}, topic {se.topic}, edition {se.number})",
        f"Dates: {se.start.isoformat()} to {se.end.isoformat()}, {len(se.days)} training day(s)",
        f"Mode: {se.mode.replace('_', ' ')}",
        f"Place: {_where(schedule, se)}",
    ]
    if (se.end - se.start).days + 1 != len(se.days):
        lines.append("Training days: " + ", ".join(d.isoformat() for d in se.days))
    return lines


def _add_stamp(event: Event, stamp: datetime | None, names_only: bool) -> None:
    """DTSTAMP and a SEQUENCE that grows with the export time; a feed's event (``names_only``
    without a stamp) gets them from the published versions instead."""
    if stamp is None and names_only:
        return
    moment = _stamp(stamp)
    event.add("dtstamp", moment)
    event.add("sequence", int(moment.timestamp()) // 60)


def empty_calendar(name: str, description: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    return cal


def trainer_calendar(schedule: Schedule, trainer_id: str, stamp: datetime | None = None) -> Calendar:
    """A trainer's calendar: each edition they teach, with venue, room and co-trainers, each
    guest session they give, on its day, and each edition they back up, as a tentative event.

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
    cal = empty_calendar(f"{schedule.problem.name}: {trainer.name}",
                    f"Courses and guest sessions of {trainer.name} ({trainer.id}), exported by RTCM Planner")
    for se in schedule.sorted_editions():
        if trainer_id in se.trainers:
            cal.add_component(edition_event(schedule, se, trainer=trainer_id, stamp=stamp))
        for g in sessions_by_day(se):
            if g.person == trainer_id:
                cal.add_component(guest_event(schedule, se, g, stamp=stamp))
    for se, members in backed_up(schedule, trainer_id):
        cal.add_component(backup_event(schedule, se, trainer_id, members, stamp=stamp))
    return cal


def room_calendar(schedule: Schedule, room_id: str, stamp: datetime | None = None) -> Calendar:
    """A room's calendar: each edition it hosts, with its team and its guest sessions.

    Raises
    ------
    KeyError
        When the problem has no such room.
    """
    venue, room = schedule.problem.room_by_id[room_id]
    cal = empty_calendar(f"{schedule.problem.name}: {room.name} ({room.id})",
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
