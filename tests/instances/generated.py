"""Generated instances: hypothesis strategies of small valid problems, one per rule family.

Each strategy below draws one section of a problem file (a raw dict, as in
``tests/instances/tiny.py``) and varies one family of rules; :func:`problems` composes
them into a whole problem. Every problem is valid by construction (windows, absences,
closures and pins inside the horizon; a hybrid room that seats every course; a trainer
qualified for every topic in every language), so validation never rejects one, but many
have no calendar: an absence, a closure, a pin or a quota may leave none, on purpose.

The same hypothesis seed gives the same instances; the tests run derandomized.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from hypothesis import strategies as st

from model.problem import Weights

T = TypeVar("T")
FIRST_MONDAY = date(2027, 1, 4)
ORGANISATIONS = ("IOM", "UNHCR", "OSCE")
GENDERS = ("woman", "man", "woman", "man", "another_identity", "undisclosed")  # mostly women and men
# The soft rules of the calendar (the participants' are left out: these instances have no nominations;
# and the standbys, which the exhaustive search and the MIP the properties compare with do not choose:
# tests/scheduler/test_standbys.py holds that rule).
CALENDAR_WEIGHTS = tuple(
    name for name in Weights.model_fields
    if name not in ("nomination_unplaced", "participants_off_women_share", "country_over_cap",
                    "team_member_without_standby")
)


@dataclass(frozen=True)
class Size:
    """Upper bounds on an instance's size."""

    weeks: int = 4  # horizon: 2..weeks weeks from a Monday (5 working days each, before days off)
    topics: int = 3
    editions: int = 6  # in all topics together
    trainers: int = 6
    rooms: int = 3
    team: int = 3  # the largest team the team rules may ask for
    length: int = 3  # the longest course, in days


SMALL = Size(weeks=3, topics=3, editions=3, trainers=4, rooms=1, team=3, length=3)
"""Small enough for an exhaustive search: 3 editions, 4 trainers, 15 working days, 1 room."""


@dataclass(frozen=True)
class Horizon:
    start: date
    end: date

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)

    @property
    def span(self) -> int:
        """Calendar days in the horizon."""
        return (self.end - self.start).days + 1


def _iso(d: date) -> str:
    return d.isoformat()


# Strategies are built once and reused: building one per draw costs more than the draw.
BOOLS = st.booleans()


@functools.cache
def ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """One of ``options`` (shrinking towards the first)."""
    return options[draw(ints(0, len(options) - 1))]


def distinct(draw: st.DrawFn, options: Sequence[T], n: int) -> list[T]:
    """``n`` different ones of ``options``."""
    left = list(options)
    return [left.pop(draw(ints(0, len(left) - 1))) for _ in range(n)]


def some(draw: st.DrawFn, options: Sequence[T], *, least: int = 0, most: int | None = None) -> list[T]:
    """``least`` to ``most`` different ones of ``options``, in their order."""
    n = draw(ints(least, len(options) if most is None else min(most, len(options))))
    return sorted(distinct(draw, options, n), key=list(options).index)


@st.composite
def periods(draw: st.DrawFn, horizon: Horizon, *, most: int, longest: int) -> list[dict[str, str]]:
    """Up to ``most`` periods inside the horizon (none half of the time), each 1..longest days
    (absences, closures)."""
    out = []
    for _ in range(pick(draw, [0, 0, 1, most])):
        first = draw(ints(0, horizon.span - 1))
        last = min(horizon.span - 1, first + draw(ints(0, longest - 1)))
        out.append({"start": _iso(horizon.day(first)), "end": _iso(horizon.day(last))})
    return out


# ------------------------------------------------------------------------------ calendar


@st.composite
def calendars(draw: st.DrawFn, size: Size) -> tuple[dict[str, Any], Horizon]:
    """Date windows' frame and days off: a horizon of 2..weeks weeks from a Monday of 2027
    (often across a month's end), national holidays (Azerbaijan's) or none, 0-2 extra
    holidays, a centre-wide closure, courses straddling weekends or not."""
    monday = FIRST_MONDAY + timedelta(weeks=draw(ints(0, 47)))
    weeks = draw(ints(2, size.weeks))
    horizon = Horizon(monday, monday + timedelta(days=7 * weeks - 1))
    holidays = [{"day": _iso(horizon.day(draw(ints(0, horizon.span - 1)))), "name": f"holiday {i + 1}"}
                for i in range(draw(ints(0, 2)))]
    spec = {
        "start": _iso(horizon.start),
        "end": _iso(horizon.end),
        "holiday_country": pick(draw, [None, None, None, "AZ"]),
        "extra_holidays": list({h["day"]: h for h in holidays}.values()),
        "closures": draw(periods(horizon, most=1, longest=4)),
        "allow_straddle": draw(BOOLS),
    }
    return spec, horizon


# ----------------------------------------------------------------------------- catalogue


@st.composite
def catalogues(draw: st.DrawFn, size: Size) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Modules and topics: 1..topics topics in 1-2 modules, each 1..length days long (a fixed
    length or a range), offered in some modes, sometimes linked to another topic."""
    n = draw(ints(1, size.topics))
    topics = []
    for t in range(n):
        module = draw(ints(1, 2))
        low = draw(ints(1, size.length))
        modes = some(draw, ["hybrid", "in_person", "online"], least=1)
        topics.append({"id": f"M{module}.T{t + 1}", "module": module, "title": f"Topic {t + 1}",
                       "duration_min": low, "duration_max": draw(ints(low, size.length)), "modes": modes})
    for topic in topics:
        others = [o["id"] for o in topics if o is not topic]
        if others and draw(ints(0, 3)) == 0:
            topic["links"] = [pick(draw, others)]
    modules = [{"number": m, "title": f"Module {m}"} for m in (1, 2)]
    return modules, topics


@st.composite
def organisations(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Two or three organisations, each with a trainer-day quota or none."""
    out = []
    for oid in ORGANISATIONS[: draw(ints(2, 3))]:
        org: dict[str, Any] = {"id": oid, "name": oid, "kind": "un_agency"}
        if draw(ints(0, 2)) == 0:
            org["trainer_day_quota"] = draw(ints(0, 12))
        out.append(org)
    return out


@st.composite
def trainers(draw: st.DrawFn, size: Size, horizon: Horizon, orgs: list[str],
             topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """2..trainers trainers: gender, organisation, qualification (whole modules or single
    topics), languages, absences (``unavailable``), month and year limits, day rate. T1 (an
    IOM man) and T2 (a UNHCR woman) can teach every topic in English and Russian, so that
    every course has a trainer and most can have a mixed team."""
    out = []
    for i in range(draw(ints(2, size.trainers))):
        if i < 2:
            qualified: dict[str, Any] = {"modules": [1, 2]}
            languages = ["en", "ru"]
            gender, organisation = ("man", "IOM") if i == 0 else ("woman", "UNHCR")
        else:
            kind = draw(ints(0, 2))  # both modules, one module, or some topics
            qualified = ({"modules": [1, 2]} if kind == 0 else {"modules": [draw(ints(1, 2))]} if kind == 1
                         else {"topics": some(draw, [t["id"] for t in topics], least=1)})
            languages = pick(draw, [["en"], ["en"], ["ru"], ["en", "ru"]])
            gender, organisation = pick(draw, GENDERS), pick(draw, orgs)
        trainer = {
            "id": f"T{i + 1}", "name": f"Trainer {i + 1} (fictional)", "fictional": True,
            "gender": gender, "organisation": organisation, **qualified, "languages": languages,
            "unavailable": draw(periods(horizon, most=2, longest=5)),
            "max_days_per_month": draw(ints(2, 8)) if draw(ints(0, 2)) == 0 else None,
            "max_days_per_year": draw(ints(3, 12)) if draw(ints(0, 2)) == 0 else None,
            "day_rate": pick(draw, [0, 100, 150, 200, 250]),
        }
        out.append(trainer)
    return out


def qualified(pool: list[dict[str, Any]], topic: dict[str, Any], language: str) -> list[str]:
    """The trainers of ``pool`` who can teach ``topic`` in ``language``."""
    return [t["id"] for t in pool if language in t["languages"]
            and (topic["module"] in t.get("modules", []) or topic["id"] in t.get("topics", []))]


@st.composite
def venues(draw: st.DrawFn, size: Size, horizon: Horizon) -> list[dict[str, Any]]:
    """1..rooms rooms in one or two venues: seats, hybrid equipment, online seats, day cost,
    room and venue closures. The first room is a hybrid hall that seats any course."""
    rooms = [{"id": "HALL", "name": "Main hall", "seats": 30, "hybrid": True, "online_seats": 40,
              "day_cost": pick(draw, [0, 50, 100]), "closures": draw(periods(horizon, most=1, longest=3))}]
    for i in range(1, draw(ints(1, size.rooms))):
        hybrid = draw(BOOLS)
        rooms.append({"id": f"R{i + 1}", "name": f"Room {i + 1}", "seats": draw(ints(5, 30)),
                      "hybrid": hybrid, "online_seats": draw(ints(0, 40)) if hybrid else 0,
                      "day_cost": pick(draw, [0, 20, 40]),
                      "closures": draw(periods(horizon, most=1, longest=3))})
    split = draw(ints(1, len(rooms)))
    out = [{"id": "RTCM", "name": "Training centre", "rooms": rooms[:split],
            "closures": draw(periods(horizon, most=1, longest=2))}]
    if rooms[split:]:
        out.append({"id": "ANNEX", "name": "Annex", "rooms": rooms[split:],
                    "closures": draw(periods(horizon, most=1, longest=2))})
    return out


# ----------------------------------------------------------------------------- programme


@st.composite
def programmes(draw: st.DrawFn, size: Size, horizon: Horizon, topics: list[dict[str, Any]],
               orgs: list[str]) -> list[dict[str, Any]]:
    """One item per topic, 1..editions editions in all: several editions per topic, mode,
    fixed or variable length, date window (``earliest_start``/``latest_end``), priority,
    optional editions, participants, language, required organisations."""
    items = []
    left = size.editions
    for i, topic in enumerate(topics):
        editions = draw(ints(1, max(1, min(2, left - (len(topics) - i - 1)))))
        left -= editions
        mode = pick(draw, topic["modes"])
        item: dict[str, Any] = {
            "topic": topic["id"], "editions": editions, "mode": mode,
            "duration_days": draw(ints(topic["duration_min"], topic["duration_max"])) if draw(BOOLS) else None,
            "priority": draw(ints(0, 3)),
            "mandatory": draw(BOOLS),
            "participants_in_person": 0 if mode == "online" else draw(ints(5, 30)),
            "participants_online": 0 if mode == "in_person" else draw(ints(0, 40)),
            "language": pick(draw, ["en", "en", "en", "en", "ru"]),
        }
        # A window of a week or more, most of the time: a shorter one often leaves no calendar.
        first = draw(ints(0, horizon.span - 8))
        last = min(horizon.span - 1, first + pick(draw, [4, 6, 9, 13, 20]))
        if draw(BOOLS):
            item["earliest_start"] = _iso(horizon.day(first))
        if draw(BOOLS):
            item["latest_end"] = _iso(horizon.day(last))
        if draw(ints(0, 3)) == 0:
            item["required_organisations"] = some(draw, orgs, most=2)
        items.append(item)
    return items


@st.composite
def prerequisites(draw: st.DrawFn, topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prerequisites between topics (earlier topic first: a DAG), with a minimum gap and
    sometimes a maximum one, in calendar days."""
    out = []
    for i, before in enumerate(topics):
        for after in topics[i + 1:]:
            if draw(ints(0, 2)) == 0:
                low = draw(ints(0, 4))
                out.append({"before": before["id"], "after": after["id"], "min_gap_days": low,
                            "max_gap_days": draw(ints(low, low + 10)) if draw(BOOLS) else None})
    return out


@st.composite
def pins(draw: st.DrawFn, horizon: Horizon, programme: list[dict[str, Any]], topics: list[dict[str, Any]],
         rooms: list[str], pool: list[dict[str, Any]], team: dict[str, Any]) -> list[dict[str, Any]]:
    """At most one pin: an edition kept on a weekday, in a room and/or with a team of its
    qualified trainers (of a size the team rules allow, when there are enough). An online
    edition is never pinned to a room: it has none (the input is refused)."""
    if draw(ints(0, 3)) != 0:
        return []
    item = pick(draw, programme)
    topic = next(t for t in topics if t["id"] == item["topic"])
    pin: dict[str, Any] = {"edition": f"{item['topic']}#{draw(ints(1, item['editions']))}"}
    if draw(BOOLS):
        weekday = 7 * draw(ints(0, horizon.span // 7 - 1)) + draw(ints(0, 4))
        pin["start"] = _iso(horizon.day(weekday))
    if item["mode"] != "online" and draw(BOOLS):
        pin["room"] = pick(draw, rooms)
    able = qualified(pool, topic, item["language"])
    if draw(BOOLS):
        n = draw(ints(min(team["min_trainers"], len(able)), min(team["max_trainers"], len(able))))
        pin["trainers"] = distinct(draw, able, n)
    return [pin]


@st.composite
def baselines(draw: st.DrawFn, horizon: Horizon, editions: list[str], rooms: list[str],
              trainer_ids: list[str]) -> list[dict[str, Any]]:
    """At most one edition of a published calendar to stay close to (re-planning)."""
    if draw(ints(0, 4)) != 0:
        return []
    return [{"edition": pick(draw, editions),
             "start": _iso(horizon.day(draw(ints(0, horizon.span - 1)))),
             "room": pick(draw, [None, *rooms]),
             "trainers": some(draw, trainer_ids, most=2)}]


# ------------------------------------------------------------------------- rules and weights


@st.composite
def team_rules(draw: st.DrawFn, size: Size, orgs: list[str]) -> dict[str, Any]:
    """Team sizes, required organisations, a woman and a man on the team (hard, soft, off)."""
    low = draw(ints(1, min(2, size.team)))
    return {"min_trainers": low, "max_trainers": draw(ints(low, size.team)),
            "required_organisations": pick(draw, [[], ["IOM"], ["IOM"], [orgs[-1]], ["IOM", "UNHCR"]]),
            "mixed_gender": pick(draw, ["hard", "soft", "off"])}


@st.composite
def share_bands(draw: st.DrawFn) -> dict[str, Any]:
    """A women's share band: at least, at most or between, hard, soft or off."""
    low = pick(draw, [None, 0.25, 0.4, 0.5])
    high = pick(draw, [x for x in (None, 0.5, 0.6, 0.75) if x is None or low is None or x >= low])
    return {"min_share": low, "max_share": high, "mode": pick(draw, ["hard", "soft", "soft", "off", "off"])}


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any]:
    """Women's share of trainer-days: of the year, of each module and of each month."""
    return {scope: draw(share_bands()) for scope in
            ("trainer_days_year", "trainer_days_module", "trainer_days_month")}


@st.composite
def platforms(draw: st.DrawFn, programme: list[dict[str, Any]]) -> dict[str, Any]:
    """The platform's stream limit: 1-3 streams (0 when every course is in person)."""
    streamed = any(i["mode"] != "in_person" for i in programme)
    return {"max_concurrent_streams": draw(ints(1 if streamed else 0, 3))}


@st.composite
def budgets(draw: st.DrawFn) -> int | None:
    """A cap on fees plus room costs, or none."""
    return 100 * draw(ints(5, 60)) if draw(ints(0, 2)) == 0 else None


@st.composite
def weights(draw: st.DrawFn) -> dict[str, float]:
    """Points per unit of each calendar soft rule: the default, off (0) or another value, a
    quarter of a point at the finest, the cost's (per 100 USD) half a point: a calendar's
    points are then whole hundredths before the checker rounds them."""
    out: dict[str, float] = {}
    for name in CALENDAR_WEIGHTS:
        choice = pick(draw, ["default", "default", "off", "other"])
        if choice == "off":
            out[name] = 0
        elif choice == "other":
            out[name] = draw(ints(1, 600)) / 2 if name == "cost" else draw(ints(1, 1200)) / 4
    return out


# ------------------------------------------------------------------------------- problem


@st.composite
def problems(draw: st.DrawFn, size: Size = Size()) -> dict[str, Any]:
    """A whole problem file (a raw dict: validate it with ``problem_of``) within ``size``."""
    calendar, horizon = draw(calendars(size))
    modules, topics = draw(catalogues(size))
    orgs = draw(organisations())
    org_ids = [o["id"] for o in orgs]
    pool = draw(trainers(size, horizon, org_ids, topics))
    places = draw(venues(size, horizon))
    programme = draw(programmes(size, horizon, topics, org_ids))
    editions = [f"{i['topic']}#{n}" for i in programme for n in range(1, i["editions"] + 1)]
    rooms = [r["id"] for v in places for r in v["rooms"]]
    team = draw(team_rules(size, org_ids))
    data = {
        "name": "generated",
        "calendar": calendar,
        "modules": modules,
        "topics": topics,
        "organisations": orgs,
        "trainers": pool,
        "venues": places,
        "platform": draw(platforms(programme)),
        "programme": programme,
        "prerequisites": draw(prerequisites(topics)),
        "team_rules": team,
        "weights": draw(weights()),
        "budget_usd": draw(budgets()),
        "pins": draw(pins(horizon, programme, topics, rooms, pool, team)),
        "baseline": draw(baselines(horizon, editions, rooms, [t["id"] for t in pool])),
        "targets": draw(targets()),
    }
    # Drawn last, so that the instances before lead agencies existed are drawn as they were.
    agencies = [o for o in org_ids if o != "IOM"]
    for topic in topics:
        if draw(ints(0, 2)) == 0:
            topic["lead_agencies"] = some(draw, agencies, least=1, most=2)
    team["lead_agency"] = pick(draw, ["hard", "soft", "off"])
    # Interpretation: booths in some rooms, a channel on the platform, a day price; an item is
    # interpreted into the other language when a room with a booth could host it.
    all_rooms = [r for v in places for r in v["rooms"]]
    for room in all_rooms:
        room["interpretation_booths"] = draw(ints(0, 1))
    data["platform"]["interpretation_channels"] = 1
    data["costs"] = {"interpretation_day_usd": pick(draw, [0, 100, 300])}
    for item in programme:
        hosts = item["mode"] == "online" or any(
            r["interpretation_booths"] and r["seats"] >= item["participants_in_person"]
            and (item["mode"] != "hybrid" or (r["hybrid"] and r["online_seats"] >= item["participants_online"]))
            for r in all_rooms)
        if hosts and draw(ints(0, 3)) == 0:
            item["interpretation"] = ["ru" if item["language"] == "en" else "en"]
    return data
