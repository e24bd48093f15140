"""The planner rules: one registry, hard apart from soft, each with its one definition.

Every rule has an id, a human name (used in logs, JSON, the API, the page and Excel) and
one solver-free function: a hard rule's checker yields its breaches, a soft rule's evaluator
yields its charges (an amount in the rule's counting unit, the records, a sentence). The
checker's verdict, each soft rule's total, the penalty breakdown, the Issues sheet and the
page all derive from these functions (``model/check.py``); the engine's CP-SAT form of each
rule is registered under the same id in ``scheduler/rules.py`` (OR-Tools stays there), and a
test proves, rule by rule, that its CP-SAT term equals the evaluator's total.

Adding a rule: one checker or evaluator here (in the module of its family), one CP-SAT
function in ``scheduler/rules.py``, one line in each registry, and its tests. A soft rule says
whether it splits over a network's places (``RuleInfo.splits``); one that does not may give its
floor (``RuleInfo.floor``), which the bound by places adds (``bench/places.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from model.rules import calendar, demand, guests, participants, programme, rooms, trainers, women_share
from model.rules.reading import Breach, Charge, Reading, Violation

if TYPE_CHECKING:
    from model.problem import Problem

Checker = Callable[[Reading], Iterable[Breach]]
Evaluator = Callable[[Reading], Iterable[Charge]]
Floor = Callable[["Problem"], float]

__all__ = ["HARD_RULES", "PARTICIPANT_HARD_RULES", "PARTICIPANT_SOFT_RULES", "RULES", "SOFT_RULES", "Breach",
           "Charge", "Reading", "RuleInfo", "Violation"]


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the registry holds it: its id, planner name, unit and solver-free function."""

    id: str
    name: str
    unit: str = ""
    check: Checker | None = None  # a hard rule's checker
    evaluate: Evaluator | None = None  # a soft rule's evaluator
    factor: float = 1.0  # points per unit and weight (cost is counted in USD, weighted per 100 USD)
    weight_field: str | None = None  # the ``Weights`` field of a soft rule (its id unless said)
    # The rule splits over the places of a programme (bench/places.py: groups of editions that share
    # no topic, prerequisite, linked topic or venue): a hard rule that holds on the whole holds on each
    # place alone, a soft rule's amount is the sum of its amounts on the places. A peak, a share or a
    # minimum over the whole programme does not split. The bound by places keeps only the rules that
    # split; leaving one out only weakens that bound, so a rule says it splits only when it does
    # (tests/bench/test_places.py proves it on a calendar of a network).
    splits: bool = False
    # A soft rule that does not split may say the least amount it counts on any calendar of a
    # problem, from the problem's facts alone: the bound by places adds it, weighted, for the rule
    # its places leave out (tests/model/test_rule_floors.py proves it at most the amount on calendars).
    floor: Floor | None = None

    def __post_init__(self) -> None:
        if (self.check is None) == (self.evaluate is None):
            raise ValueError(f"rule {self.id}: give it a checker (hard) or an evaluator (soft), not both")
        if self.floor is not None and (self.splits or self.evaluate is None):
            raise ValueError(f"rule {self.id}: only a soft rule that does not split has a floor (the places "
                             "bound the others)")
        if self.evaluate is not None and self.weight_field is None:
            object.__setattr__(self, "weight_field", self.id)

    @property
    def hard(self) -> bool:
        return self.check is not None


def _hard(rule_id: str, name: str, check: Checker, *, splits: bool = False) -> RuleInfo:
    return RuleInfo(rule_id, name, check=check, splits=splits)


def _soft(rule_id: str, name: str, unit: str, evaluate: Evaluator, factor: float = 1.0, *,
          splits: bool = False, floor: Floor | None = None) -> RuleInfo:
    return RuleInfo(rule_id, name, unit, evaluate=evaluate, factor=factor, splits=splits, floor=floor)


HARD_RULES: tuple[RuleInfo, ...] = (
    _hard("mandatory_edition_scheduled", "Every mandatory edition is on the calendar",
          calendar.mandatory_edition_scheduled, splits=True),
    _hard("course_on_consecutive_working_days", "A course runs on consecutive working days",
          calendar.course_on_consecutive_working_days, splits=True),
    _hard("course_length_within_range", "A course lasts as long as the programme says",
          calendar.course_length_within_range, splits=True),
    _hard("edition_within_its_window", "An edition runs inside its date window",
          calendar.edition_within_its_window, splits=True),
    _hard("room_fits_the_edition", "The room has the seats and equipment the edition needs",
          rooms.room_fits_the_edition, splits=True),
    _hard("room_open", "The room and its venue are open on every course day", rooms.room_open, splits=True),
    _hard("room_not_double_booked", "A room hosts one course at a time", rooms.room_not_double_booked, splits=True),
    _hard("online_stream_limit", "No more hybrid and online courses at once than the platform carries",
          rooms.online_stream_limit, splits=True),
    _hard("trainer_qualified", "Every trainer is qualified for the topic and speaks its language",
          trainers.trainer_qualified, splits=True),
    _hard("trainer_available", "Every trainer is available on every course day",
          trainers.trainer_available, splits=True),
    _hard("trainer_not_double_booked", "A trainer teaches one course at a time",
          trainers.trainer_not_double_booked, splits=True),
    _hard("trainer_month_limit", "A trainer's days in a month stay within their limit",
          trainers.trainer_month_limit, splits=True),
    _hard("trainer_year_limit", "A trainer's days in the horizon stay within their limit",
          trainers.trainer_year_limit, splits=True),
    _hard("organisation_quota", "An organisation's trainer-days stay within its quota",
          trainers.organisation_quota, splits=True),
    _hard("team_size_within_limits", "A team has between the minimum and maximum number of trainers",
          trainers.team_size_within_limits, splits=True),
    _hard("team_covers_required_organisations", "A team includes a trainer of each required organisation",
          trainers.team_covers_required_organisations, splits=True),
    _hard("team_includes_a_lead_agency", "A person of one of the topic's lead agencies is on the team or a guest",
          trainers.team_includes_a_lead_agency, splits=True),
    _hard("guest_session_fits", "A guest session fills a slot of its edition once, on a course day, by someone "
          "who may give it", guests.guest_session_fits, splits=True),
    _hard("guest_slot_filled", "A required guest slot has its guest", guests.guest_slot_filled, splits=True),
    _hard("country_presents_once_per_edition", "No country presents twice in one edition",
          guests.country_presents_once_per_edition, splits=True),
    _hard("team_mixed_gender", "A team of two or more has at least one woman and one man",
          trainers.team_mixed_gender, splits=True),
    _hard("prerequisite_finished_first", "A prerequisite topic is delivered first, with its gap",
          programme.prerequisite_finished_first, splits=True),
    _hard("edition_has_enough_requests", "An edition runs only where enough nominees asked for it and are free",
          demand.edition_has_enough_requests, splits=True),
    _hard("pinned_edition_kept", "A pinned edition keeps its date, room and team",
          programme.pinned_edition_kept, splits=True),
    _hard("budget_within_cap", "The calendar's costs and the participants' fares and allowances stay within the "
          "budget",
          programme.budget_within_cap, splits=True),
    _hard("budget_within_quarter_caps", "What the editions starting in a quarter cost, participants' fares and "
          "allowances included, stays within the quarter's cap", programme.budget_within_quarter_caps, splits=True),
    _hard("trainer_days_women_share_year", "The year's trainer-days meet the women's share target",
          partial(women_share.women_share_within, "year")),
    _hard("trainer_days_women_share_module", "Each module's trainer-days meet the women's share target",
          partial(women_share.women_share_within, "module")),
    _hard("trainer_days_women_share_month", "Each month's trainer-days meet the women's share target",
          partial(women_share.women_share_within, "month")),
)

SOFT_RULES: tuple[RuleInfo, ...] = (
    _soft("optional_edition_left_out", "Optional editions left out", "editions x (1+priority)",
          calendar.optional_edition_left_out, splits=True),
    _soft("requests_beyond_seats", "Requests beyond the seats of a topic's editions",
          "requests x preference x (1+priority)", demand.requests_beyond_seats, splits=True),
    _soft("priority_topic_late", "Priority topics scheduled late", "working days x priority",
          calendar.priority_topic_late, splits=True),
    _soft("busiest_month", "Training days in the busiest month", "days", calendar.busiest_month,
          floor=calendar.busiest_month_floor),
    _soft("busiest_trainer", "Training days of the busiest trainer", "days", trainers.busiest_trainer),
    _soft("cost", "Fees, travel, room costs and interpretation", "100 USD", programme.cost, factor=0.01, splits=True),
    _soft("linked_topics_overlap", "Linked topics running at the same time", "pairs",
          calendar.linked_topics_overlap, splits=True),
    _soft("team_without_mixed_gender", "Teams without both a woman and a man", "teams",
          trainers.team_without_mixed_gender, splits=True),
    _soft("edition_without_lead_agency", "Editions without a person of their topic's lead agencies", "editions",
          trainers.edition_without_lead_agency, splits=True),
    _soft("guest_slot_empty", "Optional guest slots left empty", "slots", guests.guest_slot_empty, splits=True),
    _soft("country_sessions_short", "Guest sessions a country gives below the minimum", "sessions",
          guests.country_sessions_short),
    _soft("course_shortened", "Days cut from a course's full length", "days", calendar.course_shortened, splits=True),
    _soft("team_member_without_standby", "Team members without a standby kept free", "team members",
          trainers.team_member_without_standby, splits=True),
    _soft("edition_moved", "Published editions moved or dropped", "editions", programme.edition_moved, splits=True),
    _soft("room_changed", "Published editions in another room or mode", "editions",
          programme.room_changed, splits=True),
    _soft("trainer_changed", "Published teams changed: trainers taken off or added", "trainers",
          programme.trainer_changed, splits=True),
    _soft("guest_changed", "Published guest sessions moved or given by someone else", "sessions",
          programme.guest_changed, splits=True),
    _soft("trainer_days_off_women_share_year", "Trainer-days outside the year's women's share band", "trainer-days",
          partial(women_share.trainer_days_off_band, "year")),
    _soft("trainer_days_off_women_share_module", "Trainer-days outside a module's women's share band",
          "trainer-days", partial(women_share.trainer_days_off_band, "module")),
    _soft("trainer_days_off_women_share_month", "Trainer-days outside a month's women's share band",
          "trainer-days", partial(women_share.trainer_days_off_band, "month")),
)

# The participant allocation (scheduler/allocation.py), a separate model run after the calendar:
# its rules are weighed apart from the calendar's objective.
PARTICIPANT_HARD_RULES: tuple[RuleInfo, ...] = (
    _hard("participant_nominated_for_the_edition",
          "A participant sits only in a scheduled edition of a topic they were nominated for",
          participants.participant_nominated_for_the_edition),
    _hard("participant_seats_within_capacity",
          "An edition's participants fit its planned seats, its room and the platform",
          participants.participant_seats_within_capacity),
    _hard("participant_one_edition_per_topic", "A participant attends at most one edition of a topic",
          participants.participant_one_edition_per_topic),
    _hard("participant_mode_compatible", "A participant attends in a mode they asked for and the edition offers",
          participants.participant_mode_compatible),
    _hard("participant_follows_the_language",
          "A participant follows the course's language, directly or through its interpretation",
          participants.participant_follows_the_language),
    _hard("participant_available", "A participant is available in the months the edition runs",
          participants.participant_available),
    _hard("participant_prerequisite_taken", "A participant has taken each prerequisite topic first",
          participants.participant_prerequisite_taken),
    _hard("participants_women_share_edition", "Each edition's participants meet the women's share band",
          participants.participants_women_share_edition),
    _hard("country_within_cap", "No country takes more than its cap of an edition's seats",
          participants.country_within_cap),
)

PARTICIPANT_SOFT_RULES: tuple[RuleInfo, ...] = (
    _soft("nomination_unplaced", "Nominations left without a seat",
          "nominations x preference (3 first choice, 2 second, 1 other)", participants.nomination_unplaced),
    _soft("participants_off_women_share", "Participants outside an edition's women's share band", "participants",
          participants.participants_off_women_share),
    _soft("country_over_cap", "Participants over a country's cap of an edition's seats", "participants",
          participants.country_over_cap),
    _soft("edition_under_minimum", "Participants an edition lacks of its minimum", "participants",
          participants.edition_under_minimum),
    _soft("online_instead_of_in_person", "Nominees who preferred to come in person seated online", "participants",
          participants.online_instead_of_in_person),
    _soft("participant_cost", "In-person participants' fares and allowances", "100 USD", participants.participant_cost,
          factor=0.01),
)

RULES: dict[str, RuleInfo] = {
    r.id: r for r in HARD_RULES + SOFT_RULES + PARTICIPANT_HARD_RULES + PARTICIPANT_SOFT_RULES
}
