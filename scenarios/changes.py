"""What-if changes in planner terms, each applied to a problem's data.

A change edits the problem as plain data (``Problem.model_dump(mode="json")``); the
result is validated again as a whole, so a scenario can never produce a problem that
ordinary input could not. References (trainer, organisation, room, venue, topic) are
checked here first, so that an error names the change, not the problem.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from model.participants import enrol_in_prerequisites
from model.problem import Mode, RuleMode, Weights

Data = dict[str, Any]


class ChangeError(ValueError):
    """A change that cannot apply to the base problem (an unknown record, say)."""


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def apply(self, data: Data) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        raise NotImplementedError


class _Period(Change):
    start: date
    end: date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        if self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        return self

    def period(self) -> Data:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "reason": self.reason}

    def when(self) -> str:
        return f"{self.start} to {self.end}"


def _trainer(data: Data, tid: str) -> Data:
    for t in data["trainers"]:
        if t["id"] == tid:
            return t  # type: ignore[no-any-return]
    raise ChangeError(f"trainer '{tid}' is unknown")


def _org_trainers(data: Data, org: str) -> list[Data]:
    if org not in {o["id"] for o in data["organisations"]}:
        raise ChangeError(f"organisation '{org}' is unknown")
    return [t for t in data["trainers"] if t["organisation"] == org]


def _room(data: Data, rid: str) -> Data:
    for v in data["venues"]:
        for r in v["rooms"]:
            if r["id"] == rid:
                return r  # type: ignore[no-any-return]
    raise ChangeError(f"room '{rid}' is unknown")


def _venue(data: Data, vid: str) -> Data:
    for v in data["venues"]:
        if v["id"] == vid:
            return v  # type: ignore[no-any-return]
    raise ChangeError(f"venue '{vid}' is unknown")


def _topics(data: Data, topics: list[str], module: int | None) -> list[str]:
    known = [t["id"] for t in data["topics"]]
    for t in topics:
        if t not in known:
            raise ChangeError(f"topic '{t}' is unknown")
    if module is not None:
        chosen = [t["id"] for t in data["topics"] if t["module"] == module]
        if not chosen:
            raise ChangeError(f"module {module} has no topics")
        return topics + [t for t in chosen if t not in topics]
    if not topics:
        raise ChangeError("name topics or a module")
    return topics


def _drop_trainers(data: Data, gone: set[str]) -> None:
    data["trainers"] = [t for t in data["trainers"] if t["id"] not in gone]
    for b in data.get("baseline", []):
        b["trainers"] = [t for t in b["trainers"] if t not in gone]
        b["guests"] = [g for g in b.get("guests", []) if g["person"] not in gone]
    data["pins"] = [p for p in data.get("pins", [])
                    if not (set(p.get("trainers") or []) | {g["person"] for g in p.get("guests") or []}) & gone]


class TrainerUnavailable(_Period):
    type: Literal["trainer_unavailable"]
    trainer: str

    def apply(self, data: Data) -> None:
        _trainer(data, self.trainer).setdefault("unavailable", []).append(self.period())

    def describe(self) -> str:
        return f"trainer {self.trainer} unavailable {self.when()}"


class OrganisationUnavailable(_Period):
    type: Literal["organisation_unavailable"]
    organisation: str

    def apply(self, data: Data) -> None:
        for t in _org_trainers(data, self.organisation):
            t.setdefault("unavailable", []).append(self.period())

    def describe(self) -> str:
        return f"every {self.organisation} trainer unavailable {self.when()}"


class TrainerRemoved(Change):
    type: Literal["trainer_removed"]
    trainer: str

    def apply(self, data: Data) -> None:
        _trainer(data, self.trainer)
        _drop_trainers(data, {self.trainer})

    def describe(self) -> str:
        return f"trainer {self.trainer} removed"


class OrganisationRemoved(Change):
    type: Literal["organisation_removed"]
    organisation: str

    def apply(self, data: Data) -> None:
        _drop_trainers(data, {t["id"] for t in _org_trainers(data, self.organisation)})

    def describe(self) -> str:
        return f"every {self.organisation} trainer removed"


class RoomClosed(_Period):
    type: Literal["room_closed"]
    room: str

    def apply(self, data: Data) -> None:
        _room(data, self.room).setdefault("closures", []).append(self.period())

    def describe(self) -> str:
        return f"room {self.room} closed {self.when()}"


class VenueClosed(_Period):
    type: Literal["venue_closed"]
    venue: str

    def apply(self, data: Data) -> None:
        _venue(data, self.venue).setdefault("closures", []).append(self.period())

    def describe(self) -> str:
        return f"venue {self.venue} closed {self.when()}"


class EditionsAdded(Change):
    """More editions of some topics (of a whole module with ``module``)."""

    type: Literal["editions_added"]
    topics: list[str] = Field(default_factory=list)
    module: int | None = None
    editions: int = Field(default=1, ge=1, description="editions added to each topic")
    mandatory: bool = True
    mode: Mode | None = Field(default=None, description="for topics not yet in the programme; "
                                                        "None: any of the topic's modes")

    def apply(self, data: Data) -> None:
        items = {i["topic"]: i for i in data["programme"]}
        for tid in _topics(data, self.topics, self.module):
            if tid in items:
                item = items[tid]
                before = item.get("editions", 1)
                required = item.get("min_editions")
                if required is None:
                    required = before if item.get("mandatory", True) else 0
                item["editions"] = before + self.editions
                item["min_editions"] = required + (self.editions if self.mandatory else 0)
            else:
                topic = next(t for t in data["topics"] if t["id"] == tid)
                # Without a mode, its editions may run in any of the topic's, the first preferred.
                modes = [self.mode] if self.mode else topic.get("modes", ["hybrid", "in_person"])
                item = {"topic": tid, "editions": self.editions, "mode": modes[0],
                        "modes": modes if len(modes) > 1 else [],
                        "duration_days": topic["duration_max"], "mandatory": self.mandatory}
                if modes == ["online"]:
                    item.update(participants_in_person=0, participants_online=30)
                data["programme"].append(item)

    def describe(self) -> str:
        what = f"module {self.module}" if self.module is not None else ", ".join(self.topics)
        return f"{self.editions} more edition(s) of {what}"


class EditionsRemoved(Change):
    type: Literal["editions_removed"]
    topics: list[str] = Field(default_factory=list)
    module: int | None = None
    editions: int | None = Field(default=None, ge=1, description="how many to remove; all if omitted")

    def apply(self, data: Data) -> None:
        chosen = set(_topics(data, self.topics, self.module))
        keep = []
        for item in data["programme"]:
            if item["topic"] in chosen and self.editions is not None and item.get("editions", 1) > self.editions:
                item["editions"] = item.get("editions", 1) - self.editions
                if item.get("min_editions") is not None:
                    item["min_editions"] = min(item["min_editions"], item["editions"])
            elif item["topic"] in chosen:
                continue
            keep.append(item)
        data["programme"] = keep
        counts = {i["topic"]: i.get("editions", 1) for i in keep}

        def exists(edition: str) -> bool:
            topic, number = edition.split("#")
            return int(number) <= counts.get(topic, 0)

        data["pins"] = [p for p in data.get("pins", []) if exists(p["edition"])]
        data["baseline"] = [b for b in data.get("baseline", []) if exists(b["edition"])]

    def describe(self) -> str:
        what = f"module {self.module}" if self.module is not None else ", ".join(self.topics)
        return f"{'all' if self.editions is None else self.editions} edition(s) of {what} removed"


class WeightChanged(Change):
    type: Literal["weight_changed"]
    weight: str
    value: float = Field(ge=0)

    @model_validator(mode="after")
    def _known(self) -> WeightChanged:
        if self.weight not in Weights.model_fields:
            raise ValueError(f"weight '{self.weight}' is not one of {', '.join(Weights.model_fields)}")
        return self

    def apply(self, data: Data) -> None:
        data.setdefault("weights", {})[self.weight] = self.value

    def describe(self) -> str:
        return f"weight {self.weight} set to {self.value:g}"


class HorizonChanged(Change):
    type: Literal["horizon_changed"]
    start: date | None = None
    end: date | None = None

    def apply(self, data: Data) -> None:
        if self.start:
            data["calendar"]["start"] = self.start.isoformat()
        if self.end:
            data["calendar"]["end"] = self.end.isoformat()

    def describe(self) -> str:
        return f"horizon {self.start or 'as it was'} to {self.end or 'as it was'}"


class StreamLimitChanged(Change):
    type: Literal["stream_limit_changed"]
    streams: int = Field(ge=0)

    def apply(self, data: Data) -> None:
        data.setdefault("platform", {})["max_concurrent_streams"] = self.streams

    def describe(self) -> str:
        return f"platform carries {self.streams} concurrent stream(s)"


class BudgetCapSet(Change):
    """A new budget: ``usd`` (null removes the cap), or the base's budget cut by the share ``cut``
    (its quarterly caps too); ``quarters`` sets quarterly caps (null removes one), leaving the
    yearly budget as it is unless ``usd`` is given too."""

    type: Literal["budget_cap"]
    usd: int | None = Field(default=None, ge=0, description="null removes the cap")
    cut: float | None = Field(default=None, gt=0, lt=1,
                              description="share of the base's budget and quarterly caps cut, e.g. 0.3")
    quarters: dict[str, Annotated[int, Field(ge=0)] | None] = Field(
        default_factory=dict, description="quarterly caps to set, e.g. {2027-Q1: 150000}; null removes one")

    @model_validator(mode="after")
    def _one_of(self) -> BudgetCapSet:
        if self.cut is not None and (self.usd is not None or self.quarters):
            raise ValueError("give usd and quarters, or cut, not both")
        return self

    def apply(self, data: Data) -> None:
        caps = data.get("quarterly_budget_usd") or {}
        if self.cut is not None:
            if data.get("budget_usd") is None and not caps:
                raise ChangeError("a budget cut needs a budget in the base problem (budget_usd or "
                                  "quarterly_budget_usd)")
            if data.get("budget_usd") is not None:
                data["budget_usd"] = round(int(data["budget_usd"]) * (1 - self.cut))
            data["quarterly_budget_usd"] = {q: round(int(usd) * (1 - self.cut)) for q, usd in caps.items()}
            return
        if "usd" in self.model_fields_set or not self.quarters:
            data["budget_usd"] = self.usd
        for q, usd in self.quarters.items():
            caps.pop(q, None)
            if usd is not None:
                caps[q] = usd
        data["quarterly_budget_usd"] = caps

    def describe(self) -> str:
        if self.cut is not None:
            return f"budget cut by {100 * self.cut:g} %"
        parts = []
        if "usd" in self.model_fields_set or not self.quarters:
            parts.append("no budget cap" if self.usd is None else f"budget capped at {self.usd:,} USD")
        parts += [f"no cap in {q}" if usd is None else f"{q} capped at {usd:,} USD"
                  for q, usd in sorted(self.quarters.items())]
        return ", ".join(parts)


class TeamRuleChanged(Change):
    type: Literal["team_rule_changed"]
    min_trainers: int | None = Field(default=None, ge=1)
    max_trainers: int | None = Field(default=None, ge=1)
    required_organisations: list[str] | None = None
    mixed_gender: RuleMode | None = None
    lead_agency: RuleMode | None = None

    def apply(self, data: Data) -> None:
        rules = data.setdefault("team_rules", {})
        rules.update(self.model_dump(exclude={"type"}, exclude_none=True))

    def describe(self) -> str:
        return "team rules: " + ", ".join(
            f"{k} {v}" for k, v in self.model_dump(exclude={"type"}, exclude_none=True).items()
        )


class TargetChanged(Change):
    """A parity or other target changed: fields merged into the problem's ``targets``."""

    type: Literal["target_changed"]
    targets: dict[str, Any]

    def apply(self, data: Data) -> None:
        merged = data.setdefault("targets", {})
        for key, value in self.targets.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value

    def describe(self) -> str:
        return "targets: " + ", ".join(f"{k} {v}" for k, v in self.targets.items())


class _Courses(Change):
    """A change to some courses: named topics, a module's, or every course of the programme."""

    topics: list[str] = Field(default_factory=list)
    module: int | None = None
    everything: bool = Field(default=False, description="every course of the programme")

    def chosen(self, data: Data) -> set[str]:
        return ({i["topic"] for i in data["programme"]} if self.everything
                else set(_topics(data, self.topics, self.module)))

    def courses(self) -> str:
        return ("every course" if self.everything
                else f"module {self.module}" if self.module is not None else ", ".join(self.topics))


class ModeChanged(_Courses):
    """Courses moved to another mode (all online in a health emergency, say).

    The topics' formats widen to the mode where the catalogue lacks it. A course that could run in
    several modes runs in this one alone, and a pin keeps no other. Moved online, a course's
    in-person participants join its online ones (up to the platform's seats per stream), its
    nominees who asked to come in person follow online (their wish becomes "either"), and a
    pinned room is let go; moved in person, its online participants have no seat.
    """

    type: Literal["mode_changed"]
    mode: Mode

    def apply(self, data: Data) -> None:
        chosen = self.chosen(data)
        seats = data.get("platform", {}).get("online_seats_per_stream", 100)
        for topic in data["topics"]:
            if topic["id"] in chosen and self.mode not in topic.get("modes", ["hybrid", "in_person"]):
                topic["modes"] = [*topic.get("modes", ["hybrid", "in_person"]), self.mode]
        for item in data["programme"]:
            if item["topic"] not in chosen:
                continue
            item["mode"] = self.mode
            item["modes"] = []  # the change forces the one mode
            if self.mode == "online":
                online = item.get("participants_online", 0) + item.get("participants_in_person", 20)
                item.update(participants_in_person=0, participants_online=min(online, seats))
            elif self.mode == "in_person":
                item["participants_online"] = 0
        for pin in data.get("pins", []):
            if pin["edition"].split("#")[0] in chosen:
                if pin.get("mode") not in (None, self.mode):
                    pin["mode"] = None
                if self.mode == "online":
                    pin["room"] = None
        if self.mode == "online":
            # Its nominees who asked to come in person follow online, or not at all.
            for n in data.get("nominations", []):
                if n.get("mode") == "in_person" and chosen & set(n.get("topics", [])):
                    n["mode"] = "either"

    def describe(self) -> str:
        return f"{self.courses()} {self.mode.replace('_', ' ')}"


class ModesAllowed(_Courses):
    """Courses free to run in any of several modes: the solver chooses each edition's mode, the
    programme's own preferred (a platform short of streams, say, sends some courses to a room in
    person). ``modes`` defaults to the catalogue's modes of each topic; a mode the catalogue does
    not offer for a topic is refused."""

    type: Literal["modes_allowed"]
    modes: list[Mode] = Field(default_factory=list, description="empty: each topic's catalogue modes")

    def apply(self, data: Data) -> None:
        chosen = self.chosen(data)
        offered = {t["id"]: t.get("modes", ["hybrid", "in_person"]) for t in data["topics"]}
        for item in data["programme"]:
            topic = item["topic"]
            if topic not in chosen:
                continue
            modes = self.modes or offered[topic]
            lacking = [m for m in modes if m not in offered[topic]]
            if lacking:
                raise ChangeError(f"topic '{topic}' is not offered {', '.join(m.replace('_', ' ') for m in lacking)}")
            first = item.get("mode") if item.get("mode") in modes else modes[0]
            item["mode"] = first
            item["modes"] = [first, *(m for m in modes if m != first)]

    def describe(self) -> str:
        how = " or ".join(m.replace("_", " ") for m in self.modes) if self.modes else "any of its modes"
        return f"{self.courses()} may run {how}"


class NominationsWithdrawn(Change):
    """A country withdraws its nominees (the risk of a country's interest waning)."""

    type: Literal["nominations_withdrawn"]
    countries: list[str] = Field(min_length=1)

    def apply(self, data: Data) -> None:
        present = {n["country"] for n in data.get("nominations", [])}
        for country in self.countries:
            if country not in present:
                raise ChangeError(f"no nominee comes from '{country}'")
        data["nominations"] = [n for n in data["nominations"] if n["country"] not in self.countries]

    def describe(self) -> str:
        return f"the nominees of {', '.join(self.countries)} withdrawn"


class PrerequisitesAdded(Change):
    """A topic that must come first: ``before`` ahead of each of ``after`` (a module's introduction, say).

    With ``enrol`` (the default), a nominee for one of ``after`` who has neither taken ``before``
    nor asked for it is nominated for it too, just ahead of that topic in their list: the centre
    enrols them in the course that now comes first, rather than leaving them without a seat.
    """

    type: Literal["prerequisites_added"]
    before: str
    after: list[str] = Field(min_length=1)
    reason: str = ""
    enrol: bool = True

    def apply(self, data: Data) -> None:
        known = {t["id"] for t in data["topics"]}
        for tid in (self.before, *self.after):
            if tid not in known:
                raise ChangeError(f"topic '{tid}' is unknown")
        prerequisites = data.setdefault("prerequisites", [])
        have = {(pr["before"], pr["after"]) for pr in prerequisites}
        prerequisites += [{"before": self.before, "after": a, "reason": self.reason}
                          for a in self.after if (self.before, a) not in have]
        if not self.enrol:
            return
        enrol_in_prerequisites(data.get("nominations", []), [(self.before, a) for a in self.after])

    def describe(self) -> str:
        enrolled = f"; their nominees enrolled in {self.before}" if self.enrol else ""
        return f"{self.before} before {', '.join(self.after)}{enrolled}"


AnyChange = Annotated[
    TrainerUnavailable | OrganisationUnavailable | TrainerRemoved | OrganisationRemoved | RoomClosed
    | VenueClosed | EditionsAdded | EditionsRemoved | WeightChanged | HorizonChanged
    | StreamLimitChanged | BudgetCapSet | TeamRuleChanged | TargetChanged | PrerequisitesAdded | ModeChanged
    | ModesAllowed
    | NominationsWithdrawn,
    Field(discriminator="type"),
]
