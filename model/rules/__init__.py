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
    RuleInfo("trainer_days_women_share_year", "The year's trainer-days meet the women's share target"),
    RuleInfo("trainer_days_women_share_module", "Each module's trainer-days meet the women's share target"),
    RuleInfo("trainer_days_women_share_month", "Each month's trainer-days meet the women's share target"),
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
    RuleInfo("trainer_days_off_women_share_year", "Trainer-days outside the year's women's share band",
             "trainer-days", "trainer_days_off_women_share_year"),
    RuleInfo("trainer_days_off_women_share_module", "Trainer-days outside a module's women's share band",
             "trainer-days", "trainer_days_off_women_share_module"),
    RuleInfo("trainer_days_off_women_share_month", "Trainer-days outside a month's women's share band",
             "trainer-days", "trainer_days_off_women_share_month"),
)

# The participant allocation (scheduler/allocation.py), a separate model run after the calendar:
# its rules are checked by model/participants.py and weighed apart from the calendar's objective.
PARTICIPANT_HARD_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("participant_nominated_for_the_edition",
             "A participant sits only in a scheduled edition of a topic they were nominated for"),
    RuleInfo("participant_seats_within_capacity",
             "An edition's participants fit its planned seats, its room and the platform"),
    RuleInfo("participant_one_edition_per_topic", "A participant attends at most one edition of a topic"),
    RuleInfo("participant_mode_compatible",
             "A participant attends in a mode they asked for and the edition offers"),
    RuleInfo("participant_available", "A participant is available in the months the edition runs"),
    RuleInfo("participant_prerequisite_taken", "A participant has taken each prerequisite topic first"),
    RuleInfo("participants_women_share_edition", "Each edition's participants meet the women's share band"),
    RuleInfo("country_within_cap", "No country takes more than its cap of an edition's seats"),
)

PARTICIPANT_SOFT_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("nomination_unplaced", "Nominations left without a seat",
             "nominations x preference (3 first choice, 2 second, 1 other)", "nomination_unplaced"),
    RuleInfo("participants_off_women_share", "Participants outside an edition's women's share band",
             "participants", "participants_off_women_share"),
    RuleInfo("country_over_cap", "Participants over a country's cap of an edition's seats", "participants",
             "country_over_cap"),
)

RULES: dict[str, RuleInfo] = {
    r.id: r for r in HARD_RULES + SOFT_RULES + PARTICIPANT_HARD_RULES + PARTICIPANT_SOFT_RULES
}
