"""The Road Map's short-term thematic priorities, as the curriculum quotes them.

Recommendation no 1 of the Road Map workshop (curriculum text, L335-345) lists the thematic
priorities for short-term implementation (L337-344): migration and health; the crisis dimension of
migration, international protection included; labour migration; migration and the
environment; migration and development; return and reintegration; migration management,
international cooperation and partnerships ("Return and Re-integration" is listed twice:
seven themes). Module 4, migration in crisis and international refugee protection, "was
assessed as top priority of the RTCM Countries" (L3960).

Each theme names the courses that cover it and the programme priority it gives them (0 none
.. 3 urgent: earlier in the horizon is better): 3 for the top priority, 1 for the others. A
topic of several themes takes the highest.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    """A Road Map priority: its name, the curriculum line naming it, its courses and level."""

    id: str
    name: str
    line: int
    topics: tuple[str, ...]
    priority: int


def _module(m: int, n: int) -> tuple[str, ...]:
    return tuple(f"M{m}.T{i}" for i in range(1, n + 1))


THEMES: tuple[Theme, ...] = (
    Theme("health", "Migration and health", 337, _module(8, 5), 1),
    # The crisis dimension, international protection included: Module 4, the top priority (L3960).
    Theme("crisis", "The crisis dimension of migration, international protection included", 338, _module(4, 14), 3),
    # The labour courses of Module 3 (legal migration): the legal framework, policies, labour
    # agreements and highly skilled migrants.
    Theme("labour", "Labour migration", 339, ("M3.T3", "M3.T4", "M3.T5", "M3.T6"), 1),
    Theme("environment", "Migration and the environment", 340, _module(7, 4), 1),
    Theme("development", "Migration and development", 341, _module(5, 6), 1),
    Theme("return", "Return and reintegration", 342, _module(6, 5), 1),
    # Module 1's courses on these: cooperation and partnerships, migration management and its
    # programming cycle, the Global Compact.
    Theme("management", "Migration management, international cooperation and partnerships on migration", 343,
          ("M1.T2", "M1.T4", "M1.T5", "M1.T6"), 1),
)


def priorities() -> dict[str, int]:
    """Topic id -> its programme priority from the Road Map themes (absent: none)."""
    out: dict[str, int] = {}
    for theme in THEMES:
        for topic in theme.topics:
            out[topic] = max(out.get(topic, 0), theme.priority)
    return out


# The themes are short-term priorities: each is due by the second year of the rollout, when the
# topics the first year's nominations could not fill have had a second call for nominations.
# Module 4 comes first through its priority (3), not an earlier deadline.
DUE_BY_YEAR = 2
ROLLOUT_YEARS = 3


def rollout() -> dict[str, object]:
    """The default rollout: three years, every topic at least once, the seven themes by year 2."""
    return {"years": ROLLOUT_YEARS, "themes": [
        {"id": t.id, "name": t.name, "topics": list(t.topics), "by_year": DUE_BY_YEAR} for t in THEMES]}
