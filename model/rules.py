"""The planner rules, by id: their human names and units, hard apart from soft.

The engine (``scheduler/rules.py``) and the checker (``model/check.py``) both key their
work on these ids, so a rule has one name everywhere: logs, JSON, API, Excel.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    id: str
    name: str
    unit: str = ""
    weight_field: str | None = None  # the Weights field of a soft rule


HARD_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("mandatory_edition_scheduled", "Every mandatory edition is on the calendar"),
    RuleInfo("course_on_consecutive_working_days", "A course runs on consecutive working days"),
    RuleInfo("course_length_within_range", "A course lasts as long as the programme says"),
    RuleInfo("edition_within_its_window", "An edition runs inside its date window"),
    RuleInfo("room_fits_the_edition", "The room has the seats and equipment the edition needs"),
    RuleInfo("room_open", "The room and its venue are open on every course day"),
    RuleInfo("room_not_double_booked", "A room hosts one course at a time"),
    RuleInfo("online_stream_limit", "No more hybrid and online courses at once than the platform carries"),
    RuleInfo("trainer_qualified", "Every trainer is qualified for the topic and speaks its language"),
    RuleInfo("trainer_available", "Every trainer is available on every course day"),
    RuleInfo("trainer_not_double_booked", "A trainer teaches one course at a time"),
    RuleInfo("trainer_month_limit", "A trainer's days in a month stay within their limit"),
    RuleInfo("trainer_year_limit", "A trainer's days in the horizon stay within their limit"),
    RuleInfo("organisation_quota", "An organisation's trainer-days stay within its quota"),
    RuleInfo("team_size_within_limits", "A team has between the minimum and maximum number of trainers"),
    RuleInfo("team_covers_required_organisations", "A team includes a trainer of each required organisation"),
    RuleInfo("team_mixed_gender", "A team of two or more has at least one woman and one man"),
    RuleInfo("prerequisite_finished_first", "A prerequisite topic is delivered first, with its gap"),
    RuleInfo("pinned_edition_kept", "A pinned edition keeps its date, room and team"),
    RuleInfo("budget_within_cap", "Fees and room costs stay within the budget"),
)

SOFT_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("optional_edition_left_out", "Optional editions left out", "editions x (1+priority)",
             "optional_edition_left_out"),
    RuleInfo("priority_topic_late", "Priority topics scheduled late", "working days x priority",
             "priority_topic_late"),
    RuleInfo("busiest_month", "Training days in the busiest month", "days", "busiest_month"),
    RuleInfo("busiest_trainer", "Training days of the busiest trainer", "days", "busiest_trainer"),
    RuleInfo("cost", "Trainer fees and room costs", "100 USD", "cost"),
    RuleInfo("linked_topics_overlap", "Linked topics running at the same time", "pairs",
             "linked_topics_overlap"),
    RuleInfo("team_without_mixed_gender", "Teams without both a woman and a man", "teams",
             "team_without_mixed_gender"),
    RuleInfo("course_shortened", "Days cut from a course's full length", "days", "course_shortened"),
    RuleInfo("edition_moved", "Published editions moved or dropped", "editions", "edition_moved"),
    RuleInfo("room_changed", "Published editions in another room", "editions", "room_changed"),
    RuleInfo("trainer_changed", "Published trainers taken off a team", "trainers", "trainer_changed"),
)

RULES: dict[str, RuleInfo] = {r.id: r for r in HARD_RULES + SOFT_RULES}
