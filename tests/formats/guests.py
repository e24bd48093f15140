"""``tiny`` with guest sessions: a calendar whose every output must say who presents what, when."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from model.problem import Problem
from model.schedule import GuestSession, Schedule, ScheduledEdition
from tests.instances.tiny import problem_of, record, tiny_data

REGIONAL = "Regional best practice"
BORDER = "National border practice"


def guests_data() -> dict[str, Any]:
    """``tiny`` plus two country representatives who give a day inside a course.

    - Countries Georgia and Armenia; organisations GEO-MIA (Georgia's Ministry of Internal
      Affairs) and ARM-MS (Armenia's Migration Service), both government.
    - T5 Nino (fictional, woman, GEO-MIA, Georgia, en and ka, 150 USD a day, 400 travel) and
      T6 Armen (fictional, man, ARM-MS, Armenia, en and hy, 100 a day, 300 travel), both
      guests only, qualified for both modules.
    - M1.T1 has a required guest slot "country" titled "Regional best practice"; M2.T1 an
      optional one, "National border practice"; both open to GEO-MIA and ARM-MS.
    """
    data = tiny_data()
    data["countries"] = ["Georgia", "Armenia"]
    data["organisations"] += [
        {"id": "GEO-MIA", "name": "Ministry of Internal Affairs of Georgia", "kind": "government"},
        {"id": "ARM-MS", "name": "Migration Service of Armenia", "kind": "government"},
    ]
    data["trainers"] += [
        {"id": "T5", "name": "Nino (fictional)", "gender": "woman", "organisation": "GEO-MIA",
         "country": "Georgia", "languages": ["en", "ka"], "modules": [1, 2], "day_rate": 150,
         "travel_usd": 400, "role": "guest", "fictional": True},
        {"id": "T6", "name": "Armen (fictional)", "gender": "man", "organisation": "ARM-MS",
         "country": "Armenia", "languages": ["en", "hy"], "modules": [1, 2], "day_rate": 100,
         "travel_usd": 300, "role": "guest", "fictional": True},
    ]
    slot = {"id": "country", "organisations": ["GEO-MIA", "ARM-MS"]}
    record(data, "programme", "M1.T1")["guest_slots"] = [{**slot, "required": True, "title": REGIONAL}]
    record(data, "programme", "M2.T1")["guest_slots"] = [{**slot, "title": BORDER}]
    return data


def guests_problem() -> Problem:
    return problem_of(guests_data())


def _days(first: date, n: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def guests_schedule() -> Schedule:
    """A clean calendar of :func:`guests_problem`, every figure derivable:

    - M1.T1#1: Tue 2 - Thu 4 March in HALL, team T1 (woman) + T4 (man); T5 (Georgia) gives
      "Regional best practice" on Wed 3 March.
    - M2.T1#1: Thu 18 - Fri 19 March in room B, team T2 (man) + T3 (woman); T6 (Armenia) gives
      "National border practice" on Fri 19 March.
    - Trainer-days: teams 3 x 2 + 2 x 2 = 10 (women 5, men 5); guests 2 (T5 a woman, T6 a man):
      12 in all, 6 women's.
    """
    p = guests_problem()
    first = ScheduledEdition.place(p, "M1.T1#1", _days(date(2027, 3, 2), 3), "HALL", ["T1", "T4"],
                                   guests=[GuestSession(slot="country", person="T5", day=date(2027, 3, 3))])
    second = ScheduledEdition.place(p, "M2.T1#1", _days(date(2027, 3, 18), 2), "B", ["T2", "T3"],
                                    guests=[GuestSession(slot="country", person="T6", day=date(2027, 3, 19))])
    return Schedule(problem=p, editions=[second, first])
