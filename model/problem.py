"""The planning problem: catalogue, programme, trainers, venues, rules and weights.

Every record checks its own fields; :class:`Problem` checks the cross-references once
(unknown trainer, topic, room, organisation; prerequisite cycles; impossible
capacities) and reports every error together, each naming the record and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, PrivateAttr, model_validator

from model.calendar import CalendarSpec, Day, Period, Record, WorkCalendar, reversed_periods
from model.errors import Issue, IssueKind, Path, raise_issues

T = TypeVar("T")

Gender = Literal["woman", "man", "another_identity", "undisclosed"]
Mode = Literal["hybrid", "in_person", "online"]
ROOM_MODES: tuple[Mode, ...] = ("hybrid", "in_person")  # held in a room
STREAMED_MODES: tuple[Mode, ...] = ("hybrid", "online")  # carried by the online platform
RuleMode = Literal["hard", "soft", "off"]
Role = Literal["trainer", "guest", "both"]
OrgKind = Literal[
    "un_agency", "international", "government", "academia", "ngo", "pool", "private", "media", "other"
]

TOPIC_ID = re.compile(r"^M(\d+)\.T(\d+)$")


def edition_id(topic: str, number: int) -> str:
    return f"{topic}#{number}"


# --------------------------------------------------------------------------- catalogue


def _hybrid_or_in_person() -> list[Mode]:
    return ["hybrid", "in_person"]


class Topic(Record):
    """One course of the curriculum."""

    id: str = Field(description="M<module>.T<topic>, e.g. M3.T2")
    module: int
    title: str
    duration_min: int = Field(ge=1, description="shortest length in days")
    duration_max: int = Field(ge=1, description="longest length in days")
    modes: list[Mode] = Field(default_factory=_hybrid_or_in_person)
    target_audiences: list[str] = Field(default_factory=list)
    resource_organisations: list[str] = Field(
        default_factory=list, description="organisation ids named as resource persons"
    )
    resource_persons_raw: list[str] = Field(default_factory=list)
    lead_agencies: list[str] = Field(
        default_factory=list,
        description="organisations whose presence matters: a person of one of them delivers part of each edition",
    )
    links: list[str] = Field(default_factory=list, description="related topics (not prerequisites)")

    @model_validator(mode="after")
    def _check(self) -> Topic:
        errors = []
        m = TOPIC_ID.match(self.id)
        if not m:
            errors.append(self._issue("invalid_value", "id", "id is not of the form M<module>.T<topic>"))
        elif int(m.group(1)) != self.module:
            errors.append(self._issue("conflict", "module", f"module is {self.module} but the id says {m.group(1)}"))
        if self.duration_max < self.duration_min:
            errors.append(self._issue(
                "out_of_order", "duration_max",
                f"duration_max ({self.duration_max}) is below duration_min ({self.duration_min})"))
        if not self.modes:
            errors.append(self._issue("missing", "modes", "modes is empty"))
        raise_issues(errors)
        return self

    def _issue(self, kind: IssueKind, field: str, text: str) -> Issue:
        return Issue(kind, text, "topic", self.id, field=(field,))


class Module(Record):
    number: int = Field(ge=1)
    title: str
    connected_modules: list[int] = Field(default_factory=list)


# ------------------------------------------------------------------------------ people

# An address as a notice's To header carries it: one @, something either side, no spaces, control
# characters or characters that end an address in a header (so no header can be injected through one).
EMAIL_PART = r"[^@\s\x00-\x1f\x7f<>(),;:\"\[\]\\]+"
EMAIL = re.compile(rf"{EMAIL_PART}@(?!\.){EMAIL_PART}(?<!\.)")


def email_issues(record: str, ident: str, field: str, address: str | None) -> list[Issue]:
    """An issue when ``address`` is not an e-mail address a notice can be sent to (none when unset).

    Parameters
    ----------
    record, ident
        The record the address belongs to (``trainer``, ``T07``).
    field
        Its field (``email``, ``manager_email``).
    address
        The address, or None.
    """
    if address is None or EMAIL.fullmatch(address):
        return []
    return [Issue("invalid_value", f"{field} {address!r} is not an e-mail address (name@domain, one @, no spaces)",
                  record, ident, field=(field,))]


class Organisation(Record):
    id: str
    name: str
    kind: OrgKind = "other"
    trainer_day_quota: int | None = Field(
        default=None, ge=0, description="most trainer-days its trainers may give in the horizon"
    )


class Trainer(Record):
    """A trainer or resource person. Names in the embedded default are fictional."""

    id: str
    name: str
    gender: Gender
    organisation: str
    country: str | None = Field(default=None, description="the country a country representative represents")
    topics: list[str] = Field(default_factory=list, description="topic ids they can teach")
    modules: list[int] = Field(default_factory=list, description="whole modules they can teach")
    languages: list[str] = Field(default_factory=lambda: ["en"])
    unavailable: list[Period] = Field(default_factory=list)
    max_days_per_month: int | None = Field(default=None, ge=0)
    max_days_per_year: int | None = Field(default=None, ge=0)
    day_rate: int = Field(default=0, ge=0, description="fee per training day, USD")
    travel_usd: int = Field(
        default=0, ge=0, description="USD to bring them to the venue once, for an edition held in a room"
    )
    role: Role = Field(
        default="both", description="trainer: on whole-course teams only; guest: gives guest sessions only; both"
    )
    fictional: bool = False
    email: str | None = Field(default=None, description="where their change notices go; none: not sent")

    @model_validator(mode="after")
    def _check(self) -> Trainer:
        errors = reversed_periods("trainer", self.id, "unavailable", "unavailable period", self.unavailable)
        if not self.languages:
            errors.append(Issue("missing", "languages is empty", "trainer", self.id, field=("languages",)))
        errors += email_issues("trainer", self.id, "email", self.email)
        raise_issues(errors)
        return self

    def can_teach(self, topic: Topic) -> bool:
        return topic.id in self.topics or topic.module in self.modules

    @property
    def on_teams(self) -> bool:
        """Whether they may be on a whole-course team."""
        return self.role != "guest"

    @property
    def gives_sessions(self) -> bool:
        """Whether they may give a guest session."""
        return self.role != "trainer"


# ------------------------------------------------------------------------------ venues


class Room(Record):
    id: str
    name: str
    seats: int = Field(ge=0, description="in-person seats")
    hybrid: bool = Field(default=False, description="equipped to stream a hybrid course")
    online_seats: int = Field(default=0, ge=0, description="remote participants it can host")
    day_cost: int = Field(default=0, ge=0, description="USD per day in use")
    interpretation_booths: int = Field(
        default=0, ge=0, description="languages it can interpret into at once (booths for the room)"
    )
    closures: list[Period] = Field(default_factory=list)
    manager: str | None = Field(default=None, description="who manages the room: its change notices greet them")
    manager_email: str | None = Field(default=None, description="where the room's change notices go; none: not sent")

    @model_validator(mode="after")
    def _check(self) -> Room:
        errors = reversed_periods("room", self.id, "closures", "closure", self.closures)
        if self.online_seats and not self.hybrid:
            errors.append(Issue("conflict", "has online_seats but is not hybrid-equipped", "room", self.id,
                                field=("online_seats",)))
        errors += email_issues("room", self.id, "manager_email", self.manager_email)
        raise_issues(errors)
        return self


class Venue(Record):
    id: str
    name: str
    city: str = "Baku"
    rooms: list[Room]
    closures: list[Period] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Venue:
        errors = reversed_periods("venue", self.id, "closures", "closure", self.closures)
        if not self.rooms:
            errors.append(Issue("missing", "has no rooms", "venue", self.id, field=("rooms",)))
        raise_issues(errors)
        return self


class Platform(Record):
    """The online platform that carries hybrid and online courses."""

    max_concurrent_streams: int = Field(default=2, ge=0)
    online_seats_per_stream: int = Field(default=100, ge=0, description="for online-only courses")
    interpretation_channels: int = Field(
        default=0, ge=0, description="audio channels a stream carries besides the course's, for interpretation"
    )


class Costs(Record):
    """Prices the cost counts besides people's fees and travel and room costs."""

    interpretation_day_usd: int = Field(
        default=0, ge=0, description="USD a day for each language an edition is interpreted into"
    )
    participant_fares_usd: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description=("a return fare to the venue for an in-person participant, by country; when given, every "
                     "country whose nominees may sit in person needs one"),
    )
    allowance_night_usd: int = Field(
        default=0, ge=0,
        description="daily allowance for an in-person participant, per night at the venue (a night per course day)",
    )


# ----------------------------------------------------------------------------- rollout

MAX_ROLLOUT_YEARS = 3


class Theme(Record):
    """A priority the rollout must cover: every topic of it runs at least once by the end of
    rollout year ``by_year`` (1: the problem's horizon)."""

    id: str = Field(min_length=1)
    name: str = ""
    topics: list[str] = Field(min_length=1)
    by_year: int = Field(ge=1, le=MAX_ROLLOUT_YEARS)


class Rollout(Record):
    """The programme over one to three years. The problem's horizon is the first year, planned in
    full detail; the later years are planned by quarter (``scheduler/rollout.py``)."""

    years: int = Field(default=1, ge=1, le=MAX_ROLLOUT_YEARS)
    themes: list[Theme] = Field(default_factory=list, description="priorities, each due by a rollout year")
    dropped: list[str] = Field(default_factory=list, description="topics the planner drops: they need not run")
    course_days_per_quarter: int | None = Field(
        default=None, ge=1,
        description="most course days a later quarter holds; None: the first year's pace, per working day",
    )


# --------------------------------------------------------------------------- programme


class GuestSlot(Record):
    """A day inside each edition given by a guest: an agency's expert, a country's
    representative presenting best practice, an academic, an NGO.

    The engine picks the person (of one of ``organisations``, qualified for the topic, free
    that day, speaking the course's language or one it is interpreted into) and the day.
    """

    id: str = Field(min_length=1, description="the slot's name within its programme item, e.g. 'country'")
    organisations: list[str] = Field(min_length=1, description="whose people may give it")
    required: bool = Field(
        default=False, description="every edition has it filled (hard); otherwise an empty slot is a penalty"
    )
    title: str = Field(default="", description="what is presented, e.g. 'Regional best practice'")


class GuestSession(Record):
    """A guest slot of an edition filled: who gives it, on which course day."""

    slot: str = Field(description="the programme item's guest slot id")
    person: str = Field(description="trainer (resource person) id")
    day: Day


class ProgrammeItem(Record):
    """What to deliver of one topic in the horizon."""

    topic: str
    editions: int = Field(default=1, ge=1, description="the most editions to run")
    min_editions: int | None = Field(
        default=None, ge=0,
        description="editions that must run (the first ones); None: all of them when mandatory, none otherwise",
    )
    mode: Mode = Field(default="hybrid", description="how its editions run; with modes, the one preferred")
    modes: list[Mode] = Field(
        default_factory=list,
        description="modes the solver chooses between for each edition, preferred first; empty: mode alone",
    )
    duration_days: int | None = Field(
        default=None, ge=1, description="fixed length; None lets the solver choose in the topic's range"
    )
    earliest_start: Day | None = None
    latest_end: Day | None = None
    priority: int = Field(default=0, ge=0, le=3, description="0 none .. 3 urgent: earlier is better")
    mandatory: bool = Field(default=True, description="all its editions must run (min_editions overrides)")
    participants_in_person: int = Field(default=20, ge=0)
    participants_online: int = Field(default=0, ge=0)
    min_participants: int = Field(
        default=0, ge=0,
        description="fewest participants an edition runs with; with nominations, an edition runs only "
                    "where that many asked for the topic and are free in its months",
    )
    language: str = Field(default="en", description="the working language: the trainers speak it")
    interpretation: list[str] = Field(
        default_factory=list, description="languages the edition is interpreted into (booked, at a day cost)"
    )
    required_organisations: list[str] | None = Field(
        default=None, description="organisations the team must include; None uses the team rules"
    )
    guest_slots: list[GuestSlot] = Field(
        default_factory=list, description="guest sessions of a day in each edition, besides the team"
    )
    venues: list[str] = Field(
        default_factory=list, description="the venues its editions may be held in (a centre of a network, "
                                          "a partner's premises); empty: any venue"
    )

    @model_validator(mode="before")
    @classmethod
    def _preferred_mode(cls, data: Any) -> Any:
        """Modes without a mode: the first is the one preferred (so a saved item reads back alike)."""
        modes = data.get("modes") if isinstance(data, dict) else None
        if isinstance(modes, list) and modes and data.get("mode") is None:
            return {**data, "mode": data["modes"][0]}
        return data

    @model_validator(mode="after")
    def _check(self) -> ProgrammeItem:
        errors = []
        errors += [self._issue("duplicate", "guest_slots", f"guest slot '{self.guest_slots[i].id}' is listed "
                               "twice") for i in _twice([g.id for g in self.guest_slots])]
        if self.earliest_start and self.latest_end and self.latest_end < self.earliest_start:
            errors.append(self._issue(
                "out_of_order", "latest_end",
                f"latest_end ({self.latest_end}) is before earliest_start ({self.earliest_start})"))
        if self.modes and self.mode not in self.modes:
            errors.append(self._issue("conflict", "mode", f"mode '{self.mode}' is not among its modes "
                                                          f"({', '.join(self.modes)})"))
        errors += [self._issue("duplicate", "modes", f"mode '{self.modes[i]}' is listed twice")
                   for i in _twice(self.modes)]
        if self.allowed_modes == ("online",) and self.participants_in_person:
            errors.append(self._issue("conflict", "participants_in_person",
                                      "an online course has no in-person participants"))
        if self.allowed_modes == ("in_person",) and self.participants_online:
            errors.append(self._issue("conflict", "participants_online",
                                      "an in-person course has no online participants"))
        if self.min_editions is not None and self.min_editions > self.editions:
            errors.append(self._issue("out_of_order", "min_editions",
                                      f"min_editions ({self.min_editions}) is above editions ({self.editions})"))
        if self.min_participants > self.participants_in_person + self.participants_online:
            errors.append(self._issue(
                "conflict", "min_participants",
                f"min_participants ({self.min_participants}) is above the seats planned "
                f"({self.participants_in_person} in person, {self.participants_online} online)"))
        if self.language in self.interpretation:
            errors.append(self._issue("conflict", "interpretation",
                                      f"interpretation into '{self.language}', the course's own language"))
        errors += [self._issue("duplicate", "interpretation", f"interpretation into '{self.interpretation[i]}' is "
                               "listed twice") for i in _twice(self.interpretation)]
        errors += [self._issue("duplicate", "venues", f"venue '{self.venues[i]}' is listed twice")
                   for i in _twice(self.venues)]
        raise_issues(errors)
        return self

    def _issue(self, kind: IssueKind, field: str, text: str) -> Issue:
        return Issue(kind, text, "programme", self.topic, field=(field,))

    @property
    def allowed_modes(self) -> tuple[Mode, ...]:
        """The modes its editions may run in, preferred first: ``mode``, then the rest of ``modes``."""
        return (self.mode, *(m for m in self.modes if m != self.mode))

    def planned_seats(self, mode: Mode) -> tuple[int, int]:
        """The seats planned (in person, online) for an edition run in ``mode``: in person, the
        in-person seats; online, every seat online; hybrid, both as planned."""
        if mode == "in_person":
            return self.participants_in_person, 0
        if mode == "online":
            return 0, self.participants_in_person + self.participants_online
        return self.participants_in_person, self.participants_online

    @property
    def required_editions(self) -> int:
        """How many of its editions must run: ``min_editions``, else all or none by ``mandatory``."""
        if self.min_editions is not None:
            return self.min_editions
        return self.editions if self.mandatory else 0


class Prerequisite(Record):
    """Topic ``before`` must be delivered before topic ``after`` starts."""

    before: str
    after: str
    min_gap_days: int = Field(default=0, ge=0, description="calendar days between the two")
    max_gap_days: int | None = Field(default=None, ge=0)
    reason: str = ""

    @model_validator(mode="after")
    def _check(self) -> Prerequisite:
        if self.max_gap_days is not None and self.max_gap_days < self.min_gap_days:
            raise_issues([Issue(
                "out_of_order", f"max_gap_days ({self.max_gap_days}) is below min_gap_days ({self.min_gap_days})",
                "prerequisite", field=("max_gap_days",), label=self.label)])
        return self

    @property
    def label(self) -> str:
        """How messages name a prerequisite, which has no id: ``prerequisite M1.T1->M2.T1``."""
        return f"prerequisite {self.before}->{self.after}"


class TeamRules(Record):
    min_trainers: int = Field(default=2, ge=1)
    max_trainers: int = Field(default=3, ge=1)
    required_organisations: list[str] = Field(
        default_factory=lambda: ["IOM"], description="every team includes one trainer of each"
    )
    mixed_gender: RuleMode = Field(
        default="hard", description="a team of two or more has at least one woman and one man"
    )
    lead_agency: RuleMode = Field(
        default="hard",
        description=("a person of one of the topic's lead agencies on every edition's team; hard is "
                     "softened for a topic that no one of its lead agencies can teach (with a warning)"),
    )
    country_sessions_min: int = Field(
        default=0, ge=0,
        description=("guest sessions each of the problem's countries should give in the horizon, where "
                     "a slot asks for a country's representative (soft)"),
    )

    @model_validator(mode="after")
    def _check(self) -> TeamRules:
        if self.max_trainers < self.min_trainers:
            raise_issues([Issue(
                "out_of_order", f"max_trainers ({self.max_trainers}) is below min_trainers ({self.min_trainers})",
                "team_rules", field=("max_trainers",))])
        return self


class ShareBand(Record):
    """A band for the women's share of a group (trainer-days or participants).

    The share counts women among the people whose gender is known (women, men and another
    identity); undisclosed genders are counted apart and left out of it, never guessed.
    """

    min_share: float | None = Field(default=0.4, ge=0, le=1, description="at least this share of women")
    max_share: float | None = Field(default=0.6, ge=0, le=1, description="at most this share of women")
    mode: RuleMode = Field(default="soft", description="hard: always; soft: a penalty per person short; off")

    def describe(self) -> str:
        """The band in words, e.g. '40-60 %', 'at least 40 %'."""
        lo = None if self.min_share is None else f"{100 * self.min_share:g}"
        hi = None if self.max_share is None else f"{100 * self.max_share:g}"
        if lo is not None and hi is not None:
            return f"{lo}-{hi} %"
        if lo is not None:
            return f"at least {lo} %"
        return f"at most {hi} %" if hi is not None else "no band"


class CountryCap(Record):
    """No country takes more than this share of one edition's seats (in person plus online)."""

    max_share: float = Field(default=0.25, gt=0, le=1)
    mode: RuleMode = "soft"


def _off() -> ShareBand:
    return ShareBand(mode="off")


class Targets(Record):
    """Gender parity targets. Every one is optional: set its mode to off to drop it.

    A woman and a man on every team of two or more stays in ``team_rules.mixed_gender``.
    """

    trainer_days_year: ShareBand = Field(
        default_factory=ShareBand, description="women's share of the horizon's trainer-days"
    )
    trainer_days_module: ShareBand = Field(
        default_factory=_off, description="women's share of each module's trainer-days"
    )
    trainer_days_month: ShareBand = Field(
        default_factory=_off, description="women's share of each month's trainer-days"
    )
    participants_edition: ShareBand = Field(
        default_factory=ShareBand, description="women's share of each edition's participants"
    )
    country_cap_edition: CountryCap = Field(
        default_factory=CountryCap, description="most of one edition's seats one country may take"
    )

    @model_validator(mode="after")
    def _check(self) -> Targets:
        errors = []
        for name in ("trainer_days_year", "trainer_days_module", "trainer_days_month",
                     "participants_edition"):
            band: ShareBand = getattr(self, name)
            if band.min_share is not None and band.max_share is not None and band.max_share < band.min_share:
                errors.append(Issue("out_of_order", f"max_share ({band.max_share}) is below "
                                    f"min_share ({band.min_share})", "targets", field=(name, "max_share"),
                                    label=f"targets {name}"))
        raise_issues(errors)
        return self


# in_person: in person only; in_person_preferred: in person, or online when no in-person seat is
# funded (the soft rule online_instead_of_in_person); online: online only; either: no preference.
NominationMode = Literal["in_person", "in_person_preferred", "online", "either"]
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_days(label: str) -> tuple[date, date] | None:
    """The first and last day of a quarter named as quarterly budgets name it (``2027-Q1``:
    1 January to 31 March 2027); None for a label not of that form."""
    m = QUARTER.match(label)
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    first = date(year, 3 * q - 2, 1)
    return first, (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)


class Nomination(Record):
    """A person nominated for training. Anonymous: an id, never a name."""

    id: str
    gender: Gender = Field(default="undisclosed", description="missing means undisclosed: never guessed")
    country: str = Field(min_length=1)
    audience: str = Field(
        min_length=1, description="target audience, e.g. government, border_police, csos, academia"
    )
    topics: list[str] = Field(description="topics nominated for, in order of preference")
    mode: NominationMode = "either"
    languages: list[str] = Field(
        default_factory=list,
        description="languages they follow a course in; empty: not stated, any course's language",
    )
    unavailable_months: list[str] = Field(default_factory=list, description="YYYY-MM months away")
    completed: list[str] = Field(default_factory=list, description="topics taken before this horizon")

    @model_validator(mode="after")
    def _check(self) -> Nomination:
        errors = []
        if not self.topics:
            errors.append(self._issue("missing", ("topics",), "topics is empty"))
        errors += [self._issue("duplicate", ("topics", i), f"topic '{self.topics[i]}' is listed twice")
                   for i in _twice(self.topics)]
        errors += [
            self._issue("invalid_value", ("unavailable_months", i),
                        f"unavailable month '{m}' is not of the form YYYY-MM")
            for i, m in enumerate(self.unavailable_months)
            if not MONTH.match(m)
        ]
        raise_issues(errors)
        return self

    def _issue(self, kind: IssueKind, field: Path, text: str) -> Issue:
        return Issue(kind, text, "nomination", self.id, field=field)


def _twice(items: list[Any]) -> list[int]:
    """The positions of the items that repeat an earlier one."""
    seen: set[Any] = set()
    out = []
    for i, item in enumerate(items):
        if item in seen:
            out.append(i)
        seen.add(item)
    return out


class Pin(Record):
    """Keep an edition where it is: its start, room and/or team (any subset)."""

    edition: str = Field(description="edition id, e.g. M3.T2#1")
    start: Day | None = None
    room: str | None = None
    mode: Mode | None = Field(default=None, description="the mode it runs in")
    trainers: list[str] | None = Field(default=None, description="the exact team")
    guests: list[GuestSession] | None = Field(default=None, description="the exact guest sessions")
    reason: str = ""


class BaselineEdition(Record):
    """An edition of a published calendar that a re-plan should move as little as possible."""

    edition: str
    start: Day
    room: str | None = None
    mode: Mode | None = Field(default=None, description="the mode it was published in")
    trainers: list[str] = Field(default_factory=list)
    guests: list[GuestSession] = Field(default_factory=list)


class Weights(Record):
    """Points per unit of each soft rule. A weight of 0 switches the rule off."""

    optional_edition_left_out: float = Field(default=500, ge=0, description="per edition, x(1+priority)")
    requests_beyond_seats: float = Field(
        default=10, ge=0, description="per request without a seat in its topic's editions, x preference (3 a first "
        "choice, 2 a second, 1 another) x (1+priority)")
    priority_topic_late: float = Field(default=1, ge=0, description="per working day x priority level")
    busiest_month: float = Field(default=20, ge=0, description="per training day in the busiest month")
    busiest_trainer: float = Field(default=10, ge=0, description="per day of the busiest trainer")
    cost: float = Field(default=1, ge=0, description="per 100 USD of fees and room costs")
    linked_topics_overlap: float = Field(default=30, ge=0, description="per pair of linked editions")
    team_without_mixed_gender: float = Field(default=200, ge=0, description="per team, when soft")
    edition_without_lead_agency: float = Field(
        default=300, ge=0, description="per edition without a person of its topic's lead agencies, when soft"
    )
    guest_slot_empty: float = Field(default=100, ge=0, description="per optional guest slot left empty")
    country_sessions_short: float = Field(
        default=20, ge=0, description="per session a country gives below the team rules' minimum"
    )
    course_shortened: float = Field(default=100, ge=0, description="per day below the topic's maximum")
    team_member_without_standby: float = Field(
        default=0, ge=0, description="per team member without a standby of their organisation and gender kept free "
        "on the course's days (0: off)")
    # Re-planning weights outweigh what one edition's move can gain elsewhere, so that a
    # re-plan changes what the change forces and not what mere re-optimisation would.
    edition_moved: float = Field(default=500, ge=0, description="per baseline edition moved or dropped")
    room_changed: float = Field(default=100, ge=0, description="per baseline edition in another room or mode")
    trainer_changed: float = Field(default=200, ge=0,
                                   description="per trainer taken off, or added to, a baseline team")
    guest_changed: float = Field(
        default=100, ge=0, description="per baseline guest session moved to another day or person"
    )
    trainer_days_off_women_share_year: float = Field(
        default=20, ge=0, description="per trainer-day outside the year's band, when soft"
    )
    trainer_days_off_women_share_module: float = Field(
        default=10, ge=0, description="per trainer-day outside a module's band, when soft"
    )
    trainer_days_off_women_share_month: float = Field(
        default=10, ge=0, description="per trainer-day outside a month's band, when soft"
    )
    nomination_unplaced: float = Field(
        default=100, ge=0, description="per nomination left out, x3 a first choice, x2 a second"
    )
    participants_off_women_share: float = Field(
        default=30, ge=0, description="per participant outside an edition's band, when soft"
    )
    country_over_cap: float = Field(
        default=30, ge=0, description="per participant over a country's cap, when soft"
    )
    edition_under_minimum: float = Field(
        default=200, ge=0, description="per participant an edition lacks of its minimum")
    participant_cost: float = Field(
        default=1, ge=0, description="per 100 USD of in-person participants' fares and allowances"
    )
    online_instead_of_in_person: float = Field(
        default=20, ge=0,
        description="per nominee who prefers to come in person seated online (an in-person seat costing "
                    "less than this many hundred USD is bought when the budget allows)",
    )


# ----------------------------------------------------------------------------- problem


@dataclass(frozen=True)
class TeamNeed:
    """A team must include a trainer of one of ``organisations``; ``rule`` is the hard rule that says so."""

    organisations: tuple[str, ...]
    rule: str
    guests_count: bool = False  # a guest session of one of the organisations meets it too

    def describe(self) -> str:
        """'IOM', or 'a lead agency (UNHCR or OHCHR)'."""
        if self.rule == LEAD_AGENCY_RULE:
            return f"a lead agency ({' or '.join(self.organisations)})"
        return " or ".join(self.organisations)


REQUIRED_ORGANISATION_RULE = "team_covers_required_organisations"
LEAD_AGENCY_RULE = "team_includes_a_lead_agency"


class Edition:
    """One delivery of a topic: the unit the engine schedules. Not an input record."""

    __slots__ = ("durations", "id", "item", "number", "topic")

    def __init__(self, topic: Topic, number: int, item: ProgrammeItem) -> None:
        self.id = edition_id(topic.id, number)
        self.topic = topic
        self.number = number
        self.item = item
        if item.duration_days is not None:
            self.durations = [item.duration_days]
        else:
            self.durations = list(range(topic.duration_min, topic.duration_max + 1))

    @property
    def modes(self) -> tuple[Mode, ...]:
        """The modes it may run in, preferred first (``ProgrammeItem.allowed_modes``)."""
        return self.item.allowed_modes

    @property
    def sometimes_in_a_room(self) -> bool:
        return any(m in ROOM_MODES for m in self.modes)

    @property
    def sometimes_streamed(self) -> bool:
        return any(m in STREAMED_MODES for m in self.modes)

    @property
    def mandatory(self) -> bool:
        return self.number <= self.item.required_editions

    def __repr__(self) -> str:
        return f"Edition({self.id})"


MAX_NAME_LENGTH = 200  # a problem's name heads listings and workbooks


class Problem(Record):
    """Everything the scheduler needs. Validated as a whole: see :func:`problem_errors`."""

    name: str = Field(default="RTCM programme", max_length=MAX_NAME_LENGTH)
    description: str = ""
    calendar: CalendarSpec
    modules: list[Module]
    topics: list[Topic]
    organisations: list[Organisation]
    countries: list[str] = Field(
        default_factory=list,
        description="the countries of the region; when given, every country a record names must be one of them",
    )
    languages: list[str] = Field(
        default_factory=list,
        description="language codes in use; when given, every language a record names must be one of them",
    )
    trainers: list[Trainer]
    venues: list[Venue]
    platform: Platform = Field(default_factory=Platform)
    programme: list[ProgrammeItem]
    prerequisites: list[Prerequisite] = Field(default_factory=list)
    team_rules: TeamRules = Field(default_factory=TeamRules)
    weights: Weights = Field(default_factory=Weights)
    budget_usd: int | None = Field(default=None, ge=0,
                                   description="cap on fees, travel, room costs and interpretation")
    quarterly_budget_usd: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description=("caps by quarter (2027-Q1: ...), besides the yearly budget: everything an edition costs, "
                     "its participants' fares and allowances included, counts in the quarter of its first day"),
    )
    costs: Costs = Field(default_factory=Costs)
    pins: list[Pin] = Field(default_factory=list)
    baseline: list[BaselineEdition] = Field(
        default_factory=list, description="a published calendar to stay close to (re-planning)"
    )
    targets: Targets = Field(default_factory=Targets, description="gender parity targets")
    nominations: list[Nomination] = Field(
        default_factory=list, description="people nominated for training, allocated to editions"
    )
    rollout: Rollout = Field(default_factory=Rollout, description="the programme over one to three years")

    # Pydantic runs a model's after-validators again whenever the validated model is put in another
    # (each ``Schedule(problem=...)``): the records are cross-checked once, at the problem's validation.
    _cross_checked: bool = PrivateAttr(default=False)
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)  # see ``derived``

    @model_validator(mode="after")
    def _cross_check(self) -> Problem:
        if not self._cross_checked:
            raise_issues(problem_errors(self))
            self._cross_checked = True
        return self

    # -- lookups, built once --------------------------------------------------------

    @cached_property
    def topic_by_id(self) -> dict[str, Topic]:
        return {t.id: t for t in self.topics}

    @cached_property
    def trainer_by_id(self) -> dict[str, Trainer]:
        return {t.id: t for t in self.trainers}

    @cached_property
    def organisation_by_id(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def rooms(self) -> list[tuple[Venue, Room]]:
        return [(v, r) for v in self.venues for r in v.rooms]

    @cached_property
    def room_by_id(self) -> dict[str, tuple[Venue, Room]]:
        return {r.id: (v, r) for v, r in self.rooms}

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        return WorkCalendar(self.calendar)

    @cached_property
    def editions(self) -> list[Edition]:
        return [
            Edition(self.topic_by_id[item.topic], n, item)
            for item in self.programme
            for n in range(1, item.editions + 1)
        ]

    @cached_property
    def first_edition(self) -> dict[str, Edition]:
        """Each programme item's first edition, by topic: what its editions share."""
        return {e.topic.id: e for e in reversed(self.editions)}

    @cached_property
    def edition_by_id(self) -> dict[str, Edition]:
        return {e.id: e for e in self.editions}

    def derived(self, key: str, compute: Callable[[Problem], T]) -> T:
        """A fact another module derives from the problem, computed once (``model.participants.topic_requests``)."""
        if key not in self._derived:
            self._derived[key] = compute(self)
        return self._derived[key]  # type: ignore[no-any-return]

    def required_organisations(self, item: ProgrammeItem) -> list[str]:
        if item.required_organisations is not None:
            return item.required_organisations
        return self.team_rules.required_organisations

    def lead_agency_mode(self, item: ProgrammeItem) -> RuleMode:
        """How the lead-agency rule applies to a programme item's editions.

        Off for a topic without lead agencies. Hard is softened to soft for a topic that no
        qualified person of a lead agency can teach in its language (``lead_agency_softened``).
        """
        if not self.topic_by_id[item.topic].lead_agencies:
            return "off"
        mode = self.team_rules.lead_agency
        return "soft" if mode == "hard" and item.topic in self.lead_agency_softened else mode

    @cached_property
    def lead_agency_softened(self) -> dict[str, str]:
        """Topics whose hard lead-agency rule is softened, each with the reason in words."""
        if self.team_rules.lead_agency != "hard":
            return {}
        out = {}
        for item in self.programme:
            topic = self.topic_by_id.get(item.topic)
            if topic is None or not topic.lead_agencies:
                continue
            leads = set(topic.lead_agencies)
            edition = Edition(topic, 1, item)
            people = self.qualified_trainers(edition) + [
                t for slot in item.guest_slots for t in self.guest_candidates(edition, slot)]
            if not any(t.organisation in leads for t in people):
                out[topic.id] = (f"no person of {' or '.join(topic.lead_agencies)} can teach it in "
                                 f"'{item.language}': its lead-agency rule is soft")
        return out

    def team_needs(self, item: ProgrammeItem) -> list[TeamNeed]:
        """What every team of the item's editions must include, by the hard rules."""
        needs = [TeamNeed((o,), REQUIRED_ORGANISATION_RULE) for o in dict.fromkeys(self.required_organisations(item))]
        if self.lead_agency_mode(item) == "hard":
            needs.append(TeamNeed(tuple(self.topic_by_id[item.topic].lead_agencies), LEAD_AGENCY_RULE,
                                  guests_count=True))
        return needs

    def qualified_trainers(self, edition: Edition) -> list[Trainer]:
        """People who may be on the edition's team: qualified for the topic, speaking its language."""
        return [
            t
            for t in self.trainers
            if t.on_teams and t.can_teach(edition.topic) and edition.item.language in t.languages
        ]

    def guest_candidates(self, edition: Edition, slot: GuestSlot) -> list[Trainer]:
        """People who may give a guest slot of the edition: of one of its organisations, giving
        sessions, qualified for the topic, and speaking its language or one it is interpreted into."""
        orgs = set(slot.organisations)
        heard = {edition.item.language, *edition.item.interpretation}
        return [t for t in self.trainers if t.gives_sessions and t.organisation in orgs
                and t.can_teach(edition.topic) and heard & set(t.languages)]

    def guest_slot(self, edition: Edition | str, slot: str) -> GuestSlot | None:
        ed = edition if isinstance(edition, Edition) else self.edition_by_id.get(edition)
        return next((g for g in ed.item.guest_slots if g.id == slot), None) if ed else None

    def room_fits(self, edition: Edition, room: Room, mode: Mode | None = None) -> bool:
        """Whether ``room`` can hold the edition in ``mode`` (None: in any of its modes)."""
        if mode is None:
            return any(self.room_fits(edition, room, m) for m in edition.modes)
        item = edition.item
        if mode == "online":
            return False
        if item.venues:
            held = self.room_by_id.get(room.id)
            if held is None or held[0].id not in item.venues:
                return False
        in_person, online = item.planned_seats(mode)
        if room.seats < in_person or room.interpretation_booths < len(item.interpretation):
            return False
        if mode == "hybrid":
            return room.hybrid and room.online_seats >= online
        return True

    def pinned_modes(self, edition: Edition) -> tuple[Mode, ...]:
        """The modes an edition may run in, narrowed by its pin: its pinned mode, or its room modes
        when its room is pinned."""
        pin = self.pin_by_edition.get(edition.id)
        if pin is not None and pin.mode is not None:
            return (pin.mode,)
        if pin is not None and pin.room is not None:
            return tuple(m for m in edition.modes if m in ROOM_MODES) or edition.modes
        return edition.modes

    def suitable_rooms(self, edition: Edition, mode: Mode | None = None) -> list[tuple[Venue, Room]]:
        """The rooms that can hold the edition in ``mode`` (None: in any of its modes)."""
        return [(v, r) for v, r in self.rooms if self.room_fits(edition, r, mode)]

    @cached_property
    def pin_by_edition(self) -> dict[str, Pin]:
        return {p.edition: p for p in self.pins}

    @cached_property
    def baseline_by_edition(self) -> dict[str, BaselineEdition]:
        return {b.edition: b for b in self.baseline}

    @cached_property
    def nomination_by_id(self) -> dict[str, Nomination]:
        return {n.id: n for n in self.nominations}

    @cached_property
    def linked_pairs(self) -> list[tuple[str, str]]:
        """Related topic pairs (undirected, both in the programme), sorted."""
        planned = {i.topic for i in self.programme}
        pairs = {
            tuple(sorted((t.id, other)))
            for t in self.topics
            for other in t.links
            if t.id in planned and other in planned and other != t.id
        }
        return sorted(pairs)  # type: ignore[arg-type]

    def __str__(self) -> str:
        cal = self.work_calendar
        mandatory = sum(1 for e in self.editions if e.mandatory)
        lines = [
            f"Problem '{self.name}'",
            f"  horizon      {self.calendar.start} .. {self.calendar.end}"
            f" ({len(cal)} working days)",
            f"  catalogue    {len(self.modules)} modules, {len(self.topics)} topics",
            f"  programme    {len(self.editions)} editions ({mandatory} mandatory)",
            f"  trainers     {len(self.trainers)} from {len(self.organisations)} organisations",
            f"  rooms        {len(self.rooms)} in {len(self.venues)} venues",
            f"  prerequisites {len(self.prerequisites)}",
        ]
        if self.nominations:
            lines.append(f"  nominations  {len(self.nominations)} people, "
                         f"{sum(len(n.topics) for n in self.nominations)} topic requests")
        return "\n".join(lines)


def _issue(kind: IssueKind, at: Path, record: str, ident: str | None, field: Path, text: str,
           label: str | None = None) -> Issue:
    """An issue of the record at ``at`` in the problem (its position stands in for a missing id)."""
    index = at[-1] if ident is None and isinstance(at[-1], int) else None
    return Issue(kind, text, record, ident, index, field, at, label)


def _duplicates(record: str, found: list[tuple[Path, str]], field: str, named: str | None = None) -> list[Issue]:
    """An issue for every record whose id (``field``) an earlier one already has.

    ``named`` words the record in the message when its type alone would not say which id is
    meant ("programme item for topic").
    """
    seen: set[str] = set()
    out = []
    for at, ident in found:
        if ident in seen:
            out.append(_issue("duplicate", at, record, ident, (field,), "id is used twice",
                              f"{named} {ident}" if named else None))
        seen.add(ident)
    return out


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a directed graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in edges.get(n, []):
            if state.get(m) == 1:
                return [*stack[stack.index(m):], m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def problem_errors(p: Problem) -> list[Issue]:
    """Every cross-reference and capacity issue of a problem, each at its record and field."""
    errors: list[Issue] = []
    topic_ids = [t.id for t in p.topics]
    room_places = [(("venues", v, "rooms", r), room) for v, venue in enumerate(p.venues)
                   for r, room in enumerate(venue.rooms)]
    errors += _duplicates("topic", [(("topics", i), t.id) for i, t in enumerate(p.topics)], "id")
    errors += _duplicates("trainer", [(("trainers", i), t.id) for i, t in enumerate(p.trainers)], "id")
    errors += _duplicates("organisation", [(("organisations", i), o.id) for i, o in enumerate(p.organisations)],
                          "id")
    errors += _duplicates("venue", [(("venues", i), v.id) for i, v in enumerate(p.venues)], "id")
    errors += _duplicates("room", [(at, r.id) for at, r in room_places], "id")
    errors += _duplicates("programme", [(("programme", i), item.topic) for i, item in enumerate(p.programme)],
                          "topic", "programme item for topic")
    topics = set(topic_ids)
    modules = {m.number for m in p.modules}
    orgs = {o.id for o in p.organisations}

    for i, t in enumerate(p.topics):
        at = ("topics", i)
        if t.module not in modules:
            errors.append(_issue("unknown_reference", at, "topic", t.id, ("module",),
                                 f"module {t.module} is not in the catalogue"))
        for j, o in enumerate(t.resource_organisations):
            if o not in orgs:
                errors.append(_issue("unknown_reference", at, "topic", t.id, ("resource_organisations", j),
                                     f"resource organisation '{o}' is unknown"))
        for j, o in enumerate(t.lead_agencies):
            if o not in orgs:
                errors.append(_issue("unknown_reference", at, "topic", t.id, ("lead_agencies", j),
                                     f"lead agency '{o}' is unknown"))
        for j, link in enumerate(t.links):
            if link not in topics:
                errors.append(_issue("unknown_reference", at, "topic", t.id, ("links", j),
                                     f"linked topic '{link}' is unknown"))
    for i, m in enumerate(p.modules):
        for j, c in enumerate(m.connected_modules):
            if c not in modules:
                errors.append(_issue("unknown_reference", ("modules", i), "module", str(m.number),
                                     ("connected_modules", j), f"connected module {c} is unknown"))

    countries = set(p.countries)
    errors += [_issue("duplicate", ("countries", i), "country", p.countries[i], (), "is listed twice")
               for i in _twice(p.countries)]
    for i, tr in enumerate(p.trainers):
        at = ("trainers", i)
        if tr.organisation not in orgs:
            errors.append(_issue("unknown_reference", at, "trainer", tr.id, ("organisation",),
                                 f"organisation '{tr.organisation}' is unknown"))
        if countries and tr.country is not None and tr.country not in countries:
            errors.append(_issue("unknown_reference", at, "trainer", tr.id, ("country",),
                                 f"country '{tr.country}' is not among the problem's countries"))
        for j, tid in enumerate(tr.topics):
            if tid not in topics:
                errors.append(_issue("unknown_reference", at, "trainer", tr.id, ("topics", j),
                                     f"topic '{tid}' is unknown"))
        for j, mod in enumerate(tr.modules):
            if mod not in modules:
                errors.append(_issue("unknown_reference", at, "trainer", tr.id, ("modules", j),
                                     f"module {mod} is unknown"))

    for j, o in enumerate(p.team_rules.required_organisations):
        if o not in orgs:
            errors.append(_issue("unknown_reference", ("team_rules",), "team_rules", None,
                                 ("required_organisations", j), f"required organisation '{o}' is unknown"))

    for i, item in enumerate(p.programme):
        errors += _programme_item_errors(p, ("programme", i), item, orgs)

    editions = {edition_id(i.topic, n) for i in p.programme for n in range(1, i.editions + 1)}
    trainers = {t.id for t in p.trainers}
    room_ids = {r.id for _, r in p.rooms}
    errors += _duplicates("pin", [(("pins", i), pin.edition) for i, pin in enumerate(p.pins)], "edition",
                          "pin for edition")
    for i, pin in enumerate(p.pins):
        errors += _kept_edition_errors(p, ("pins", i), "pin", pin, editions, trainers, room_ids)
    for i, old in enumerate(p.baseline):
        errors += _kept_edition_errors(p, ("baseline", i), "baseline_edition", old, editions, trainers, room_ids)

    edges: dict[str, list[str]] = {}
    for i, pr in enumerate(p.prerequisites):
        at = ("prerequisites", i)
        for field_name, tid in (("before", pr.before), ("after", pr.after)):
            if tid not in topics:
                errors.append(_issue("unknown_reference", at, "prerequisite", None, (field_name,),
                                     f"{field_name} topic '{tid}' is unknown", pr.label))
        if pr.before == pr.after:  # a cycle of one, said in its own words
            errors.append(_issue("cycle", at, "prerequisite", None, ("after",), "a topic cannot precede itself",
                                 pr.label))
        else:
            edges.setdefault(pr.before, []).append(pr.after)
    cycle = _find_cycle(edges)
    if cycle:
        # The cycle sits on its first prerequisite.
        first = next(i for i, pr in enumerate(p.prerequisites) if (pr.before, pr.after) == (cycle[0], cycle[1]))
        errors.append(_issue("cycle", ("prerequisites", first), "prerequisite", None, (),
                             "cycle " + " -> ".join(cycle), "prerequisites"))
    errors += _nomination_errors(p, topics)
    errors += _rollout_errors(p, topics)
    errors += _language_errors(p)
    errors += _quarterly_budget_errors(p)
    return errors


def _quarterly_budget_errors(p: Problem) -> list[Issue]:
    """Each quarterly cap's quarter: of the form 2027-Q1, with a day in the horizon (pydantic checks
    each amount, at least 0, as it checks the fares)."""
    errors = []
    cal = p.calendar

    def add(kind: IssueKind, label: str, text: str) -> None:
        errors.append(_issue(kind, ("quarterly_budget_usd", label), "quarterly_budget", label, (), text,
                             f"quarterly budget {label}"))

    for label in p.quarterly_budget_usd:
        days = quarter_days(label)
        if days is None:
            add("invalid_value", label, "the quarter is not of the form YYYY-Qn, e.g. 2027-Q1")
        elif days[1] < cal.start or days[0] > cal.end:
            add("out_of_range", label, f"the quarter ({days[0]} to {days[1]}) is outside the horizon "
                                       f"({cal.start} to {cal.end})")
    return errors


def _language_errors(p: Problem) -> list[Issue]:
    """Every language a record names, against the problem's languages when it declares them."""
    if not p.languages:
        return []
    known = set(p.languages)
    errors = [_issue("duplicate", ("languages", i), "language", p.languages[i], (), "is listed twice")
              for i in _twice(p.languages)]

    def unknown(at: Path, record: str, ident: str, field: Path, code: str) -> None:
        if code not in known:
            errors.append(_issue("unknown_reference", at, record, ident, field,
                                 f"language '{code}' is not among the problem's languages"))

    for i, tr in enumerate(p.trainers):
        for j, code in enumerate(tr.languages):
            unknown(("trainers", i), "trainer", tr.id, ("languages", j), code)
    for i, item in enumerate(p.programme):
        unknown(("programme", i), "programme", item.topic, ("language",), item.language)
        for j, code in enumerate(item.interpretation):
            unknown(("programme", i), "programme", item.topic, ("interpretation", j), code)
    for i, n in enumerate(p.nominations):
        for j, code in enumerate(n.languages):
            unknown(("nominations", i), "nomination", n.id, ("languages", j), code)
    return errors


def _programme_item_errors(p: Problem, at: Path, item: ProgrammeItem, orgs: set[str]) -> list[Issue]:
    errors: list[Issue] = []

    def add(kind: IssueKind, field: str | Path, text: str) -> None:
        errors.append(_issue(kind, at, "programme", item.topic, (field,) if isinstance(field, str) else field,
                             text))

    topic = p.topic_by_id.get(item.topic)
    if topic is None:
        add("unknown_reference", "topic", "topic is not in the catalogue")
        return errors
    cal = p.calendar
    if item.duration_days is not None and not topic.duration_min <= item.duration_days <= topic.duration_max:
        add("out_of_range", "duration_days", f"duration_days ({item.duration_days}) is outside the topic's "
                                             f"range {topic.duration_min}-{topic.duration_max}")
    for j, mode in enumerate(item.modes or [item.mode]):
        if mode not in topic.modes:
            add("conflict", ("modes", j) if item.modes else "mode",
                f"mode '{mode}' is not offered for this topic ({', '.join(topic.modes)})")
    for j, o in enumerate(item.required_organisations or []):
        if o not in orgs:
            add("unknown_reference", ("required_organisations", j), f"required organisation '{o}' is unknown")
    venues = {v.id for v in p.venues}
    for j, v in enumerate(item.venues):
        if v not in venues:
            add("unknown_reference", ("venues", j), f"venue '{v}' is unknown")
    for j, slot in enumerate(item.guest_slots):
        for k, o in enumerate(slot.organisations):
            if o not in orgs:
                add("unknown_reference", ("guest_slots", j, "organisations", k),
                    f"guest slot '{slot.id}': organisation '{o}' is unknown")
    if item.earliest_start and item.earliest_start > cal.end:
        add("out_of_range", "earliest_start", f"earliest_start ({item.earliest_start}) is after the horizon ends")
    if item.latest_end and item.latest_end < cal.start:
        add("out_of_range", "latest_end", f"latest_end ({item.latest_end}) is before the horizon starts")
    # Each mode it may run in is checked; it is an error only when none can be held. What stops
    # every mode is said once; what stops one, with its mode.
    held = {m: _mode_errors(p, topic, item, m) for m in item.allowed_modes}
    if all(held.values()):
        common = set.intersection(*(set(errs) for errs in held.values()))
        said = {(kind, field, text if (kind, field, text) in common else f"{mode.replace('_', ' ')}: {text}"): None
                for mode, errs in held.items() for kind, field, text in errs}
        for kind, field, text in said:
            add(kind, field, text)
    qualified = [tr for tr in p.trainers if tr.on_teams and tr.can_teach(topic)]
    if not any(item.language in tr.languages for tr in qualified):
        # Nobody qualified at all is about the topic; qualified trainers who lack the language, the language.
        add("no_resource", "language" if qualified else "topic",
            f"no trainer can teach {topic.id} in '{item.language}'")
    return errors


def _mode_errors(p: Problem, topic: Topic, item: ProgrammeItem, mode: Mode) -> list[tuple[IssueKind, str, str]]:
    """Why the item's editions cannot run in ``mode``: rooms, booths, the platform (empty: they can)."""
    errors: list[tuple[IssueKind, str, str]] = []
    in_person, online = item.planned_seats(mode)
    many = len(item.allowed_modes) > 1
    rooms = [r for v, r in p.rooms if not item.venues or v.id in item.venues]
    if mode in ROOM_MODES and rooms:
        largest = max(r.seats for r in rooms)
        if in_person > largest:
            errors.append(("no_resource", "participants_in_person",
                           f"{in_person} in-person participants exceed the largest room ({largest} seats)"))
        elif mode == "hybrid" and not any(r.hybrid and r.seats >= in_person and r.online_seats >= online
                                          for r in rooms):
            errors.append(("no_resource", "participants_in_person",
                           f"no hybrid-equipped room has {in_person} seats and {online} online seats"))
    booths = len(item.interpretation)
    seated = [r for r in rooms if r.seats >= in_person and (
        mode != "hybrid" or (r.hybrid and r.online_seats >= online))]
    if mode in ROOM_MODES and booths and seated and not any(
            p.room_fits(Edition(topic, 1, item), r, mode) for r in seated):
        errors.append(("no_resource", "interpretation",
                       f"no room that fits it has booths for {booths} language(s) of interpretation"))
    if mode in STREAMED_MODES and booths > p.platform.interpretation_channels:
        errors.append(("no_resource", "interpretation",
                       f"interpretation into {booths} language(s) online; the platform carries "
                       f"{p.platform.interpretation_channels} channel(s) besides the course's"))
    if mode == "online" and online > p.platform.online_seats_per_stream and not many:
        errors.append(("no_resource", "participants_online",
                       f"{online} online participants exceed the platform's "
                       f"{p.platform.online_seats_per_stream} seats per stream"))
    if mode in STREAMED_MODES and p.platform.max_concurrent_streams == 0:
        errors.append(("no_resource", "mode", f"a {mode} course needs the platform, which allows 0 streams"))
    return errors


def _kept_edition_errors(p: Problem, at: Path, record: str, rec: Pin | BaselineEdition, editions: set[str],
                         trainers: set[str], room_ids: set[str]) -> list[Issue]:
    """A pin's or a baseline edition's references: its edition, room and trainers, and its start."""
    errors = []
    if rec.edition not in editions:
        errors.append(_issue("unknown_reference", at, record, rec.edition, ("edition",),
                             "edition is not in the programme"))
    if rec.room is not None and rec.room not in room_ids:
        errors.append(_issue("unknown_reference", at, record, rec.edition, ("room",), f"room '{rec.room}' is unknown"))
    modes = {item.topic: item.allowed_modes for item in p.programme}
    allowed = modes.get(rec.edition.split("#")[0])
    if isinstance(rec, Pin) and rec.room is not None and (allowed == ("online",) or rec.mode == "online"):
        errors.append(_issue("conflict", at, record, rec.edition, ("room",),
                             f"room '{rec.room}' is pinned on an online edition, which has no room"))
    if isinstance(rec, Pin) and rec.mode is not None and allowed is not None and rec.mode not in allowed:
        errors.append(_issue("conflict", at, record, rec.edition, ("mode",),
                             f"mode '{rec.mode}' is not among the edition's modes ({', '.join(allowed)})"))
    for j, trainer_id in enumerate(rec.trainers or []):
        if trainer_id not in trainers:
            errors.append(_issue("unknown_reference", at, record, rec.edition, ("trainers", j),
                                 f"trainer '{trainer_id}' is unknown"))
    if rec.start is not None and not p.calendar.start <= rec.start <= p.calendar.end:
        errors.append(_issue("out_of_range", at, record, rec.edition, ("start",),
                             f"start {rec.start} is outside the horizon"))
    # The programme item by its topic: the editions are not built while a topic may be unknown.
    item = next((i for i in p.programme if i.topic == rec.edition.split("#")[0]), None)
    slots = {s.id for s in item.guest_slots} if item is not None and rec.edition in editions else None
    for j, g in enumerate(rec.guests or []):
        if slots is not None and g.slot not in slots:
            errors.append(_issue("unknown_reference", at, record, rec.edition, ("guests", j, "slot"),
                                 f"guest slot '{g.slot}' is not in its programme item"))
        if g.person not in trainers:
            errors.append(_issue("unknown_reference", at, record, rec.edition, ("guests", j, "person"),
                                 f"guest '{g.person}' is unknown"))
    return errors


def _rollout_errors(p: Problem, topics: set[str]) -> list[Issue]:
    r = p.rollout
    errors = _duplicates("theme", [(("rollout", "themes", i), t.id) for i, t in enumerate(r.themes)], "id")
    span = (p.calendar.end - p.calendar.start).days + 1
    if r.years > 1 and span > 366:
        errors.append(_issue("out_of_range", ("rollout",), "rollout", None, ("years",),
                             f"a rollout of {r.years} years plans the years after the horizon, which must be "
                             f"a year at most; this one spans {span} days"))
    for j, tid in enumerate(r.dropped):
        if tid not in topics:
            errors.append(_issue("unknown_reference", ("rollout",), "rollout", None, ("dropped", j),
                                 f"dropped topic '{tid}' is unknown"))
    dropped = set(r.dropped)
    for i, theme in enumerate(r.themes):
        at = ("rollout", "themes", i)
        if theme.by_year > r.years:
            errors.append(_issue("out_of_range", at, "theme", theme.id, ("by_year",),
                                 f"is due by year {theme.by_year} of a rollout of {r.years} year(s)"))
        for j, tid in enumerate(theme.topics):
            if tid not in topics:
                errors.append(_issue("unknown_reference", at, "theme", theme.id, ("topics", j),
                                     f"topic '{tid}' is unknown"))
            elif tid in dropped:
                errors.append(_issue("conflict", at, "theme", theme.id, ("topics", j),
                                     f"topic '{tid}' is dropped from the rollout but due with the theme"))
    return errors


def _nomination_errors(p: Problem, topics: set[str]) -> list[Issue]:
    errors = _duplicates("nomination", [(("nominations", i), n.id) for i, n in enumerate(p.nominations)], "id")
    countries = set(p.countries)
    for i, n in enumerate(p.nominations):
        at = ("nominations", i)
        if countries and n.country not in countries:
            errors.append(_issue("unknown_reference", at, "nomination", n.id, ("country",),
                                 f"country '{n.country}' is not among the problem's countries"))
        for j, tid in enumerate(n.topics):
            if tid not in topics:
                errors.append(_issue("unknown_reference", at, "nomination", n.id, ("topics", j),
                                     f"topic '{tid}' is unknown"))
        for j, tid in enumerate(n.completed):
            if tid not in topics:
                errors.append(_issue("unknown_reference", at, "nomination", n.id, ("completed", j),
                                     f"completed topic '{tid}' is unknown"))
    fares = p.costs.participant_fares_usd
    if fares:
        missing: dict[str, list[str]] = {}
        for n in p.nominations:
            if n.mode != "online" and n.country not in fares:
                missing.setdefault(n.country, []).append(n.id)
        for country, ids in sorted(missing.items()):
            more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
            errors.append(_issue("missing", ("costs",), "costs", None, ("participant_fares_usd", country),
                                 f"no fare from '{country}' for its nominees who may sit in person "
                                 f"({', '.join(ids[:3])}{more})"))
        for country in sorted(set(fares) - countries) if countries else []:
            errors.append(_issue("unknown_reference", ("costs",), "costs", None, ("participant_fares_usd", country),
                                 f"country '{country}' is not among the problem's countries"))
    return errors
