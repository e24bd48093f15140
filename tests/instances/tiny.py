"""The ``tiny`` instance: small enough to follow by hand."""

from __future__ import annotations

from typing import Any

from model.errors import validate_as
from model.problem import Problem, Weights


def tiny_problem(**overrides: Any) -> Problem:
    """The ``tiny`` problem, with top-level sections replaced: see :func:`tiny_data`.

    Parameters
    ----------
    **overrides
        Top-level sections of the problem to replace, e.g. ``team_rules={...}``.

    Returns
    -------
    Problem
        The validated problem.
    """
    data = tiny_data()
    data.update(overrides)
    return validate_as(Problem, data, "tiny")


def tiny_data() -> dict[str, Any]:
    """2 topics, 4 trainers, 1 venue with 2 rooms, March 2027: easy to follow.

    - Calendar: 2027-03-01 (a Monday) to 2027-03-31, Monday to Friday, no national
      holidays: 23 working days in 5 ISO weeks (Mondays 1, 8, 15, 22 and 29 March).
    - Topics: M1.T1 "Migration basics" (module 1, 2-3 days, hybrid, 20 in person and
      10 online) and M2.T1 "Border management" (module 2, 2 days, in person, 15).
      One mandatory edition of each: M1.T1#1 and M2.T1#1.
    - Trainers, all fictional, all able to teach both modules:
      T1 Amina (woman, IOM, 250 USD/day), T2 Bakhtiyar (man, IOM, 250),
      T3 Leyla (woman, UNHCR, 200), T4 Rustam (man, UNHCR, 200). Teams need 2-3
      trainers, one from IOM, a woman and a man.
    - Venue RTCM: room HALL (30 seats, hybrid, 40 online seats, 100 USD/day) and
      room B (20 seats, not hybrid, 40 USD/day).
    - Weights: the defaults of :class:`~model.problem.Weights`.

    A fresh raw dict on every call, for tests that change a nested record (a trainer's
    absence, a room's closure) before validating it with :func:`problem_of`.
    """
    return {
        "name": "tiny",
        "calendar": {"start": "2027-03-01", "end": "2027-03-31", "holiday_country": None},
        "modules": [
            {"number": 1, "title": "Introduction to migration"},
            {"number": 2, "title": "Irregular migration"},
        ],
        "topics": [
            {"id": "M1.T1", "module": 1, "title": "Migration basics", "duration_min": 2, "duration_max": 3},
            {"id": "M2.T1", "module": 2, "title": "Border management", "duration_min": 2, "duration_max": 2},
        ],
        "organisations": [
            {"id": "IOM", "name": "International Organization for Migration", "kind": "un_agency"},
            {"id": "UNHCR", "name": "UN Refugee Agency", "kind": "un_agency"},
        ],
        "trainers": [
            _trainer("T1", "Amina (fictional)", "woman", "IOM", 250),
            _trainer("T2", "Bakhtiyar (fictional)", "man", "IOM", 250),
            _trainer("T3", "Leyla (fictional)", "woman", "UNHCR", 200),
            _trainer("T4", "Rustam (fictional)", "man", "UNHCR", 200),
        ],
        "venues": [{
            "id": "RTCM",
            "name": "Regional Training Center on Migration",
            "rooms": [
                {"id": "HALL", "name": "Main hall", "seats": 30, "hybrid": True, "online_seats": 40,
                 "day_cost": 100},
                {"id": "B", "name": "Room B", "seats": 20, "day_cost": 40},
            ],
        }],
        "programme": [
            {"topic": "M1.T1", "mode": "hybrid", "participants_in_person": 20, "participants_online": 10},
            {"topic": "M2.T1", "mode": "in_person", "participants_in_person": 15},
        ],
    }


def problem_of(data: dict[str, Any]) -> Problem:
    """Validate a (changed) :func:`tiny_data` dict."""
    return validate_as(Problem, data, data.get("name", "tiny"))


def only_weights(**nonzero: float) -> dict[str, float]:
    """A weights block with every soft rule off (weight 0) but the ones named."""
    unknown = set(nonzero) - set(Weights.model_fields)
    if unknown:
        raise ValueError(f"unknown weights: {', '.join(sorted(unknown))}")
    return {name: float(nonzero.get(name, 0)) for name in Weights.model_fields}


def record(data: dict[str, Any], section: str, ident: str) -> dict[str, Any]:
    """The raw record of ``section`` (trainers, topics, programme, rooms) with this id.

    ``rooms`` looks inside every venue; ``programme`` is keyed by topic.
    """
    key = "topic" if section == "programme" else "id"
    rooms = [r for v in data["venues"] for r in v["rooms"]]
    for r in rooms if section == "rooms" else data[section]:
        if r[key] == ident:
            return r
    raise KeyError(f"{section} has no record {ident}")


def _trainer(tid: str, name: str, gender: str, organisation: str, day_rate: int) -> dict[str, Any]:
    return {"id": tid, "name": name, "gender": gender, "organisation": organisation,
            "modules": [1, 2], "max_days_per_year": 20, "day_rate": day_rate, "fictional": True}


def race_data() -> dict[str, Any]:
    """``tiny`` where both courses race for Monday 1 March.

    M1.T1 is fixed at 3 days; both programme items have priority 1; only the rule
    "Priority topics scheduled late" counts (weight 1), so the objective is the number
    of working days the two start after 1 March. As given, both start Monday 1 March
    (different rooms, teams T1+T4 and T2+T3): objective 0. When a change stops them
    from running at the same time, the best is M2.T1 Mon 1-Tue 2, then M1.T1
    Wed 3-Fri 5: objective 2 (M1.T1 first would push M2.T1 to Thu 4: objective 3).
    """
    data = tiny_data()
    record(data, "programme", "M1.T1").update(duration_days=3, priority=1)
    record(data, "programme", "M2.T1").update(priority=1)
    data["weights"] = only_weights(priority_topic_late=1)
    return data
