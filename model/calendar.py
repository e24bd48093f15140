"""The planning calendar: horizon, working weekdays, national holidays and closures.

A course runs on consecutive working days. The engine counts time in *working-day
indices* (0 = the first working day of the horizon), so that a course of ``d`` days
always occupies ``d`` consecutive indices; whether it may straddle a weekend or a
holiday is then only a question of which start days are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

import holidays as holidays_lib
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from model.errors import Issue, raise_issues

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The longest horizon planned: five years (a few bytes must not ask for a calendar of centuries).
MAX_HORIZON_DAYS = 5 * 366


def _not_a_number(value: Any) -> Any:
    # pydantic would read a number, or text of digits, as a Unix timestamp (7258118400 is
    # 2200-01-01). No planner writes a day so; a stray number must not become a date.
    text = value.strip() if isinstance(value, str) else None
    if isinstance(value, (int, float)) or (text and text.lstrip("+-").replace(".", "", 1).isdigit()):
        raise ValueError(f"{value!r} is not a date: write it as 2027-03-01")
    return value


Day = Annotated[date, BeforeValidator(_not_a_number)]
"""A calendar day in the input: a date or ISO text (2027-03-01), never a number."""


class Record(BaseModel):
    """Base of every input record: unknown fields are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(Record):
    """A closed range of calendar days, both ends included."""

    start: Day
    end: Day
    reason: str = ""

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and first <= self.end

    def describe(self) -> str:
        text = f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"{text} ({self.reason})" if self.reason else text


def reversed_periods(record: str, ident: str | None, part: str, what: str,
                     periods: list[Period]) -> list[Issue]:
    """Issues for periods that end before they start, on the field ``part`` of their record."""
    return [
        Issue("out_of_order", f"{what} {i + 1} ends ({p.end}) before it starts ({p.start})", record, ident,
              field=(part, i, "end"))
        for i, p in enumerate(periods)
        if p.end < p.start
    ]


class NamedDay(Record):
    day: Day
    name: str


class CalendarSpec(Record):
    """The planning horizon and what makes a day a working day."""

    start: Day = Field(description="first day of the horizon")
    end: Day = Field(description=f"last day of the horizon (included), at most {MAX_HORIZON_DAYS} days after start")
    working_weekdays: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    holiday_country: str | None = Field(
        default="AZ", description="ISO country code for national holidays (python-holidays)"
    )
    extra_holidays: list[NamedDay] = Field(default_factory=list)
    closures: list[Period] = Field(
        default_factory=list, description="centre-wide closures, e.g. the summer break"
    )
    allow_straddle: bool = Field(
        default=False,
        description="a course may continue after a weekend or holiday (off by default)",
    )

    @model_validator(mode="after")
    def _check(self) -> CalendarSpec:
        errors: list[Issue] = []
        if self.end < self.start:
            errors.append(Issue("out_of_order", f"horizon ends ({self.end}) before it starts ({self.start})",
                                "calendar", field=("end",)))
        elif (self.end - self.start).days > MAX_HORIZON_DAYS:
            errors.append(Issue("out_of_range", f"the horizon spans {(self.end - self.start).days} days; at most "
                                f"{MAX_HORIZON_DAYS} (five years) are planned", "calendar", field=("end",)))
        if not self.working_weekdays:
            errors.append(Issue("missing", "working_weekdays is empty", "calendar", field=("working_weekdays",)))
        errors += reversed_periods("calendar", None, "closures", "closure", self.closures)
        if self.holiday_country is not None:
            try:
                holidays_lib.country_holidays(self.holiday_country, years=self.start.year)
            except NotImplementedError:
                errors.append(Issue(
                    "invalid_value", f"holiday_country '{self.holiday_country}' is not a country "
                    "known to the holidays library", "calendar", field=("holiday_country",)))
        raise_issues(errors)
        return self


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of a horizon, with the reason every other day is off."""

    spec: CalendarSpec
    days: tuple[date, ...] = field(init=False)
    off: dict[date, str] = field(init=False)

    def __post_init__(self) -> None:
        spec = self.spec
        off: dict[date, str] = {}
        if spec.holiday_country:
            years = range(spec.start.year, spec.end.year + 1)
            for d, name in holidays_lib.country_holidays(spec.holiday_country, years=years).items():
                off[d] = str(name)
        for h in spec.extra_holidays:
            off[h.day] = h.name
        for c in spec.closures:
            # Only the days inside the horizon: a closure of centuries costs no more than one of a week.
            first, last = max(c.start, spec.start), min(c.end, spec.end)
            for i in range((last - first).days + 1):
                off.setdefault(first + timedelta(days=i), c.reason or "closure")
        working = set(spec.working_weekdays)
        days: list[date] = []
        d = spec.start
        while d <= spec.end:
            if WEEKDAYS[d.weekday()] not in working:
                off.setdefault(d, "weekend")
            elif d not in off:
                days.append(d)
            d += timedelta(days=1)
        object.__setattr__(self, "days", tuple(days))
        object.__setattr__(self, "off", off)

    @cached_property
    def index(self) -> dict[date, int]:
        return {d: i for i, d in enumerate(self.days)}

    @cached_property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs of the horizon, in order, including months with no working day."""
        out: list[tuple[int, int]] = []
        y, m = self.spec.start.year, self.spec.start.month
        while (y, m) <= (self.spec.end.year, self.spec.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @cached_property
    def month_of(self) -> list[int]:
        """For each working-day index, the index of its month in ``months``."""
        pos = {ym: i for i, ym in enumerate(self.months)}
        return [pos[(d.year, d.month)] for d in self.days]

    def __len__(self) -> int:
        return len(self.days)

    def consecutive(self, first: int, n: int) -> bool:
        """True when working days first..first+n-1 are consecutive calendar days."""
        if first + n > len(self.days):
            return False
        return (self.days[first + n - 1] - self.days[first]).days == n - 1

    def run_days(self, first: int, n: int) -> list[date]:
        return list(self.days[first : first + n])

    def first_index_on_or_after(self, d: date) -> int:
        """Index of the first working day on or after ``d`` (len(days) if none)."""
        lo, hi = 0, len(self.days)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.days[mid] < d:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def indices_within(self, period: Period) -> range:
        """The working-day indices that fall inside ``period``."""
        first = self.first_index_on_or_after(period.start)
        last = self.first_index_on_or_after(period.end + timedelta(days=1))
        return range(first, last)

    def index_runs(self, periods: list[Period]) -> list[tuple[int, int]]:
        """Maximal runs (start, length) of working-day indices covered by the periods."""
        covered = sorted({i for p in periods for i in self.indices_within(p)})
        runs: list[tuple[int, int]] = []
        for i in covered:
            if runs and runs[-1][0] + runs[-1][1] == i:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((i, 1))
        return runs
