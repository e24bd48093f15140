"""Subscription feeds: the latest published calendar of one trainer, one room or the whole centre.

A trainer subscribes once, in their own calendar program, to a feed that always serves the latest
published version; the program polls it and moves, updates or cancels the events it holds. For
that to work across versions:

- an event keeps its UID in every version (the edition's, or the guest session's, and the year's:
  :func:`model.formats.ical.event_uid`), so a moved course moves instead of appearing twice;
- its SEQUENCE starts at 0 and grows by one in each version where the event, as this feed shows it,
  changed (dates, place, mode, co-trainers, sessions, participants), and its DTSTAMP and
  LAST-MODIFIED are the publication time of that version; an event that did not change keeps
  all three, so a feed nothing changed in is the same bytes (the same ETag) version after version;
- an event the feed held in an earlier version of the same year's calendar but no longer holds (the
  edition dropped, or moved to another room, or the trainer taken off its team, or no longer its
  backup) is still sent, as ``STATUS:CANCELLED`` with a higher SEQUENCE, until a calendar of another
  year is published.

A trainer's feed holds the editions they back up too, each as a tentative event with a UID of its own
(:func:`model.formats.ical.backup_uid`), following the same rules.

Feeds name other people by their names alone: a trainer's feed shows co-trainers and guests, never
their ids, organisations, e-mail addresses or anything beyond the event. Everything here is pure:
the versions come in, the calendar's bytes go out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from icalendar import Event

from model.formats.ical import (
    backed_up,
    backup_event,
    backup_uid,
    edition_event,
    empty_calendar,
    event_uid,
    guest_event,
    session_uid,
    sessions_by_day,
)
from model.schedule import Schedule

FeedKind = Literal["trainer", "room", "centre"]
FEED_KINDS: tuple[FeedKind, ...] = ("centre", "trainer", "room")
CENTRE = "centre"
REFRESH = timedelta(hours=6)  # how often a calendar program should poll a feed


@dataclass(frozen=True)
class FeedSubject:
    """Whose calendar a feed is: a trainer, a room, or the centre (``subject`` None)."""

    kind: FeedKind
    subject: str | None = None

    @property
    def id(self) -> str:
        """``trainer-T07``, ``room-R1`` or ``centre``: the feed's name for planners."""
        return CENTRE if self.kind == "centre" else f"{self.kind}-{self.subject}"

    @classmethod
    def parse(cls, feed_id: str) -> FeedSubject | None:
        """The subject a feed id names, or None when it names none."""
        if feed_id == CENTRE:
            return cls("centre")
        kind, _, subject = feed_id.partition("-")
        if kind in ("trainer", "room") and subject:
            return cls(kind, subject)  # type: ignore[arg-type]
        return None


@dataclass(frozen=True)
class PublishedCalendar:
    """One published version as the feeds read it."""

    number: int
    published_at: datetime
    schedule: Schedule


@dataclass(frozen=True)
class FeedBody:
    """A feed as served: its bytes, their tag, when they last changed, and what they hold."""

    ics: bytes
    etag: str
    last_modified: datetime
    events: int
    cancelled: int


def feed_subjects(schedule: Schedule) -> list[FeedSubject]:
    """The feeds a published calendar has: the centre's, then every trainer's and every room's."""
    return ([FeedSubject("centre")] + [FeedSubject("trainer", t.id) for t in schedule.problem.trainers]
            + [FeedSubject("room", room.id) for _, room in schedule.problem.rooms])


def subject_name(schedule: Schedule, feed: FeedSubject) -> str | None:
    """The subject's name in this calendar's problem ("Aida Karimova", "Main hall (R1)"), or None
    when the problem does not have it."""
    problem = schedule.problem
    if feed.kind == "centre":
        return problem.name
    if feed.kind == "trainer":
        trainer = problem.trainer_by_id.get(feed.subject or "")
        return trainer.name if trainer else None
    found = problem.room_by_id.get(feed.subject or "")
    return f"{found[1].name} ({found[1].id})" if found else None


def _engagements(schedule: Schedule, feed: FeedSubject) -> Iterator[tuple[str, Event]]:
    """The events the feed holds in one calendar, by UID, without their stamps and sequence."""
    for se in schedule.sorted_editions():
        if feed.kind == "centre" or (feed.kind == "room" and se.room == feed.subject):
            yield event_uid(schedule, se.edition), edition_event(schedule, se, names_only=True)
        elif feed.kind == "trainer":
            if feed.subject in se.trainers:
                yield event_uid(schedule, se.edition), edition_event(schedule, se, trainer=feed.subject,
                                                                     names_only=True)
            for g in sessions_by_day(se):
                if g.person == feed.subject:
                    yield session_uid(schedule, se.edition, g.slot), guest_event(schedule, se, g, names_only=True)
    if feed.kind == "trainer" and feed.subject is not None:
        for se, members in backed_up(schedule, feed.subject):
            yield backup_uid(schedule, se.edition, feed.subject), backup_event(schedule, se, feed.subject, members,
                                                                               names_only=True)


def events_held(schedule: Schedule, feed: FeedSubject) -> int:
    """How many events the feed holds in this calendar (cancelled ones aside)."""
    if feed.kind == "centre":
        return len(schedule.editions)
    if feed.kind == "room":
        return sum(1 for se in schedule.editions if se.room == feed.subject)
    backups = len(backed_up(schedule, feed.subject)) if feed.subject is not None else 0
    return backups + sum((feed.subject in se.trainers) + sum(g.person == feed.subject for g in se.guests)
                         for se in schedule.editions)


def the_year(newest_first: Iterable[PublishedCalendar]) -> list[PublishedCalendar]:
    """The versions a feed reads, oldest first: the latest and those before it of the same year's
    calendar (the same horizon start). A calendar of another year ends the cancellations.

    ``newest_first`` is read no further than that year, so the versions may be loaded as they come.
    """
    year: list[PublishedCalendar] = []
    for version in newest_first:
        if year and version.schedule.problem.calendar.start != year[0].schedule.problem.calendar.start:
            break
        year.append(version)
    return year[::-1]


@dataclass
class _Tracked:
    event: Event  # as last shown, without stamps
    text: bytes
    sequence: int
    stamp: datetime
    cancelled: bool = False


def feed(versions: Sequence[PublishedCalendar], subject: FeedSubject) -> FeedBody:
    """The feed of ``subject`` at the latest of ``versions``.

    Parameters
    ----------
    versions
        The published versions (any order); the latest and the earlier ones of its year are read.
    subject
        The trainer, room or centre. One the calendar does not have (a trainer no longer in the
        problem) is still a valid calendar: it holds the cancellations of what it held before.

    Returns
    -------
    FeedBody
        The iCalendar bytes, with their ETag and Last-Modified time.

    Raises
    ------
    ValueError
        When no version is given.
    """
    year = the_year(sorted(versions, key=lambda v: v.number, reverse=True))
    if not year:
        raise ValueError("a feed needs a published version")
    tracked: dict[str, _Tracked] = {}
    for version in year:
        stamp = _utc(version.published_at)
        now = dict(_engagements(version.schedule, subject))
        for uid, event in now.items():
            text = event.to_ical()
            seen = tracked.get(uid)
            if seen is None:
                tracked[uid] = _Tracked(event, text, 0, stamp)
            elif seen.cancelled or seen.text != text:
                tracked[uid] = _Tracked(event, text, seen.sequence + 1, stamp)
        for uid, seen in tracked.items():
            if uid not in now and not seen.cancelled:
                seen.cancelled, seen.sequence, seen.stamp = True, seen.sequence + 1, stamp
    latest = year[-1].schedule
    name = next((n for v in reversed(year) if (n := subject_name(v.schedule, subject))), subject.subject or "")
    cal = empty_calendar(
        latest.problem.name if subject.kind == "centre" else f"{latest.problem.name}: {name}",
        ("Every course of the published calendar" if subject.kind == "centre"
         else f"Courses of {name} in the published calendar") + ", from RTCM Planner")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    for _, seen in sorted(tracked.items(), key=lambda kv: (_start(kv[1].event), kv[0])):
        event = seen.event  # made by this call: stamped once
        if seen.cancelled:
            del event["status"]
            event.add("status", "CANCELLED")
        event.add("dtstamp", seen.stamp)
        event.add("last-modified", seen.stamp)
        event.add("sequence", seen.sequence)
        cal.add_component(event)
    body = cal.to_ical()
    changed = max([seen.stamp for seen in tracked.values()], default=_utc(year[0].published_at))
    return FeedBody(ics=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                    last_modified=max(changed, _utc(year[0].published_at)),
                    events=sum(not s.cancelled for s in tracked.values()),
                    cancelled=sum(s.cancelled for s in tracked.values()))


def _start(event: Event) -> str:
    return event.decoded("dtstart").isoformat()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
