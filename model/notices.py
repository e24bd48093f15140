"""Change notices: what a new version of the published calendar changes for each person and room.

One notice per trainer or resource person whose part in the calendar changed (on a team or
giving a guest session, in the old calendar or the new) and one per room whose hosted courses
changed, for its manager. Each lists the courses concerned, what changed in plain words, the
old and new dates, places and co-trainers, and why: the reasons of
:func:`model.compare.diff` (the rules the old calendar breaks under the new problem), plus what
that comparison does not see (a person's guest sessions added, moved or dropped). A first
publication (no old calendar) gives everyone their courses.

A notice names other people by name only: a reason that is about someone else (their absence,
their limits) is said as the rule it keeps, never with that person's details, and no notice
holds anybody's e-mail address but its recipient's.

:func:`email_message` makes a notice a ready-to-send e-mail (stdlib :mod:`email`), and
:func:`write_notices` writes one ``.eml`` file per notice and ``notices.txt`` with every text.
Sending them is :mod:`model.formats.mail`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.compare import NOT_FORCED, diff, forcing
from model.formats.atomic import write_atomic
from model.problem import Problem
from model.rules import Violation
from model.schedule import Schedule, ScheduledEdition

NoticeKind = Literal["trainer", "room"]
Role = Literal["team", "guest", "host"]
ItemChange = Literal["added", "dropped", "moved", "room", "mode", "co_trainers"]

DEFAULT_SENDER = "RTCM Planner <rtcm-planner@localhost>"
INDEX = "notices.txt"
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


class NoticeItem(BaseModel):
    """One course in a notice: the recipient's part in it before and after, and why it changed."""

    model_config = ConfigDict(extra="forbid")

    edition: str = Field(description="edition id, e.g. M3.T2#1")
    title: str = Field(description="the course's title")
    role: Role = Field(description="team: on the course's team; guest: gives a guest session in it; host: the "
                                   "room hosts it")
    session: str | None = Field(default=None, description="a guest session: what is presented")
    changes: list[ItemChange] = Field(description="added, dropped, moved, room, mode, co_trainers; empty on a "
                                                  "first publication")
    what: str = Field(description="what changed, in plain words")
    old_start: date | None = Field(default=None, description="first day before (a guest session: its day)")
    old_end: date | None = None
    new_start: date | None = Field(default=None, description="first day now (a guest session: its day)")
    new_end: date | None = None
    old_place: str | None = Field(default=None, description="room, venue, city and mode before")
    new_place: str | None = None
    old_co_trainers: list[str] = Field(default_factory=list, description="by name: the others on the team (for a "
                                                                         "guest session or a room, the team)")
    new_co_trainers: list[str] = Field(default_factory=list)
    why: list[str] = Field(default_factory=list, description="what forced the change, in planner words")


class Notice(BaseModel):
    """A change notice to one trainer or resource person, or to the manager of one room."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="trainer-T07 or room-R1")
    kind: NoticeKind
    subject: str = Field(description="the trainer's or the room's id")
    name: str = Field(description="the trainer's or the room's name")
    recipient: str = Field(description="whom the message greets: the trainer, or the room's manager")
    email: str | None = Field(description="the recipient's address; none: the notice cannot be sent")
    old_version: int = Field(ge=0, description="the version compared with; 0: none (a first publication)")
    new_version: int = Field(ge=1)
    published_at: datetime | None = Field(default=None, description="when the new version was published")
    email_subject: str = Field(description="the e-mail's subject line")
    items: list[NoticeItem]
    text: str = Field(description="the message, in plain words")


@dataclass(frozen=True)
class _Part:
    """Someone's (or a room's) part in one edition of one calendar."""

    problem: Problem
    se: ScheduledEdition
    day: date | None = None  # a guest session's day


Key = tuple[str, str, Role, str]  # (person or room, edition, role, guest slot)


def _parts(schedule: Schedule) -> dict[Key, _Part]:
    out: dict[Key, _Part] = {}
    for se in schedule.editions:
        for t in se.trainers:
            out[(t, se.edition, "team", "")] = _Part(schedule.problem, se)
        for g in se.guests:
            out[(g.person, se.edition, "guest", g.slot)] = _Part(schedule.problem, se, g.day)
        if se.room is not None:
            out[(se.room, se.edition, "host", "")] = _Part(schedule.problem, se)
    return out


def _place(p: _Part) -> str:
    se, mode = p.se, p.se.mode.replace("_", " ")
    if se.room is None:
        return mode
    found = p.problem.room_by_id.get(se.room)
    if found is None:
        return f"{se.room}, {mode}"
    venue, room = found
    return f"{room.name} ({room.id}), {venue.name}, {venue.city}, {mode}"


def _names(p: _Part, ids: Iterable[str]) -> list[str]:
    trainers = p.problem.trainer_by_id
    return [trainers[t].name if t in trainers else t for t in ids]


def _others(p: _Part, who: str, role: Role) -> list[str]:
    """Who the part is delivered with: the rest of the team (a guest session, a room: the whole team)."""
    return _names(p, [t for t in p.se.trainers if role != "team" or t != who])


def _span(first: date | None, last: date | None) -> str:
    if first is None:
        return ""
    return first.isoformat() if last in (None, first) else f"{first.isoformat()}..{last.isoformat()}"


def _changes(key: Key, a: _Part | None, b: _Part | None) -> list[ItemChange]:
    who, _, role, _ = key
    if a is None:
        return ["added"]
    if b is None:
        return ["dropped"]
    out: list[ItemChange] = []
    if (a.day != b.day) if role == "guest" else (a.se.days != b.se.days):
        out.append("moved")
    if a.se.room != b.se.room:
        out.append("room")
    if a.se.mode != b.se.mode:
        out.append("mode")
    if role == "team" and set(a.se.trainers) - {who} != set(b.se.trainers) - {who}:
        out.append("co_trainers")
    return out


def _room(p: _Part) -> str:
    if p.se.room is None:
        return "online"
    found = p.problem.room_by_id.get(p.se.room)
    return f"{found[1].name} ({p.se.room})" if found else p.se.room


def _what(key: Key, changes: list[ItemChange], item: NoticeItem, a: _Part | None, b: _Part | None,
          old_calendar: set[str], new_calendar: set[str]) -> str:
    _, edition, role, _ = key
    if not changes:  # a first publication
        return {"team": "on the team", "guest": "you present it", "host": "in this room"}[role]
    if "added" in changes:
        if edition not in old_calendar:
            return {"team": "a new course for you", "guest": "a new guest session for you to present",
                    "host": "a new course in this room"}[role]
        return {"team": "you join the team", "guest": "you now present it",
                "host": "the course moves into this room"}[role]
    if "dropped" in changes:
        if edition not in new_calendar:
            return "the course is off the calendar"
        return {"team": "you are no longer on the team", "guest": "you no longer present it",
                "host": "the course leaves this room"}[role]
    words = []
    if "moved" in changes:
        words.append(f"moved from {_span(item.old_start, item.old_end)} to {_span(item.new_start, item.new_end)}")
    if a is not None and b is not None and "room" in changes:
        words.append(f"now in {_room(b)} (was {_room(a)})")
    if a is not None and b is not None and "mode" in changes:
        words.append(f"now {b.se.mode.replace('_', ' ')} (was {a.se.mode.replace('_', ' ')})")
    if "co_trainers" in changes:
        words.append(f"co-trainers now {', '.join(item.new_co_trainers) or 'none'} "
                     f"(were {', '.join(item.old_co_trainers) or 'none'})")
    return "; ".join(words)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


class _Reasons:
    """Why each edition changed, as a recipient reads it: another person's details become the rule
    they keep.

    The reasons are :func:`model.compare.diff`'s: the hard rules the old calendar breaks under the
    new problem. For an edition diff does not list (only a guest session changed), the same rules
    are read here, with the records (people, rooms) each is about.
    """

    def __init__(self, old: Schedule, new: Schedule) -> None:
        self.broken = forcing(old, new)  # by edition
        self.why = {c.edition: c.why for c in diff(old, new, self.broken).changes}
        self.records: dict[str, list[Violation]] = {}  # by message
        for found in self.broken.values():
            for v in found:
                self.records.setdefault(v.message, [])
                if v not in self.records[v.message]:
                    self.records[v.message].append(v)
        self.people = {t.id for s in (old, new) for t in s.problem.trainers} | {
            n.id for s in (old, new) for n in s.problem.nominations}

    def of(self, edition: str, key: Key, changes: list[ItemChange], in_old: bool) -> list[str]:
        if not changes or (changes == ["added"] and not in_old):
            return []  # a first publication or a new course: nothing forced it
        if edition in self.why:
            texts = self.why[edition]
        else:  # what diff does not see: only the recipient's guest session changed
            texts = [v.message for v in self.broken.get(edition, [])] or [NOT_FORCED]
        who = key[0] if key[2] != "host" else None
        out = []
        for text in texts:
            about = {r for v in self.records.get(text, []) for r in v.records if r in self.people}
            if about - {who}:
                rule = self.records[text][0].name
                text = f"{edition}: a rule about another person: {_lower_first(rule)}"
            out.append(text)
        return list(dict.fromkeys(out))


def _count(n: int, noun: str) -> str:
    word = NUMBERS[n] if n < len(NUMBERS) else str(n)
    return f"{word} {noun}{'' if n == 1 else 's'}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _when(start: date | None, end: date | None) -> str:
    if start is None:
        return ""
    return start.isoformat() if end in (None, start) else f"{start.isoformat()} to {end.isoformat()}"


def _item_text(i: int, item: NoticeItem) -> list[str]:
    session = f', guest session "{item.session}"' if item.role == "guest" else ""
    lines = [f"{i}. {item.title} ({item.edition}){session}: {item.what}."]
    with_words = "with" if item.role == "team" else "team"
    shown = [("Before", item.old_start, item.old_end, item.old_place, item.old_co_trainers),
             ("Now", item.new_start, item.new_end, item.new_place, item.new_co_trainers)]
    if not item.changes:  # a first publication
        shown = [("When", item.new_start, item.new_end, item.new_place, item.new_co_trainers)]
    for label, start, end, place, people in shown:
        if start is not None:
            lines.append(f"   {label}: {_when(start, end)}, {place}"
                         + (f"; {with_words} {', '.join(people)}" if people else ""))
    if item.why:
        lines.append("   Why: " + "; ".join(item.why))
    return lines


def _first(notice: Notice) -> bool:
    return all(not i.changes for i in notice.items)


def _text(notice: Notice, calendar: str) -> str:
    roles = {i.role for i in notice.items}
    things = ("courses" if roles <= {"team", "host"} else "guest sessions" if roles == {"guest"}
              else "courses and guest sessions")
    version = f'version {notice.new_version} of the calendar "{calendar}"'
    whose = f"the courses in {notice.name} ({notice.subject})" if notice.kind == "room" else f"your {things}"
    if _first(notice):
        intro = f"{version} is published. {whose[0].upper()}{whose[1:]} in it:"
    else:
        n = len(notice.items)
        count = NUMBERS[n] if n < len(NUMBERS) else str(n)
        intro = f"{version} changes {count} of {whose} (compared with version {notice.old_version}):"
    lines = [f"Dear {notice.recipient},", "", intro[0].upper() + intro[1:], ""]
    for i, item in enumerate(notice.items, 1):
        lines += [*_item_text(i, item), ""]
    lines.append("This message was written by RTCM Planner from the published calendar.")
    return "\n".join(lines) + "\n"


def _subject_line(notice: Notice, calendar: str) -> str:
    head = f"{calendar}, version {notice.new_version}"
    where = f"in {notice.name} ({notice.subject})" if notice.kind == "room" else "to your courses"
    if _first(notice):
        what = f"the courses {where}" if notice.kind == "room" else "your courses"
    else:
        what = f"{_count(len(notice.items), 'change')} {where}"
    return _one_line(f"{head}: {what}")


def notices(old: Schedule | None, new: Schedule, *, old_version: int, new_version: int,
            published_at: datetime | None = None) -> list[Notice]:
    """The change notices from ``old`` to ``new``: one per person and one per room concerned.

    Parameters
    ----------
    old
        The calendar of the version compared with; None or one without editions (a first
        publication) makes every engagement of ``new`` new.
    new
        The calendar of the new version.
    old_version, new_version
        Their numbers (``old_version`` 0: none).
    published_at
        When the new version was published: the messages' date.

    Returns
    -------
    list of Notice
        Trainers by id, then rooms by id; nobody whose part did not change. Each notice's items
        are in date order.
    """
    if old is None:
        old = Schedule(problem=new.problem, editions=[])
    before, after = _parts(old), _parts(new)
    reasons = _Reasons(old, new)
    old_by, new_by = old.by_edition, new.by_edition
    items: dict[tuple[NoticeKind, str], list[NoticeItem]] = {}
    for key in sorted(set(before) | set(after)):
        who, edition, role, slot = key
        a, b = before.get(key), after.get(key)
        changes = _changes(key, a, b) if old.editions else []
        if old.editions and not changes:
            continue
        if role == "host":  # a course that moves in or out: where it was, or is now
            a = a or (_Part(old.problem, old_by[edition]) if edition in old_by else None)
            b = b or (_Part(new.problem, new_by[edition]) if edition in new_by else None)
        some = b or a
        assert some is not None
        found = some.problem.guest_slot(edition, slot) if role == "guest" else None
        item = NoticeItem(
            edition=edition, title=some.se.title or some.se.topic, role=role,
            session=(found.title or found.id) if found else (slot or None), changes=changes, what="",
            old_start=a.day or a.se.start if a else None, old_end=a.day or a.se.end if a else None,
            new_start=b.day or b.se.start if b else None, new_end=b.day or b.se.end if b else None,
            old_place=_place(a) if a else None, new_place=_place(b) if b else None,
            old_co_trainers=_others(a, who, role) if a else [], new_co_trainers=_others(b, who, role) if b else [],
            why=reasons.of(edition, key, changes, edition in old_by),
        )
        item.what = _what(key, changes, item, a, b, set(old_by), set(new_by))
        kind: NoticeKind = "room" if role == "host" else "trainer"
        items.setdefault((kind, who), []).append(item)
    out = []
    for (kind, who), listed in items.items():
        listed.sort(key=lambda i: (i.new_start or i.old_start or date.min, i.edition, i.role, i.session or ""))
        out.append(_notice(kind, who, listed, old, new, old_version, new_version, published_at))
    return sorted(out, key=lambda n: (n.kind != "trainer", n.subject))


def _notice(kind: NoticeKind, who: str, items: list[NoticeItem], old: Schedule, new: Schedule, old_version: int,
            new_version: int, published_at: datetime | None) -> Notice:
    if kind == "trainer":
        trainer = new.problem.trainer_by_id.get(who) or old.problem.trainer_by_id.get(who)
        name = trainer.name if trainer else who
        recipient, email = name, trainer.email if trainer else None
    else:
        found = new.problem.room_by_id.get(who) or old.problem.room_by_id.get(who)
        room = found[1] if found else None
        name = room.name if room else who
        recipient = (room.manager if room and room.manager else f"manager of {name} ({who})")
        email = room.manager_email if room else None
    notice = Notice(id=f"{kind}-{who}", kind=kind, subject=who, name=name, recipient=_one_line(recipient),
                    email=email, old_version=old_version, new_version=new_version,
                    published_at=published_at, email_subject="", items=items, text="")
    calendar = new.problem.name
    notice.email_subject = _subject_line(notice, calendar)
    notice.text = _text(notice, calendar)
    return notice


# ---------------------------------------------------------------------------- messages


def _domain(sender: str) -> str:
    address = sender.rpartition("<")[2].rstrip(">").strip()
    domain = address.rpartition("@")[2]
    return re.sub(r"[^A-Za-z0-9.-]", "-", domain) or "rtcm-planner"


def email_message(notice: Notice, sender: str = DEFAULT_SENDER, *, when: datetime | None = None) -> EmailMessage:
    """The notice as a ready-to-send e-mail: plain text in UTF-8.

    Parameters
    ----------
    notice
        The notice.
    sender
        The From header, e.g. ``RTCM Planner <planning@centre.example.org>``.
    when
        The Date header; default the notice's ``published_at``, else now.

    Returns
    -------
    EmailMessage
        From, To (only when the notice has an address), Subject, Date and a Message-ID made of
        the notice and its text: the same notice always gives the same message.

    Raises
    ------
    ValueError
        When ``sender`` is not an address a header can carry.
    """
    msg = EmailMessage()
    msg["From"] = sender
    if notice.email:
        local, _, domain = notice.email.rpartition("@")
        msg["To"] = Address(display_name=_one_line(notice.recipient), username=local, domain=domain)
    msg["Subject"] = _one_line(notice.email_subject)
    moment = when or notice.published_at or datetime.now(UTC)
    msg["Date"] = format_datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    digest = hashlib.sha256(notice.model_dump_json().encode("utf-8")).hexdigest()[:16]
    ident = re.sub(r"[^A-Za-z0-9.-]", "-", notice.id)
    msg["Message-ID"] = f"<{ident}.v{notice.old_version}-v{notice.new_version}.{digest}@{_domain(sender)}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-RTCM-Notice"] = ident
    msg.set_content(notice.text, charset="utf-8")
    return msg


def file_name(notice: Notice) -> str:
    """``trainer-T07.eml``: the notice's file, safe on every file system."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", notice.id) + ".eml"


def notices_text(listed: Sequence[Notice]) -> str:
    """Every notice's text, each under a line naming its recipient and address."""
    if not listed:
        return "No notice: nobody's courses changed.\n"
    blocks = []
    for n in listed:
        head = f"{n.id}: to {n.recipient} <{n.email or 'no address'}>; subject: {n.email_subject}"
        blocks.append(f"{head}\n{'-' * min(len(head), 100)}\n{n.text}")
    return ("\n" + "=" * 100 + "\n\n").join(blocks)


def write_notices(listed: Sequence[Notice], out_dir: str | Path, sender: str = DEFAULT_SENDER) -> list[Path]:
    """Write one ``.eml`` file per notice and ``notices.txt`` with every text into ``out_dir``.

    Every message is made before the first file is written, and each file is written whole
    (:func:`~model.formats.atomic.write_atomic`): a notice that cannot be made leaves the folder
    as it was.

    Returns
    -------
    list of Path
        The ``.eml`` files, in the notices' order, then ``notices.txt``.
    """
    out = Path(out_dir)
    files = [(out / file_name(n), email_message(n, sender).as_bytes()) for n in listed]
    files.append((out / INDEX, notices_text(listed).encode("utf-8")))
    for path, data in files:
        write_atomic(path, data)
    return [path for path, _ in files]
