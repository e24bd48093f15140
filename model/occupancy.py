"""What a calendar's other editions take: each trainer's and room's days, loads and quotas.

The explanation of an edition's alternatives (``model/explain.py``) and the backups
(``model/backups.py``) ask the same questions of the rest of a calendar: is this person free
on these days, would they stay within their limits, is this room free and open. Both re-test
what they propose with the checker; these are the quick answers that come first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from model.problem import Room, Trainer, Venue
from model.schedule import Schedule, ScheduledEdition


class Occupancy:
    """What the other editions take: trainers' and rooms' days and loads."""

    def __init__(self, schedule: Schedule, others: list[ScheduledEdition]) -> None:
        p = schedule.problem
        self.p = p
        self.trainer_days: dict[str, set[date]] = defaultdict(set)
        self.room_days: dict[str, set[date]] = defaultdict(set)
        self.year: Counter[str] = Counter()
        self.month: Counter[tuple[str, int, int]] = Counter()
        self.org: Counter[str] = Counter()
        for se in others:
            for t, d in se.person_days():  # teams' course days and guests' session days
                self.trainer_days[t].add(d)
                self.year[t] += 1
                self.month[(t, d.year, d.month)] += 1
                if t in p.trainer_by_id:
                    self.org[p.trainer_by_id[t].organisation] += 1
            if se.room:
                self.room_days[se.room].update(se.days)

    def trainer_free(self, t: Trainer, days: list[date]) -> bool:
        """Not teaching another course and not away on any of ``days``."""
        if any(d in self.trainer_days[t.id] for d in days):
            return False
        return not any(per.start <= d <= per.end for per in t.unavailable for d in days)

    def within_limits(self, t: Trainer, days: list[date]) -> bool:
        """``days`` more keep the trainer within their yearly and monthly limits and their organisation's quota."""
        if t.max_days_per_year is not None and self.year[t.id] + len(days) > t.max_days_per_year:
            return False
        if t.max_days_per_month is not None:
            per_month = Counter((d.year, d.month) for d in days)
            if any(self.month[(t.id, y, m)] + n > t.max_days_per_month for (y, m), n in per_month.items()):
                return False
        quota = self.p.organisation_by_id[t.organisation].trainer_day_quota
        return quota is None or self.org[t.organisation] + len(days) <= quota

    def trainer_can_teach(self, t: Trainer, days: list[date]) -> bool:
        return self.trainer_free(t, days) and self.within_limits(t, days)

    def why_busy(self, t: Trainer, days: list[date]) -> str:
        """Why trainer ``t`` cannot teach on ``days`` (``trainer_can_teach`` is False)."""
        if any(d in self.trainer_days[t.id] for d in days):
            return f"{t.id} teaches or gives a guest session then"
        away = next((per for per in t.unavailable if any(per.start <= d <= per.end for d in days)), None)
        if away is not None:
            return f"{t.id} is away {away.describe()}"
        return f"{t.id} is at a limit (days a year or a month, or {t.organisation}'s quota)"

    def room_free(self, venue: Venue, room: Room, days: list[date]) -> str | None:
        """None when the room is free and open on every day, else why not."""
        if any(d in self.room_days[room.id] for d in days):
            return f"room {room.id} hosts another course then"
        for c in list(room.closures) + list(venue.closures):
            if any(c.start <= d <= c.end for d in days):
                return f"room {room.id} is closed {c.describe()}"
        return None
