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
from model.problem import Problem

SCALES = (1, 3, 10)
DEFAULT_SEED = 2027
BASE_YEAR = 2027

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
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    base = default_problem().model_dump(mode="json")
    base.pop("nominations", None)  # a calendar benchmark: see the module's docstring
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
    data["programme"] = [{**item, "editions": item["editions"] * scale,
                          "min_editions": None if item.get("min_editions") is None else item["min_editions"] * scale}
                         for item in base["programme"]]
    data["venues"] = _venues(base["venues"], scale)
    data["trainers"] = _trainers(base["trainers"], scale, years, rng)
    data["platform"] = {**base["platform"],
                        "max_concurrent_streams": base["platform"]["max_concurrent_streams"] * scale}
    data["organisations"] = [
        {**o, "trainer_day_quota": None if o.get("trainer_day_quota") is None
         else o["trainer_day_quota"] * scale}
        for o in base["organisations"]
    ]
    if base.get("budget_usd") is not None:
        data["budget_usd"] = base["budget_usd"] * scale  # each centre brings its own budget
    return data


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
