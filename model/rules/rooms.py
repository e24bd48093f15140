"""Rules of rooms and the online platform: fit, opening, one course at a time, streams."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

from model.problem import ROOM_MODES, STREAMED_MODES
from model.rules.reading import Breach, Reading
from model.schedule import ScheduledEdition


def room_fits_the_edition(r: Reading) -> Iterator[Breach]:
    """Each edition runs in one of its modes, in a room that holds it in that mode (none online)."""
    p = r.problem
    for ed, se in r.placed:
        item = ed.item
        if se.mode not in ed.modes:
            yield Breach([se.edition], f"{se.edition} is marked {se.mode}; the programme allows "
                                       f"{', '.join(ed.modes)}")
        if se.mode not in ROOM_MODES:
            if se.room is not None:
                yield Breach([se.edition, se.room], f"{se.edition} is online but booked in room {se.room}")
            continue
        if se.room is None or se.room not in p.room_by_id:
            yield Breach([se.edition], f"{se.edition} is {se.mode.replace('_', ' ')} and needs a room; "
                                       f"it has {se.room or 'none'}")
            continue
        venue, room = p.room_by_id[se.room]
        in_person, online = item.planned_seats(se.mode)
        if se.venue is not None and se.venue != venue.id:
            yield Breach([se.edition, se.room], f"{se.edition}: room {room.id} is in venue {venue.id}, not {se.venue}")
        if item.venues and venue.id not in item.venues:
            yield Breach([se.edition, room.id], f"{se.edition}: room {room.id} is in venue {venue.id}; its editions "
                                                f"are held in {', '.join(item.venues)}")
        if room.seats < in_person:
            yield Breach([se.edition, room.id], f"{se.edition}: room {room.id} has {room.seats} seats for "
                                                f"{in_person} participants")
        if se.mode == "hybrid" and not room.hybrid:
            yield Breach([se.edition, room.id], f"{se.edition} is hybrid but room {room.id} is not hybrid-equipped")
        elif se.mode == "hybrid" and room.online_seats < online:
            yield Breach([se.edition, room.id], f"{se.edition}: room {room.id} hosts {room.online_seats} online "
                                                f"participants, {online} expected")
        if room.interpretation_booths < len(item.interpretation):
            yield Breach([se.edition, room.id], f"{se.edition} is interpreted into {', '.join(item.interpretation)} "
                                                f"but room {room.id} has booths for "
                                                f"{room.interpretation_booths} language(s)")


def room_open(r: Reading) -> Iterator[Breach]:
    for _, se in r.placed:
        if se.mode not in ROOM_MODES or se.room not in r.problem.room_by_id:
            continue
        venue, room = r.problem.room_by_id[se.room]
        for c in list(room.closures) + list(venue.closures):
            if any(c.start <= d <= c.end for d in se.days):
                yield Breach([se.edition, room.id], f"{se.edition}: room {room.id} is closed {c.describe()}")


def one_at_a_time(groups: dict[str, list[ScheduledEdition]]) -> Iterator[tuple[str, ScheduledEdition,
                                                                                ScheduledEdition]]:
    """(key, a, b) for every two editions of a group (a room's, a trainer's) sharing a day."""
    for key, eds in groups.items():
        eds = sorted(eds, key=lambda e: e.start)
        for i, a in enumerate(eds):
            for b in eds[i + 1:]:
                if b.start > a.end:
                    break
                if set(a.days) & set(b.days):
                    yield key, a, b


def room_not_double_booked(r: Reading) -> Iterator[Breach]:
    by_room: dict[str, list[ScheduledEdition]] = defaultdict(list)
    for _, se in r.placed:
        if se.room and se.mode in ROOM_MODES:
            by_room[se.room].append(se)
    for room, a, b in one_at_a_time(by_room):
        yield Breach([room, a.edition, b.edition], f"room {room} is booked for {a.edition} and {b.edition} "
                                                   "on the same day")


def online_stream_limit(r: Reading) -> Iterator[Breach]:
    """The platform carries the editions it streams (hybrid, online, by the mode scheduled): no
    more at once than its streams, and each with its interpretation."""
    platform = r.problem.platform
    streams: Counter[date] = Counter()
    for ed, se in r.placed:
        if se.mode not in STREAMED_MODES:
            continue
        streams.update(se.days)
        # Checked once per mode in validation; with a choice of modes, it holds only for the one taken.
        languages = ed.item.interpretation
        if len(languages) > platform.interpretation_channels:
            yield Breach([se.edition], f"{se.edition} is {se.mode} and interpreted into {', '.join(languages)}; "
                                       f"the platform carries {platform.interpretation_channels} channel(s) "
                                       "besides the course's")
    limit = platform.max_concurrent_streams
    for d, n in sorted(streams.items()):
        if n > limit:
            yield Breach([d.isoformat()], f"{d}: {n} hybrid/online courses at once; the platform carries {limit}")
