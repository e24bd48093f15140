"""Seeded instances that scale the default RTCM 2027 problem: 1x, 3x, 10x.

Scale ``k`` stands for a network of ``k`` regional centres running the RTCM curriculum:

- every topic of the programme gets ``k`` editions (same mode, length, language,
  participants and priority as in the default programme);
- the venues are copied ``k`` times (copy 1 is the RTCM itself; copy ``c`` is regional
  centre ``c`` with the same rooms, seats, equipment and day costs);
- the trainers are copied ``k`` times: a copy keeps the original's organisation, gender,
  qualifications, languages, limits and day rate, and gets a new id, a new fictional name
  and its own unavailability, drawn from the seed;
- the platform carries ``k`` times as many concurrent streams (each centre streams its
  own courses), every organisation quota and the budget are multiplied by ``k``;
- from 10x on, the horizon is two years (2027-2028), with the summer break and the
  year-end closure in both years; trainers get absences in both years.

So editions per trainer, per room and per stream stay those of the RTCM programme; at
10x the two-year horizon halves the load per working day. A trainer's
``max_days_per_year`` is checked over the whole horizon (``model/check.py``), and is kept
as it is, so a trainer's cap stays in the same proportion to the days the programme asks
of them.

The instances are calendar problems: the default problem's nominations (the people to
seat, which ``solve()`` seats in a separate model after the calendar, weighed apart from
the calendar's objective) are left out at every scale, so that every solver compared
solves the same problem and CP-SAT spends its whole time limit on the calendar.

Two more realistic families: :func:`network_data`, a network of centres with their own courses,
rooms and regional trainers sharing a pool of agency experts, and :func:`rollout_data`, the
whole curriculum at the RTCM over up to three years (:func:`family_problem` makes either).

Scale 1 is the default problem without its nominations, whatever the seed. The same
scale and seed give the same instance (``tests/bench/test_generate.py`` checks it).
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta
from typing import Any

from data import default_problem
from data.default import FIRST_NAMES, SURNAMES
from model.formats.files import problem_from_data
from model.problem import MAX_ROLLOUT_YEARS, TOPIC_ID, Problem

SCALES = (1, 3, 10)
DEFAULT_SEED = 2027
BASE_YEAR = 2027
FAMILIES = ("copies", "network", "rollout")

# Organisations whose experts form the network's shared pool (the agencies and international
# partners): every centre may call on them. Everyone else (the pool of trainers, ToT graduates,
# country representatives, academia, NGOs, media) belongs to one centre's region.
SHARED_KINDS = frozenset({"un_agency", "international"})
# One copy of the shared pool for every this many centres (rounded up): with one for three, the
# one expert of an agency that leads a topic cannot be on every centre's team of it within the
# days a year they give.
CENTRES_PER_AGENCY_POOL = 2

# Fictional names for the regional centres of copies 2, 3, ...
CENTRES = ["Tashkent", "Tbilisi", "Almaty", "Bishkek", "Chisinau", "Yerevan", "Dushanbe", "Astana",
           "Ashgabat", "Samarkand", "Kutaisi", "Osh", "Balti", "Gyumri", "Khujand", "Ganja"]

ABSENCE_REASONS = ["mission abroad", "annual leave", "other programme commitment", "conference"]


def horizon_years(scale: int) -> int:
    """Years in the horizon: one up to 3x, two from 10x (a network plans two years ahead)."""
    return 2 if scale >= 10 else 1


def scaled_data(scale: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The scaled problem as plain data (what :func:`scaled_problem` validates).

    Parameters
    ----------
    scale
        Copies of the centre: 1 gives the default 2027 problem unchanged.
    seed
        Drives the copies' names and absences; the same seed gives the same data.
    """
    base = _base(scale)
    if scale == 1:
        return base
    rng = random.Random(f"rtcm-bench/{scale}/{seed}")
    years = horizon_years(scale)
    data = copy.deepcopy(base)
    data["name"] = f"RTCM network programme x{scale}"
    data["description"] = (
        f"The default RTCM {BASE_YEAR} programme scaled {scale}x for a network of {scale} regional "
        f"centres over {years} year(s): {scale} editions of every topic, {scale} copies of the venues "
        f"and of the trainer pool (copies fictional, drawn with seed {seed})."
    )
    data["calendar"] = _calendar(base["calendar"], years)
    data.pop("rollout", None)  # the network's horizon is its whole plan: no later years
    data["programme"] = _editions_times(base["programme"], scale)
    data["venues"] = _venues(base["venues"], scale)
    data["trainers"] = _trainers(base["trainers"], scale, years, rng)
    _share_network_capacity(data, base, scale)
    return data


def agency_pools(scale: int, centres_per_pool: int = CENTRES_PER_AGENCY_POOL) -> int:
    """How many copies of the agencies' experts a network of ``scale`` centres has."""
    return -(-scale // centres_per_pool)


def network_data(scale: int, seed: int = DEFAULT_SEED, *,
                 centres_per_pool: int = CENTRES_PER_AGENCY_POOL, years: int | None = None) -> dict[str, Any]:
    """The realistic family: ``scale`` centres, each with its own programme, rooms and region.

    - Centre 1 is the RTCM (Baku) with the default programme; centre ``c`` (2, 3, ...) runs the
      same programme as its own courses: its copy of topic ``M<m>.T<n>`` is ``M<m>.T<100c+n>``
      (same module, length, modes, lead agencies; its links and prerequisites within the centre),
      and every programme item is held at its own centre's venues (``ProgrammeItem.venues``).
    - Trainers of the region (the pool of trainers, ToT graduates, country representatives,
      academia, NGOs, media) belong to one centre: a copy per centre, qualified for that
      centre's copies of their topics and modules only, with its own absences.
    - The agencies' and international partners' experts are one shared pool: one copy of it
      for every ``centres_per_pool`` centres (two; rounded up), each qualified for their topics
      at every centre.
    - A trainer's ``max_days_per_year`` is checked over the whole horizon (``model/check.py``):
      over two years it is doubled, a limit a year.
    - The platform carries ``scale`` times the streams; the budget and the organisations'
      quotas are ``scale`` times the centre's; from 10x on the horizon is two years, as in
      :func:`scaled_data`; ``years`` sets it otherwise (e.g. a piece of the ten-centre network
      over its two years: ``bench/network_pieces.py``).

    Scale 1 over one year is the default problem without its nominations, as in :func:`scaled_data`.
    """
    base = _base(scale)
    years = years or horizon_years(scale)
    if scale == 1 and years == 1:
        return base
    rng = random.Random(f"rtcm-bench/network/{scale}/{seed}")
    centres = range(1, scale + 1)
    data = copy.deepcopy(base)
    data["name"] = f"RTCM network of {scale} centres"
    data["description"] = (
        f"A network of {scale} training centres over {years} year(s): the RTCM (Baku) and {scale - 1} regional "
        f"centres (fictional), each running the RTCM {BASE_YEAR} programme as its own courses with its own "
        f"rooms and regional trainers, sharing a pool of agency experts (copies drawn with seed {seed})."
    )
    data["calendar"] = _calendar(base["calendar"], years)
    data.pop("rollout", None)
    data["topics"] = [_centre_topic(t, c) for c in centres for t in base["topics"]]
    venues = _venues(base["venues"], scale)
    data["venues"] = venues
    held = {c: [v["id"] for v in venues if _centre_of(v["id"]) == c] for c in centres}
    data["programme"] = [
        {**item, "topic": _centre_topic_id(item["topic"], c), "venues": held[c],
         "guest_slots": copy.deepcopy(item.get("guest_slots", []))}
        for c in centres for item in base["programme"]
    ]
    data["prerequisites"] = [
        {**pr, "before": _centre_topic_id(pr["before"], c), "after": _centre_topic_id(pr["after"], c)}
        for c in centres for pr in base["prerequisites"]
    ]
    kinds = {o["id"]: o["kind"] for o in base["organisations"]}
    by_module: dict[int, list[str]] = {}
    for t in base["topics"]:
        by_module.setdefault(t["module"], []).append(t["id"])
    used = {t["name"] for t in base["trainers"]}
    pools = agency_pools(scale, centres_per_pool)
    trainers = []
    for t in base["trainers"]:
        shared = kinds[t["organisation"]] in SHARED_KINDS
        own = list(dict.fromkeys([*t["topics"], *(x for m in t["modules"] for x in by_module.get(m, []))]))
        for c in (range(1, pools + 1) if shared else centres):
            rec = copy.deepcopy(t)
            if c > 1:
                rec["id"] = f"{t['id']}-{'P' if shared else 'C'}{c}"
                rec["name"] = _new_name(rng, t["gender"], used)
                rec["unavailable"] = []
            rec["unavailable"] = rec["unavailable"] + [
                p for y in range(BASE_YEAR + (1 if c == 1 else 0), BASE_YEAR + years) for p in _absences(rng, y)]
            # Qualifications: a regional trainer teaches their own centre's courses; an agency
            # expert any centre's.
            where = centres if shared else [c]
            rec["topics"] = [_centre_topic_id(x, k) for k in where for x in own]
            rec["modules"] = []
            if rec.get("max_days_per_year") is not None:  # a limit a year, over every year planned
                rec["max_days_per_year"] *= years
            trainers.append(rec)
    data["trainers"] = trainers
    _share_network_capacity(data, base, scale)
    return data


def rollout_data(years: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The rollout of the whole curriculum at the RTCM over ``years`` years, every day planned.

    The default programme (all 68 topics of the curriculum) runs once a year: every programme
    item's editions, and the editions that must run, times ``years``, anywhere in the horizon
    (2027 to 2026 + ``years``, the summer break and the year-end closure in every year), with
    their prerequisites and links as in one year. The same venues, rooms and platform; the same
    trainers, with fresh absences drawn for every later year, and their limit of days a year, the
    organisations' quotas and the budget times ``years``. The product itself plans a rollout's
    later years by quarter (``scheduler/rollout.py``); this instance asks for every day of them.

    One year is the default problem without its nominations, as in :func:`scaled_data`.
    """
    if not 1 <= years <= MAX_ROLLOUT_YEARS:
        raise ValueError(f"a rollout runs 1 to {MAX_ROLLOUT_YEARS} years, not {years}")
    base = _base(1)
    if years == 1:
        return base
    rng = random.Random(f"rtcm-bench/rollout/{years}/{seed}")
    data = copy.deepcopy(base)
    data["name"] = f"RTCM rollout over {years} years"
    data["description"] = (
        f"The whole RTCM curriculum once a year for {years} years ({BASE_YEAR}-{BASE_YEAR + years - 1}), every "
        f"day planned: the default programme's editions times {years}, the same rooms and trainers (later "
        f"years' absences drawn with seed {seed})."
    )
    data["calendar"] = _calendar(base["calendar"], years)
    data.pop("rollout", None)  # every year is planned in full here
    data["programme"] = _editions_times(base["programme"], years)
    trainers = _trainers(base["trainers"], 1, years, rng)
    for rec in trainers:
        if rec.get("max_days_per_year") is not None:  # a limit a year, over every year planned
            rec["max_days_per_year"] *= years
    data["trainers"] = trainers
    _quotas_and_budget_times(data, base, years)
    return data


def family_problem(family: str, scale: int, seed: int = DEFAULT_SEED) -> Problem:
    """An instance of ``family`` ("copies": :func:`scaled_data`; "network": :func:`network_data`;
    "rollout": :func:`rollout_data`, ``scale`` its years)."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
    make = {"copies": scaled_data, "network": network_data, "rollout": rollout_data}[family]
    return problem_from_data(make(scale, seed), f"bench {family} x{scale} seed {seed}")


def _centre_topic_id(topic_id: str, centre: int) -> str:
    """Centre ``centre``'s copy of a topic: ``M<m>.T<n>`` becomes ``M<m>.T<100 x centre + n>``."""
    if centre == 1:
        return topic_id
    match = TOPIC_ID.match(topic_id)
    assert match is not None, topic_id  # the catalogue's ids are validated
    return f"M{match.group(1)}.T{100 * centre + int(match.group(2))}"


def _centre_topic(topic: dict[str, Any], centre: int) -> dict[str, Any]:
    if centre == 1:
        return copy.deepcopy(topic)
    return {**copy.deepcopy(topic), "id": _centre_topic_id(topic["id"], centre),
            "title": f"{topic['title']} ({CENTRES[(centre - 2) % len(CENTRES)]})",
            "links": [_centre_topic_id(x, centre) for x in topic.get("links", [])]}


def _centre_of(venue_id: str) -> int:
    """The centre a venue of :func:`_venues` belongs to (its ``-C<c>`` suffix; none: centre 1)."""
    head, _, tail = venue_id.rpartition("-C")
    return int(tail) if head and tail.isdigit() else 1


def scaled_problem(scale: int, seed: int = DEFAULT_SEED) -> Problem:
    """The default problem scaled ``scale`` times, validated like any problem file.

    Parameters
    ----------
    scale
        1 (the RTCM 2027 programme, without nominations), 3 or 10 (a network of regional
        centres); any positive integer works.
    seed
        The same seed gives the same instance.

    Returns
    -------
    Problem
        The validated problem.
    """
    return problem_from_data(scaled_data(scale, seed), f"bench x{scale} seed {seed}")


def _base(scale: int) -> dict[str, Any]:
    """The default problem as plain data, without its nominations (a calendar benchmark: see the
    module's docstring)."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    base = default_problem().model_dump(mode="json")
    base.pop("nominations", None)
    return base


def _share_network_capacity(data: dict[str, Any], base: dict[str, Any], scale: int) -> None:
    """What the network shares, ``scale`` times the centre's: the platform's streams (each centre
    streams its own courses), the organisations' quotas and the budget (each brings its own)."""
    data["platform"] = {**base["platform"],
                        "max_concurrent_streams": base["platform"]["max_concurrent_streams"] * scale}
    _quotas_and_budget_times(data, base, scale)


def _quotas_and_budget_times(data: dict[str, Any], base: dict[str, Any], k: int) -> None:
    """The organisations' quotas and the budget, ``k`` times the base problem's."""
    data["organisations"] = [
        {**o, "trainer_day_quota": None if o.get("trainer_day_quota") is None else o["trainer_day_quota"] * k}
        for o in base["organisations"]
    ]
    if base.get("budget_usd") is not None:
        data["budget_usd"] = base["budget_usd"] * k


def _editions_times(programme: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The programme with ``k`` times the editions of every item, and of those that must run."""
    return [{**item, "editions": item["editions"] * k,
             "min_editions": None if item.get("min_editions") is None else item["min_editions"] * k}
            for item in programme]


def _calendar(cal: dict[str, Any], years: int) -> dict[str, Any]:
    out = dict(cal)
    last = BASE_YEAR + years - 1
    out["end"] = date(last, 12, 31).isoformat()
    closures = []
    for y in range(BASE_YEAR, last + 1):
        closures.append({"start": date(y, 7, 1).isoformat(), "end": date(y, 8, 31).isoformat(),
                         "reason": "summer break"})
        closures.append({"start": date(y, 12, 27).isoformat(), "end": date(y, 12, 31).isoformat(),
                         "reason": "year-end closure"})
    out["closures"] = closures
    return out


def _venues(venues: list[dict[str, Any]], scale: int) -> list[dict[str, Any]]:
    out = copy.deepcopy(venues)
    for c in range(2, scale + 1):
        centre = CENTRES[(c - 2) % len(CENTRES)]
        for v in venues:
            rooms = [{**r, "id": f"{r['id']}-C{c}", "name": f"{r['name']} ({centre})"} for r in v["rooms"]]
            out.append({**v, "id": f"{v['id']}-C{c}",
                        "name": f"{v['name']}, regional centre {centre} (fictional)",
                        "city": centre, "rooms": rooms})
    return out


def _trainers(trainers: list[dict[str, Any]], scale: int, years: int,
              rng: random.Random) -> list[dict[str, Any]]:
    used = {t["name"] for t in trainers}
    out = []
    for t in trainers:
        rec = copy.deepcopy(t)
        # The originals keep their 2027 absences; a second year gets fresh ones.
        rec["unavailable"] = rec["unavailable"] + [
            p for y in range(BASE_YEAR + 1, BASE_YEAR + years) for p in _absences(rng, y)
        ]
        out.append(rec)
    for c in range(2, scale + 1):
        for t in trainers:
            rec = copy.deepcopy(t)
            rec["id"] = f"{t['id']}-C{c}"
            rec["name"] = _new_name(rng, t["gender"], used)
            rec["unavailable"] = [p for y in range(BASE_YEAR, BASE_YEAR + years) for p in _absences(rng, y)]
            out.append(rec)
    return out


def _new_name(rng: random.Random, gender: str, used: set[str]) -> str:
    firsts = FIRST_NAMES.get(gender) or FIRST_NAMES["woman"] + FIRST_NAMES["man"]
    for _ in range(1000):
        name = f"{rng.choice(firsts)} {rng.choice(SURNAMES)} (fictional)"
        if name not in used:
            break
    else:  # the pool is exhausted: number the name instead
        name = f"{rng.choice(firsts)} {rng.choice(SURNAMES)} {len(used)} (fictional)"
    used.add(name)
    return name


def _absences(rng: random.Random, year: int) -> list[dict[str, Any]]:
    """One to three absences in a year, drawn as ``data/default.py`` draws the originals'."""
    periods = []
    for _ in range(rng.randint(1, 3)):
        month = rng.choice([1, 2, 3, 4, 5, 6, 9, 10, 11, 12])
        start = date(year, month, rng.randint(1, 20))
        length = rng.choice([5, 7, 10, 14])
        periods.append({"start": start.isoformat(),
                        "end": (start + timedelta(days=length - 1)).isoformat(),
                        "reason": rng.choice(ABSENCE_REASONS)})
    periods.sort(key=lambda p: p["start"])
    return periods
