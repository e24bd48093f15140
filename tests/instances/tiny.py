"""The ``tiny`` instance: small enough to follow by hand."""

from __future__ import annotations

from typing import Any

from model.errors import validate_as
from model.problem import Problem


def tiny_problem(**overrides: Any) -> Problem:
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

    Parameters
    ----------
    **overrides
        Top-level sections of the problem to replace, e.g. ``team_rules={...}``.

    Returns
    -------
    Problem
        The validated problem.
    """
    data: dict[str, Any] = {
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
    data.update(overrides)
    return validate_as(Problem, data, "tiny")


def _trainer(tid: str, name: str, gender: str, organisation: str, day_rate: int) -> dict[str, Any]:
    return {"id": tid, "name": name, "gender": gender, "organisation": organisation,
            "modules": [1, 2], "max_days_per_year": 20, "day_rate": day_rate, "fictional": True}
