"""The planner's input workbook: a template to fill in, and its import into a :class:`Problem`.

One declarative table, :data:`LAYOUT`, lists every sheet, its columns, the problem field each
column fills, the value's type, its help text and its validation list. The template writer
(:func:`write_template`) and the reader (:func:`import_workbook`) both walk it, so they cannot
drift apart. Every import error names the sheet, the cell and the rule
(``Trainers!D14: gender 'F ' is not one of woman, man, another identity, undisclosed``), and
all errors are reported together. A validation issue reaches its cell through its structure
(the record's place in the problem -> the row it came from, the field -> the column), never
through the words of its message.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from io import BytesIO
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO, get_args

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from model.calendar import Weekday
from model.errors import InputError, Issue, IssueKind, ValidationIssues, error_issues, place_of, record_words
from model.errors import Path as DocPath
from model.formats.atomic import write_atomic
from model.formats.sheets import HEADER_FILL, HEADER_FONT, fit_widths, print_setup, wrap_headers
from model.problem import (
    BaselineEdition,
    Gender,
    Mode,
    NominationMode,
    OrgKind,
    Pin,
    Problem,
    Role,
    RuleMode,
    Targets,
    Weights,
)
from model.rules import RULES

log = logging.getLogger(__name__)

HELP_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3  # the template's layout of every sheet
VALIDATED_ROWS = 1000  # data validation reaches this far below the header, for rows planners add
README = "Read me"
DATE_FORMAT = "yyyy-mm-dd"

# Value kinds of a column.
TEXT, ID, INT, NUMBER, BOOL, DATE = "text", "id", "int", "number", "bool", "date"
SHARE = "share"  # 0..1, shown as a percentage: 40% or 0.4
MONTH = "month"  # YYYY-MM, as text (Excel turns a typed 2027-03 into a date: read back as its month)
NO_GUESTS = "none"  # a pin's Guest sessions cell: pinned without any


class _Omit:
    """A blank cell leaves the field to its default."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


class _Bad:
    """Stands in for a cell that could not be read; pydantic rejects it, and the cell's own
    error is the one reported (a record with a bad cell then skips its cross-field checks)."""

    def __repr__(self) -> str:
        return "<unreadable cell>"


BAD: Any = _Bad()


def _norm(text: str) -> str:
    """Trimmed, case-folded, ``_`` read as a space, runs of spaces as one."""
    return " ".join(text.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class Choices:
    """A fixed list of allowed values, each with the words a planner reads and writes."""

    values: tuple[str, ...]
    shown: tuple[str, ...]

    @classmethod
    def of(cls, literal: Any, **shown: str) -> Choices:
        values = get_args(literal)
        return cls(values, tuple(shown.get(v, v.replace("_", " ")) for v in values))

    def show(self, value: str) -> str:
        return self.shown[self.values.index(value)]

    def match(self, text: str) -> str | None:
        key = _norm(text)
        for value, shown in zip(self.values, self.shown, strict=True):
            if key in (_norm(value), _norm(shown)):
                return value
        return None

    def listing(self) -> str:
        return ", ".join(self.shown)


GENDERS = Choices.of(Gender)
MODES = Choices.of(Mode)
ORG_KINDS = Choices.of(OrgKind, un_agency="UN agency", ngo="NGO")
RULE_MODES = Choices.of(RuleMode)
NOMINATION_MODES = Choices.of(NominationMode)
WEEKDAYS = Choices.of(Weekday)
ROLES = Choices.of(Role, both="trainer and guest")
CLOSURE_KINDS = Choices(("centre", "holiday", "venue", "room"),
                        ("centre closure", "extra holiday", "venue closure", "room closure"))


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one row of a settings sheet) and the field it fills.

    ``field`` is the record's field (a dotted path on settings sheets). ``ref`` names the
    sheet whose ids the values must be; ``many`` puts several values in one cell, split on
    ``sep``; ``empty`` is the word for an empty list where a blank cell means "not set";
    ``blank`` is the value of a blank cell (``OMIT``: the field's default). A column with
    ``read=False`` is an aid for the planner (a title next to an id): written, never read.
    """

    header: str
    field: str
    kind: str = TEXT
    help: str = ""
    width: float = 14
    required: bool = False
    choices: Choices | None = None
    ref: str | None = None
    many: bool = False
    sep: str = ","
    item: str = ""
    empty: str | None = None
    blank: Any = OMIT
    allowed: str | None = None
    read: bool = True
    unit: str = ""

    @property
    def label(self) -> str:
        """What one value is called in a message."""
        return self.item or _lower_first(self.header)

    def listing(self) -> str:
        if self.choices:
            return self.choices.listing()
        if self.kind == BOOL:
            return "yes, no"
        if self.allowed:
            return self.allowed.strip('"').replace(",", ", ")
        if self.ref:
            return f"an id from the {self.ref} sheet"
        return ""


@dataclass(frozen=True)
class TableSheet:
    """A sheet with one record per row, headers on :data:`HEADER_ROW`."""

    name: str
    help: str
    columns: tuple[Column, ...]
    key: str | None = None
    required: bool = True
    write_empty: bool = True

    @property
    def key_column(self) -> Column | None:
        return next((c for c in self.columns if c.field == self.key), None)


@dataclass(frozen=True)
class SettingsSheet:
    """A sheet of named settings, one per row: the name, its value, then notes."""

    name: str
    help: str
    key_header: str
    settings: tuple[Column, ...]
    notes: tuple[str, ...] = ("Help",)
    value_header: str = "Value"
    required: bool = True

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.settings


Sheet = TableSheet | SettingsSheet


_SCOPES = {"trainer_days_year": "Women's share of trainer-days in the year",
           "trainer_days_module": "Women's share of trainer-days in each module",
           "trainer_days_month": "Women's share of trainer-days in each month",
           "participants_edition": "Women's share of each edition's participants"}


def _target_settings() -> tuple[Column, ...]:
    """A band's three rows (at least, at most, rule) per gender target, then the country cap."""
    out = []
    for name in Targets.model_fields:
        path = f"targets.{name}"
        if name == "country_cap_edition":
            out += [Column("One country's share of an edition's seats, at most", f"{path}.max_share", SHARE,
                           "e.g. 25%: no country takes more of one edition's seats (in person and online)"),
                    Column("One country's share of an edition's seats: rule", f"{path}.mode",
                           choices=RULE_MODES, help="hard: always; soft: a penalty per seat over; off")]
            continue
        label = _SCOPES.get(name, name.replace("_", " ").capitalize())
        out += [Column(f"{label}, at least", f"{path}.min_share", SHARE, "e.g. 40%; blank: no minimum",
                       blank=None),
                Column(f"{label}, at most", f"{path}.max_share", SHARE, "e.g. 60%; blank: no maximum",
                       blank=None),
                Column(f"{label}: rule", f"{path}.mode", choices=RULE_MODES,
                       help="hard: always; soft: a penalty per person (or day) outside the band; off")]
    return tuple(out)


def _weight_settings() -> tuple[Column, ...]:
    by_field = {r.weight_field: r for r in RULES.values() if r.weight_field}
    out = []
    for name, info in Weights.model_fields.items():
        rule = by_field.get(name)
        out.append(Column(rule.name if rule else name.replace("_", " ").capitalize(), f"weights.{name}",
                          NUMBER, f"points {info.description or ''}; 0 switches the rule off",
                          unit=rule.unit if rule else ""))
    return tuple(out)


def _guest_sessions(name: str, editions: str, help: str, write_empty: bool = True) -> TableSheet:
    """A sheet of guest sessions, one per row, each of an edition on the ``editions`` sheet."""
    return TableSheet(name, help, (
        Column("Edition", "edition", ID, f"edition id from the {editions} sheet", 10, required=True, ref=editions),
        Column("Slot", "slot", ID, "the guest slot's name on the Guest slots sheet, e.g. country", 10,
               required=True),
        Column("Person", "person", ID, "trainer id of who gives it", 8, required=True, ref="Trainers"),
        Column("Name (from Trainers)", "name", help="for reading only", width=30, read=False),
        Column("Day", "day", DATE, "the course day it is given", 12, required=True),
    ), required=False, write_empty=write_empty)


LAYOUT: tuple[Sheet, ...] = (
    SettingsSheet("Settings", "The planning horizon, the working week and the online platform.", "Setting", (
        Column("Problem name", "name", help="a name for this plan, shown on every output"),
        Column("Description", "description", help="free text"),
        Column("Horizon starts", "calendar.start", DATE, "first day of the plan", required=True),
        Column("Horizon ends", "calendar.end", DATE, "last day of the plan (included)", required=True),
        Column("Working weekdays", "calendar.working_weekdays", choices=WEEKDAYS, many=True, item="weekday",
               help="comma-separated: mon, tue, wed, thu, fri, sat, sun"),
        Column("National holidays of", "calendar.holiday_country", ID, blank=None,
               help="ISO country code whose public holidays are days off (AZ); blank: none"),
        Column("Courses may straddle weekends and holidays", "calendar.allow_straddle", BOOL,
               "no: a course always runs on consecutive calendar days"),
        Column("Online streams at once", "platform.max_concurrent_streams", INT,
               "hybrid and online courses the platform carries on the same day"),
        Column("Online seats per stream", "platform.online_seats_per_stream", INT,
               "remote participants of an online-only course"),
        Column("Budget (USD)", "budget_usd", INT, (
            "cap on the whole cost: fees, travel, rooms, interpretation, participants' fares and allowances; "
            "blank: no cap (caps by quarter: the Quarterly budgets sheet)")),
        Column("Countries of the region", "countries", many=True, item="country",
               help="comma-separated; when given, every country on the other sheets must be one of them"),
        Column("Languages", "languages", ID, many=True, item="language",
               help="language codes in use, comma-separated; when given, every language on the other sheets "
                    "must be one of them"),
        Column("Interpretation channels online", "platform.interpretation_channels", INT,
               "audio channels a stream carries besides the course's, for interpretation"),
        Column("Interpretation (USD a day a language)", "costs.interpretation_day_usd", INT,
               "the price of interpreting an edition into one language for a day"),
        Column("Participant allowance (USD a night)", "costs.allowance_night_usd", INT,
               "an in-person participant's daily allowance, per night at the venue (a night per course day)"),
        Column("Rollout years", "rollout.years", INT,
               "1 to 3: the horizon is the first year; the later ones are planned by quarter (rtcm rollout)"),
        Column("Rollout: most course days in a later quarter", "rollout.course_days_per_quarter", INT,
               "blank: the first year's pace", blank=None),
        Column("Rollout: dropped topics", "rollout.dropped", ID, many=True, item="topic",
               help="topic ids the rollout need not run, comma-separated"),
    )),
    TableSheet("Modules", "The modules of the curriculum.", (
        Column("Module", "number", INT, "module number, 1, 2, ...", 8, required=True),
        Column("Title", "title", help="module title", width=60, required=True),
        Column("Connected modules", "connected_modules", INT, "comma-separated module numbers", 12,
               ref="Modules", many=True, item="connected module"),
    ), key="number"),
    TableSheet("Topics", "The catalogue: one row per course. Lists are comma-separated.", (
        Column("Id", "id", ID, "M<module>.T<topic>, e.g. M3.T2", 8, required=True),
        Column("Module", "module", INT, "the module's number", 8, required=True, ref="Modules"),
        Column("Title", "title", help="course title", width=60, required=True),
        Column("Min days", "duration_min", INT, "shortest length in days", 7, required=True),
        Column("Max days", "duration_max", INT, "longest length in days", 7, required=True),
        Column("Modes", "modes", choices=MODES, many=True, item="mode", width=18,
               help="comma-separated: hybrid, in person, online; blank: hybrid, in person"),
        Column("Target audiences", "target_audiences", many=True, item="audience", width=40,
               help="comma-separated, e.g. government, csos, academia"),
        Column("Resource organisations", "resource_organisations", ID, "comma-separated organisation ids",
               30, ref="Organisations", many=True, item="resource organisation"),
        Column("Resource persons (as written)", "resource_persons_raw", many=True, sep=";", width=40,
               item="resource person", help="the curriculum's own words, separated by semicolons"),
        Column("Links", "links", ID, "related topics (not prerequisites), comma-separated", 16,
               ref="Topics", many=True, item="linked topic"),
        Column("Lead agencies", "lead_agencies", ID, "organisations whose presence matters: a person of one "
               "of them delivers part of each edition; comma-separated", 18, ref="Organisations", many=True,
               item="lead agency"),
    ), key="id"),
    TableSheet("Programme", "What to deliver in the horizon: one row per topic.", (
        Column("Topic", "topic", ID, "topic id from the Topics sheet", 8, required=True, ref="Topics"),
        Column("Title (from Topics)", "title", help="for reading only; the Topics sheet holds the title",
               width=40, read=False),
        Column("Editions", "editions", INT, "the most times to deliver it", 8),
        Column("Mode", "mode", choices=MODES, help="hybrid, in person or online; with Modes, the one preferred",
               width=10),
        Column("Modes", "modes", choices=MODES, many=True, item="mode", width=18,
               help="comma-separated modes the solver chooses between for each edition, e.g. hybrid, in person; "
                    "blank: Mode alone"),
        Column("Days", "duration_days", INT, "fixed length; blank: the solver chooses in the topic's range",
               6),
        Column("Earliest start", "earliest_start", DATE, "blank: the horizon's start", 12),
        Column("Latest end", "latest_end", DATE, "blank: the horizon's end", 12),
        Column("Priority", "priority", INT, "0 none .. 3 urgent: earlier is better", 8, allowed='"0,1,2,3"'),
        Column("Mandatory", "mandatory", BOOL, "no: the solver may leave its editions out, at a penalty "
               "(Min editions overrides)", 10),
        Column("In person", "participants_in_person", INT, "expected participants in the room", 9),
        Column("Online", "participants_online", INT, "expected remote participants", 8),
        Column("Language", "language", ID, "language code, e.g. en, ru", 9),
        Column("Required organisations", "required_organisations", ID, ref="Organisations", many=True,
               item="organisation", empty="none", width=18,
               help="comma-separated organisation ids the team must include; blank: the Targets sheet's; "
                    "none: no organisation required"),
        Column("Interpretation", "interpretation", ID, "languages it is interpreted into, comma-separated", 12,
               many=True, item="language"),
        Column("Min editions", "min_editions", INT, "editions that must run; blank: all when mandatory, "
               "none otherwise", 9),
        Column("Min participants", "min_participants", INT, "fewest participants an edition runs with; "
               "with nominations, it runs only where that many asked and are free", 11),
        Column("Venues", "venues", ID, "venue ids its editions may be held in, comma-separated; blank: any", 14,
               ref="Venues", many=True, item="venue"),
    ), key="topic"),
    TableSheet("Guest slots", "A day inside each edition given by a guest (an agency's expert, a country's "
               "representative), besides the team: one row per slot. The solver picks who and which day.", (
        Column("Topic", "topic", ID, "topic id from the Programme sheet", 8, required=True, ref="Programme"),
        Column("Slot", "id", ID, "the slot's name within the topic, e.g. country", 10, required=True),
        Column("Organisations", "organisations", ID, "whose people may give it: organisation ids, "
               "comma-separated", 24, required=True, ref="Organisations", many=True, item="organisation"),
        Column("Required", "required", BOOL, "yes: every edition has it filled; no: an empty slot costs a "
               "penalty", 9),
        Column("Title", "title", help="what is presented, e.g. Regional best practice", width=30),
    ), required=False),
    TableSheet("Prerequisites", "Topic Before is delivered before topic After starts.", (
        Column("Before", "before", ID, "topic id", 8, required=True, ref="Topics"),
        Column("After", "after", ID, "topic id", 8, required=True, ref="Topics"),
        Column("Min gap days", "min_gap_days", INT, "calendar days between the two", 8),
        Column("Max gap days", "max_gap_days", INT, "blank: no limit", 8),
        Column("Reason", "reason", help="why", width=50),
    )),
    TableSheet("Organisations", "Organisations that give trainers and resource persons.", (
        Column("Id", "id", ID, "short id used on the other sheets, e.g. IOM", 12, required=True),
        Column("Name", "name", help="full name", width=40, required=True),
        Column("Kind", "kind", choices=ORG_KINDS, help="what kind of organisation", width=14),
        Column("Trainer-day quota", "trainer_day_quota", INT,
               "most trainer-days its trainers give; blank: none", 10),
    ), key="id"),
    TableSheet("Trainers", "Trainers and resource persons. Topics, modules and languages: comma-separated.", (
        Column("Id", "id", ID, "short id, e.g. T07", 7, required=True),
        Column("Name", "name", help="full name", width=30, required=True),
        Column("Gender", "gender", choices=GENDERS, help="woman, man, another identity or undisclosed",
               width=12, required=True),
        Column("Organisation", "organisation", ID, "organisation id", 12, required=True, ref="Organisations"),
        Column("Topics", "topics", ID, "topic ids they can teach, comma-separated", 30, ref="Topics",
               many=True, item="topic"),
        Column("Modules", "modules", INT, "whole modules they can teach, comma-separated", 10, ref="Modules",
               many=True, item="module"),
        Column("Languages", "languages", ID, "comma-separated language codes; blank: en", 10, many=True,
               item="language"),
        Column("Max days per month", "max_days_per_month", INT, "blank: no limit", 9),
        Column("Max days per year", "max_days_per_year", INT, "blank: no limit", 9),
        Column("Day rate (USD)", "day_rate", INT, "fee per training day", 9),
        Column("Fictional", "fictional", BOOL, "yes for invented example people", 9),
        Column("Country", "country", help="the country a country representative represents; blank: none",
               width=14, blank=None),
        Column("Role", "role", choices=ROLES, width=16,
               help="trainer: on whole-course teams only; guest: gives guest sessions only; trainer and guest: "
                    "either; blank: trainer and guest"),
        Column("Travel (USD)", "travel_usd", INT, "one trip to the venue, charged for each edition they deliver "
               "in a room (a team or a guest session); blank: 0", 9),
        Column("E-mail", "email", help="where their change notices go; blank: none sent", width=30, blank=None),
    ), key="id"),
    TableSheet("Trainer availability", "Periods a trainer cannot teach: one row per period.", (
        Column("Trainer", "trainer", ID, "trainer id", 8, required=True, ref="Trainers"),
        Column("Name (from Trainers)", "name", help="for reading only", width=30, read=False),
        Column("Unavailable from", "start", DATE, "first day away", 12, required=True),
        Column("Unavailable to", "end", DATE, "last day away (included)", 12, required=True),
        Column("Reason", "reason", help="e.g. annual leave", width=30),
    )),
    TableSheet("Venues", "Places with training rooms.", (
        Column("Id", "id", ID, "short id, e.g. RTCM", 10, required=True),
        Column("Name", "name", help="full name", width=40, required=True),
        Column("City", "city", help="blank: Baku", width=12),
    ), key="id"),
    TableSheet("Rooms", "Training rooms, each in a venue.", (
        Column("Venue", "venue", ID, "venue id", 10, required=True, ref="Venues"),
        Column("Id", "id", ID, "room id, unique across venues", 12, required=True),
        Column("Name", "name", help="room name", width=36, required=True),
        Column("Seats", "seats", INT, "in-person seats", 7, required=True),
        Column("Hybrid", "hybrid", BOOL, "equipped to stream a hybrid course", 8),
        Column("Online seats", "online_seats", INT, "remote participants it can host (hybrid rooms)", 8),
        Column("Day cost (USD)", "day_cost", INT, "cost per day in use", 9),
        Column("Interpretation booths", "interpretation_booths", INT,
               "languages it can interpret into at once", 9),
        Column("Manager", "manager", help="who manages the room; its change notices greet them", width=28,
               blank=None),
        Column("Manager e-mail", "manager_email", help="where the room's change notices go; blank: none sent",
               width=30, blank=None),
    ), key="id"),
    TableSheet("Closures", "Days off beyond weekends and national holidays: for the whole centre, "
               "a venue or a room; and extra holidays.", (
        Column("Kind", "kind", choices=CLOSURE_KINDS, required=True, width=14,
               help="centre closure, extra holiday, venue closure or room closure"),
        Column("Venue", "venue", ID, "for a venue closure: the venue id", 10, ref="Venues"),
        Column("Room", "room", ID, "for a room closure: the room id", 12, ref="Rooms"),
        Column("Start", "start", DATE, "first day closed", 12, required=True),
        Column("End", "end", DATE, "last day closed (included); blank for an extra holiday", 12),
        Column("Reason", "reason", help="e.g. summer break; the holiday's name", width=30),
    )),
    SettingsSheet("Targets", "What every team must look like, and the gender parity targets.",
                  "Target", (
        Column("Trainers per team, at least", "team_rules.min_trainers", INT, "smallest team"),
        Column("Trainers per team, at most", "team_rules.max_trainers", INT, "largest team"),
        Column("Organisations on every team", "team_rules.required_organisations", ID, ref="Organisations",
               many=True, item="organisation", blank=(),
               help="comma-separated organisation ids: one trainer of each on every team"),
        Column("A woman and a man on every team", "team_rules.mixed_gender", choices=RULE_MODES,
               help="hard: always; soft: a penalty when not; off: no rule"),
        *_target_settings(),
        Column("A lead agency on every team", "team_rules.lead_agency", choices=RULE_MODES,
               help="a person of one of the topic's lead agencies: hard (soft where nobody of them can "
                    "teach it); soft: a penalty when not; off: no rule"),
        Column("Guest sessions per country, at least", "team_rules.country_sessions_min", INT,
               "sessions each of the problem's countries should give in the horizon where a slot asks for a "
               "country's representative (soft); 0: no minimum"),
    ), required=False),
    SettingsSheet("Weights", "Points per unit of each soft rule: the higher, the more it matters.",
                  "Soft rule", _weight_settings(), notes=("Unit", "Help"), value_header="Weight",
                  required=False),
    TableSheet("Nominations", "People nominated for training, anonymous: an id, never a name.", (
        Column("Id", "id", ID, "nomination id, e.g. N001", 8, required=True),
        Column("Gender", "gender", choices=GENDERS, width=12,
               help="woman, man, another identity or undisclosed; blank: undisclosed (never guessed)"),
        Column("Country", "country", ID, "country code or name", 10, required=True),
        Column("Audience", "audience", ID, "target audience, e.g. government, border_police, csos", 14,
               required=True),
        Column("Topics", "topics", ID, "topics nominated for, comma-separated, first choice first", 24,
               required=True, ref="Topics", many=True, item="topic"),
        Column("Mode", "mode", choices=NOMINATION_MODES, help="in person, online or either", width=10),
        Column("Unavailable months", "unavailable_months", MONTH, "months away, comma-separated: 2027-03, "
               "2027-04", 18, many=True, item="unavailable month"),
        Column("Completed", "completed", ID, "topics taken before this horizon, comma-separated", 18,
               ref="Topics", many=True, item="completed topic"),
        Column("Languages", "languages", ID, "languages they follow a course in, comma-separated; blank: any",
               12, many=True, item="language"),
    ), key="id", required=False),
    TableSheet("Fares", "A return fare to the venue for an in-person participant, by country: one row per "
               "country. Once any is listed, every country whose nominees may sit in person needs one; no row "
               "(or no sheet): no fares.", (
        Column("Country", "country", ID, "a country of the region, as on the Settings sheet and the "
               "Nominations sheet", 18, required=True),
        Column("Fare (USD)", "fare", INT, "a return fare to the venue for one in-person participant", 10,
               required=True),
    ), key="country", required=False),
    TableSheet("Quarterly budgets", "Caps by quarter, besides the yearly budget: one row per quarter. "
               "Everything an edition costs, its participants' fares and allowances included, counts in the "
               "quarter of its first day. No row (or no sheet): no quarterly cap.", (
        Column("Quarter", "quarter", ID, "the quarter, as YYYY-Qn: 2027-Q1 is January to March 2027", 10,
               required=True),
        Column("Cap (USD)", "cap", INT, "the most the editions starting in the quarter may cost", 12,
               required=True),
    ), key="quarter", required=False),
    TableSheet("Themes", "Priorities the rollout must cover: every topic of a theme runs at least once by "
               "the end of the year it is due (1: the horizon). No row (or no sheet): no theme.", (
        Column("Id", "id", ID, "a short name, e.g. health", 12, required=True),
        Column("Name", "name", help="the theme as the Road Map names it", width=40),
        Column("Topics", "topics", ID, "topic ids, comma-separated", 30, required=True, ref="Topics", many=True,
               item="topic"),
        Column("Due by year", "by_year", INT, "the rollout year by which every topic of it has run", 8,
               required=True),
    ), key="id", required=False),
    TableSheet("Pins", "Editions to keep where they are: any of start, room, mode and team.", (
        Column("Edition", "edition", ID, "edition id, e.g. M3.T2#1", 10, required=True),
        Column("Start", "start", DATE, "blank: free", 12),
        Column("Room", "room", ID, "blank: free", 12, ref="Rooms"),
        Column("Mode", "mode", choices=MODES, help="one of the programme item's modes; blank: free", width=10),
        Column("Trainers", "trainers", ID, "the exact team, comma-separated; blank: free", 16, ref="Trainers",
               many=True, item="trainer"),
        Column("Guest sessions", "guests", help="blank: those on the Pinned guest sessions sheet, free when it "
               "lists none; none: no guest session", width=12, allowed=f'"{NO_GUESTS}"'),
        Column("Reason", "reason", help="why", width=30),
    ), key="edition", required=False),
    _guest_sessions("Pinned guest sessions", "Pins", "The exact guest sessions of a pinned edition: one row per "
                    "session. A pin with no row here leaves its guests to the solver (write none in its Guest "
                    "sessions cell on the Pins sheet to pin it without any)."),
    TableSheet("Baseline", "A published calendar that a re-plan should change as little as possible.", (
        Column("Edition", "edition", ID, "edition id", 10, required=True),
        Column("Start", "start", DATE, "published start", 12, required=True),
        Column("Room", "room", ID, "published room", 12, ref="Rooms"),
        Column("Mode", "mode", choices=MODES, help="published mode", width=10),
        Column("Trainers", "trainers", ID, "published team, comma-separated", 16, ref="Trainers", many=True,
               item="trainer"),
    ), key="edition", required=False, write_empty=False),
    _guest_sessions("Published guest sessions", "Baseline", "The guest sessions of the published calendar: one "
                    "row per session of an edition on the Baseline sheet.", write_empty=False),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in LAYOUT}
# The sheets whose rows other sheets refer to, and the column holding the id.
ID_SHEETS = {s.name: s.key for s in LAYOUT if isinstance(s, TableSheet) and s.key and s.name in {
    "Modules", "Topics", "Programme", "Organisations", "Trainers", "Venues", "Rooms", "Pins", "Baseline"}}


# ------------------------------------------------------------------------ rows of a problem


def _dump(records: Iterable[Any], **extra: Callable[[Any], Any]) -> list[dict[str, Any]]:
    return [{**r.model_dump(), **{k: f(r) for k, f in extra.items()}} for r in records]


def _closure_rows(p: Problem) -> list[dict[str, Any]]:
    rows = [{"kind": "centre", **c.model_dump()} for c in p.calendar.closures]
    rows += [{"kind": "holiday", "start": h.day, "end": h.day, "reason": h.name}
             for h in p.calendar.extra_holidays]
    rows += [{"kind": "venue", "venue": v.id, **c.model_dump()} for v in p.venues for c in v.closures]
    rows += [{"kind": "room", "venue": v.id, "room": r.id, **c.model_dump()}
             for v, r in p.rooms for c in r.closures]
    return rows


def _session_rows(p: Problem, kept: Iterable[Pin | BaselineEdition]) -> list[dict[str, Any]]:
    names = {t.id: t.name for t in p.trainers}
    return [{"edition": k.edition, "name": names.get(g.person), **g.model_dump()} for k in kept for g in k.guests or []]


ROWS_OF: dict[str, Callable[[Problem], list[dict[str, Any]]]] = {
    "Modules": lambda p: _dump(p.modules),
    "Topics": lambda p: _dump(p.topics),
    # Mode is written as the one preferred, which an item with modes but no mode set leaves implicit.
    "Programme": lambda p: _dump(p.programme, title=lambda i: p.topic_by_id[i.topic].title,
                                 mode=lambda i: i.allowed_modes[0]),
    "Guest slots": lambda p: [{"topic": i.topic, **g.model_dump()} for i in p.programme for g in i.guest_slots],
    "Prerequisites": lambda p: _dump(p.prerequisites),
    "Organisations": lambda p: _dump(p.organisations),
    "Trainers": lambda p: _dump(p.trainers),
    "Trainer availability": lambda p: [{"trainer": t.id, "name": t.name, **u.model_dump()}
                                       for t in p.trainers for u in t.unavailable],
    "Venues": lambda p: _dump(p.venues),
    "Rooms": lambda p: [{"venue": v.id, **r.model_dump()} for v, r in p.rooms],
    "Closures": _closure_rows,
    "Nominations": lambda p: _dump(p.nominations),
    "Fares": lambda p: [{"country": c, "fare": f} for c, f in p.costs.participant_fares_usd.items()],
    "Quarterly budgets": lambda p: [{"quarter": q, "cap": usd} for q, usd in p.quarterly_budget_usd.items()],
    "Themes": lambda p: _dump(p.rollout.themes),
    "Pins": lambda p: _dump(p.pins, guests=lambda pin: NO_GUESTS if pin.guests == [] else None),
    "Pinned guest sessions": lambda p: _session_rows(p, p.pins),
    "Baseline": lambda p: _dump(p.baseline),
    "Published guest sessions": lambda p: _session_rows(p, p.baseline),
}


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# ----------------------------------------------------------------------------- the writer


_FORMATS = {DATE: DATE_FORMAT, SHARE: "0%", MONTH: "@"}  # "@": text, so Excel keeps 2027-03 as typed


def _shown(col: Column, value: Any) -> Any:
    """A field's value as the planner sees it in a cell."""
    if value is None:
        return None
    if col.many:
        if not value:
            return col.empty
        parts = [str(_shown_one(col, v)) for v in value]
        for part in parts:
            if col.sep in part:
                raise ValueError(f"{col.header}: '{part}' contains '{col.sep}', which separates the values")
        return f"{col.sep} ".join(parts)
    return _shown_one(col, value)


def _shown_one(col: Column, value: Any) -> Any:
    if col.choices:
        return col.choices.show(value)
    if col.kind == BOOL:
        return "yes" if value else "no"
    if col.kind == NUMBER and float(value).is_integer():
        return int(value)
    return value


def _validation(col: Column, ref_ranges: dict[str, str]) -> DataValidation:
    """A drop-down list where the column has one, and the column's help as the input message."""
    formula = None
    if not col.many:
        if col.choices:
            formula = '"' + ",".join(col.choices.shown) + '"'
        elif col.kind == BOOL:
            formula = '"yes,no"'
        elif col.allowed:
            formula = col.allowed
        elif col.ref:
            formula = ref_ranges[col.ref]
    if formula:
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle=col.header[:32], error=f"Choose one of: {col.listing()}"[:255])
    else:
        dv = DataValidation(allow_blank=True)
    dv.showInputMessage = True
    dv.promptTitle = col.header[:32]
    dv.prompt = (col.help or col.header)[:255]
    return dv


def _ref_ranges() -> dict[str, str]:
    out = {}
    for name, key in ID_SHEETS.items():
        sheet = SHEET_BY_NAME[name]
        j = [c.field for c in sheet.columns].index(key) + 1
        letter = get_column_letter(j)
        out[name] = f"{quote_sheetname(name)}!${letter}${FIRST_ROW}:${letter}${VALIDATED_ROWS}"
    return out


def _table_name(sheet: str) -> str:
    return re.sub(r"\W", "", sheet.title().replace(" ", ""))


def _help_line(ws: Worksheet, text: str, width: int) -> None:
    cell = ws.cell(row=HELP_ROW, column=1, value=text)
    cell.font = Font(italic=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if width > 1:
        ws.merge_cells(start_row=HELP_ROW, start_column=1, end_row=HELP_ROW, end_column=width)
    ws.row_dimensions[HELP_ROW].height = 30


def _fit_help(ws: Worksheet, width: int) -> None:
    """Make the help line tall enough for its text over the columns' final widths."""
    text = ws.cell(row=HELP_ROW, column=1).value or ""
    chars = sum(ws.column_dimensions[get_column_letter(j)].width or 8.43 for j in range(1, width + 1))
    lines = -(-len(text) // max(1, int(chars)))
    ws.row_dimensions[HELP_ROW].height = max(30, 15 * lines)


def _headers(ws: Worksheet, headers: Sequence[str]) -> None:
    for j, h in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=h)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _as_table(ws: Worksheet, name: str, n_cols: int, last_row: int) -> None:
    end = f"{get_column_letter(n_cols)}{max(last_row, FIRST_ROW)}"
    table = Table(displayName=name, ref=f"A{HEADER_ROW}:{end}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = f"B{FIRST_ROW}"
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.print_area = f"A{HELP_ROW}:{end}"  # the rows formatted below the table for new entries stay off paper


def _write_table(ws: Worksheet, sheet: TableSheet, rows: list[dict[str, Any]], refs: dict[str, str]) -> None:
    cols = sheet.columns
    _help_line(ws, sheet.help, len(cols))
    _headers(ws, [c.header for c in cols])
    for i, row in enumerate(rows):
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(row=FIRST_ROW + i, column=j, value=_shown(col, row.get(col.field)))
            cell.number_format = _FORMATS.get(col.kind, cell.number_format)
    last = FIRST_ROW + len(rows) - 1
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if col.kind in _FORMATS:
            for r in range(last + 1, last + 100):
                ws.cell(row=r, column=j).number_format = _FORMATS[col.kind]
        dv = _validation(col, refs)
        ws.add_data_validation(dv)
        dv.add(f"{letter}{FIRST_ROW}:{letter}{VALIDATED_ROWS}")
    _as_table(ws, _table_name(sheet.name), len(cols), last)
    fit_widths(ws, [c.width for c in cols], first_row=HEADER_ROW)
    wrap_headers(ws, HEADER_ROW)
    _fit_help(ws, len(cols))


def _write_settings(ws: Worksheet, sheet: SettingsSheet, problem: Problem, refs: dict[str, str]) -> None:
    headers = [sheet.key_header, sheet.value_header, *sheet.notes]
    _help_line(ws, sheet.help, len(headers))
    _headers(ws, headers)
    for i, col in enumerate(sheet.settings):
        r = FIRST_ROW + i
        ws.cell(row=r, column=1, value=col.header)
        value = ws.cell(row=r, column=2, value=_shown(col, _get(problem, col.field)))
        value.number_format = _FORMATS.get(col.kind, value.number_format)
        value.alignment = Alignment(horizontal="left")
        for j, note in enumerate(sheet.notes, start=3):
            cell = ws.cell(row=r, column=j, value=col.unit if note == "Unit" else col.help)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        dv = _validation(col, refs)
        ws.add_data_validation(dv)
        dv.add(f"B{r}")
    _as_table(ws, _table_name(sheet.name), len(headers), FIRST_ROW + len(sheet.settings) - 1)
    fit_widths(ws, [44, 60] + [36 if note == "Unit" else 70 for note in sheet.notes], first_row=HEADER_ROW)


def _readme(ws: Worksheet) -> None:
    lines = [
        "RTCM Planner: input workbook",
        "Fill in the sheets, keeping the headers on row 2. Select a cell to see its help; drop-down "
        "lists offer the allowed values.",
        "Several values in one cell are comma-separated (resource persons: semicolon-separated). Dates: "
        "Excel dates or text like 2027-03-01. Yes/no cells take yes or no.",
        "Import: rtcm import FILE.xlsx --out problem.yaml, or solve it directly: rtcm solve FILE.xlsx. "
        "Every error names the sheet and the cell.",
        "Targets, Weights, Guest slots, Nominations, Fares, Quarterly budgets, Pins, Baseline and their guest "
        "sessions may be left out: their defaults apply. Other sheets and columns are ignored, with a warning.",
    ]
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text).font = Font(bold=True, size=14) if i == 1 else Font(italic=True)
    head = len(lines) + 2
    cols = ["Sheet", "Column or setting", "Required", "What it holds", "Allowed values"]
    for j, h in enumerate(cols, start=1):
        cell = ws.cell(row=head, column=j, value=h)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    r = head
    for sheet in LAYOUT:
        for col in sheet.columns:
            r += 1
            required = "yes" if col.required else ("for reading only" if not col.read else "")
            values = (sheet.name, col.header, required, col.help, col.listing())
            for j, v in enumerate(values, start=1):
                ws.cell(row=r, column=j, value=v or None)
    table = Table(displayName="ReadMe", ref=f"A{head}:E{r}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    for letter, width in zip("ABCDE", (22, 40, 16, 80, 40), strict=True):
        ws.column_dimensions[letter].width = width
    print_setup(ws, title_rows=None)


def template_workbook(problem: Problem) -> Workbook:
    """The input workbook of a problem: every sheet of :data:`LAYOUT`, filled in with its data.

    Parameters
    ----------
    problem
        The problem whose data fill the sheets as an example (``data.default_problem()`` for
        the RTCM catalogue and the 2027 programme).

    Returns
    -------
    openpyxl.Workbook
        A "Read me" sheet, then the sheets of :data:`LAYOUT`, each an Excel table with headers,
        help text and drop-down lists.
    """
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{problem.name}: input"
    wb.properties.creator = "RTCM Planner"
    refs = _ref_ranges()
    _readme(wb.create_sheet(README))
    for sheet in LAYOUT:
        if isinstance(sheet, SettingsSheet):
            _write_settings(wb.create_sheet(sheet.name), sheet, problem, refs)
            continue
        rows = ROWS_OF[sheet.name](problem)
        if rows or sheet.write_empty:
            _write_table(wb.create_sheet(sheet.name), sheet, rows, refs)
    return wb


def write_template(problem: Problem, path: str | Path) -> None:
    """Write the input workbook of ``problem`` to an ``.xlsx`` file, atomically.

    Parameters
    ----------
    problem
        The problem to write (its data are the example a planner edits).
    path
        The file to write.
    """
    buffer = BytesIO()
    template_workbook(problem).save(buffer)
    write_atomic(path, buffer.getvalue())


# ----------------------------------------------------------------------------- the reader


Origins = dict[DocPath, "Row"]  # a record's place in the problem -> the row it came from


@dataclass(frozen=True)
class ImportedWorkbook:
    """A problem read from a workbook, and what the reader ignored (extra sheets, columns, rows)."""

    problem: Problem
    warnings: list[str]


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int
    col: int
    header: str

    @property
    def address(self) -> str:
        return cell_address(self.sheet, self.row, self.col) if self.row else self.sheet

    @property
    def ref(self) -> str | None:
        """``D14``: the cell on its sheet."""
        return f"{get_column_letter(self.col)}{self.row}" if self.row else None


def cell_address(sheet: str, row: int, col: int) -> str:
    """``Trainers!D14``; ``'Trainer availability'!C5``: what Excel's Name Box accepts."""
    name = sheet if re.fullmatch(r"[A-Za-z_]\w*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(col)}{row}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


@dataclass
class Row:
    """One record as read: its values by field and the cell each came from.

    Once assembled, ``at`` is where its record sits in the problem and ``fields`` names the
    record's field of each column where the two differ (None: the column only says where the
    row belongs, as a room's venue); a settings sheet's paths start at the problem itself.
    Where the record is a single value under a key (a fare under its country), ``value`` names
    the value's column: a check of the value lands there, the record's own issues on its first cell.
    """

    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    at: DocPath | None = None
    fields: dict[str, str | None] = field(default_factory=dict)
    value: str | None = None

    def first_cell(self) -> Cell:
        return next(iter(self.cells.values()), Cell(self.sheet, self.row, 1, ""))

    def path_of(self, column: str) -> DocPath | None:
        """Where the value of ``column`` sits in the problem, once the row is assembled."""
        if self.at is None:
            return None
        name = self.fields.get(column, column)
        return self.at if name is None else (*self.at, *name.split("."))


@dataclass
class _Found:
    order: tuple[int, int, int]
    issue: Issue
    row: Row | None = None  # a cell's row and column: located in the problem once assembled
    column: str | None = None


@dataclass
class _Errors:
    """Every issue found, ordered by sheet, row and column; at most one per cell."""

    order: dict[str, int]
    found: list[_Found] = field(default_factory=list)
    cells: set[str] = field(default_factory=set)
    structural: bool = False
    references: bool = False
    incomplete: bool = False

    def add(self, cell: Cell, kind: IssueKind, text: str, row: Row | None = None, column: str | None = None,
            issue: Issue | None = None) -> None:
        """An issue on ``cell`` (the first one found there stands)."""
        if cell.row and cell.address in self.cells:
            return
        self.cells.add(cell.address)
        base = issue if issue is not None else Issue(kind, text)
        self.found.append(_Found((self.order.get(cell.sheet, -1), cell.row, cell.col),
                                 replace(base, text=text, label=cell.address, sheet=cell.sheet, cell=cell.ref),
                                 row, column))

    def sheet(self, sheet: str, text: str) -> None:
        self.structural = True
        self.found.append(_Found((self.order.get(sheet, -1), 0, 0), Issue("missing", text, label=sheet,
                                                                          sheet=sheet)))

    def loose(self, issue: Issue, first: bool) -> None:
        """An issue no cell holds: before every sheet's (``first``) or after them."""
        self.found.append(_Found((-1 if first else len(self.order), 0, 0), issue))

    def issues(self, raw: Any) -> list[Issue]:
        """Every issue in sheet order, each cell's located in the problem ``raw`` where its row is."""
        out = []
        for f in sorted(self.found, key=lambda x: x.order):
            issue = f.issue
            path = f.row.path_of(f.column) if f.row is not None and f.column is not None else None
            if path is not None:
                place = place_of(raw, path)
                issue = replace(issue, record=place.record, id=place.id, index=place.index, at=place.at,
                                field=place.field)
            out.append(issue)
        return out


def import_workbook(source: str | Path | bytes | BinaryIO, name: str | None = None) -> ImportedWorkbook:
    """Read an input workbook into a validated problem, with the warnings of what was ignored.

    Parameters
    ----------
    source
        The ``.xlsx`` file: a path, its bytes (an upload) or a binary file object.
    name
        The file's name in messages (default: the path's name).

    Returns
    -------
    ImportedWorkbook
        The problem, and warnings for extra sheets, columns and settings that were not read.

    Raises
    ------
    InputError
        Every error found, each naming the sheet, the cell and the rule.
    """
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    name = name or "workbook.xlsx"
    wb = _open(data, name)
    try:
        return _Reader(wb, name).run()
    finally:
        wb.close()


def read_problem_workbook(path: str | Path) -> Problem:
    """A validated problem from an input workbook; warnings go to this module's logger.

    Parameters
    ----------
    path
        The ``.xlsx`` file.

    Raises
    ------
    InputError
        Every error found, each naming the sheet, the cell and the rule.
    """
    imported = import_workbook(path)
    for w in imported.warnings:
        log.warning("%s: %s", Path(path).name, w)
    return imported.problem


_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


def _open(data: bytes, name: str) -> Workbook:
    def unreadable(text: str) -> InputError:
        return InputError([Issue("unreadable", text)], name)

    if not data:
        raise unreadable("the file is empty (0 bytes); start from `rtcm template`")
    if data.startswith(_OLE2):
        raise unreadable("the file is an Excel 97-2003 workbook (.xls); save it as an Excel Workbook (.xlsx)")
    if not data.startswith(b"PK"):
        raise unreadable("the file is not an Excel workbook (.xlsx): it looks like text or another format")
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise unreadable(f"the file is not a readable Excel workbook (.xlsx): {err}") from None


class _Reader:
    def __init__(self, wb: Workbook, name: str) -> None:
        self.wb = wb
        self.name = name
        self.errors = _Errors(order={s.name: i for i, s in enumerate(LAYOUT)})
        self.warnings: list[str] = []
        self.rows: dict[str, list[Row]] = {}

    def run(self) -> ImportedWorkbook:
        sheets = self.find_sheets()
        for spec in LAYOUT:
            ws = sheets.get(spec.name)
            if ws is None:
                continue
            grid = [tuple(r) for r in ws.iter_rows(values_only=True)]
            if isinstance(spec, TableSheet):
                self.rows[spec.name] = self.read_table(spec, grid)
            else:
                self.rows[spec.name] = self.read_settings(spec, grid)
        if self.errors.structural:
            raise InputError(self.errors.issues(None), self.name)
        self.resolve_references()
        self.check_unique()
        raw, origins = self.assemble()
        problem = self.validate(raw, origins)
        if self.errors.found or problem is None:
            issues = self.errors.issues(raw) or [Issue("invalid_value", "the workbook does not hold a valid problem")]
            raise InputError(issues, self.name)
        return ImportedWorkbook(problem, self.warnings)

    # -- structure ---------------------------------------------------------------------------

    def find_sheets(self) -> dict[str, Worksheet]:
        by_norm = {_norm(s.name): s for s in LAYOUT}
        found: dict[str, Worksheet] = {}
        for ws in self.wb.worksheets:
            spec = by_norm.get(_norm(ws.title))
            if spec is not None and spec.name not in found:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # some tools write a wrong used range
                found[spec.name] = ws
            elif _norm(ws.title) != _norm(README):
                self.warnings.append(f"sheet '{ws.title}' is not part of the input workbook; it was not read")
        for spec in LAYOUT:
            if spec.name in found:
                continue
            if spec.required:
                self.errors.sheet(spec.name, "the sheet is missing")
            elif spec.name in ("Targets", "Weights"):
                self.warnings.append(f"sheet '{spec.name}' is missing: the default {spec.name.lower()} apply")
        return found

    def find_header(self, grid: list[tuple[Any, ...]], wanted: dict[str, Any]) -> int | None:
        """The index of the row holding most of the ``wanted`` headers, within the first ten."""
        best, best_at = 0, None
        for i, row in enumerate(grid[:10]):
            n = sum(1 for v in row if isinstance(v, str) and _norm(v) in wanted)
            if n > best:
                best, best_at = n, i
        return best_at

    def columns_of(self, sheet: str, header: tuple[Any, ...], cols: Sequence[Column]) -> dict[int, Column]:
        """The columns found on the header row, by position; warnings for the ones not read."""
        names: dict[str, Column] = {}
        for c in cols:
            names.setdefault(_norm(c.header), c)
            names.setdefault(_norm(c.field), c)
        at: dict[int, Column] = {}
        seen: set[str] = set()
        for j, v in enumerate(header):
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            col = names.get(_norm(str(v)))
            if col is None or col.field in seen:
                what = "repeats a column" if col is not None else "is not part of the sheet"
                self.warnings.append(f"{sheet}: column '{v}' ({get_column_letter(j + 1)}) {what}; "
                                     "it was not read")
                continue
            seen.add(col.field)
            if col.read:
                at[j] = col
        return at

    def read_table(self, spec: TableSheet, grid: list[tuple[Any, ...]]) -> list[Row]:
        wanted = {_norm(c.header): c for c in spec.columns} | {_norm(c.field): c for c in spec.columns}
        h = self.find_header(grid, wanted)
        if h is None:
            heads = ", ".join(c.header for c in spec.columns if c.required)
            self.errors.sheet(spec.name, f"no header row found (expected {heads})")
            return []
        at = self.columns_of(spec.name, grid[h], spec.columns)
        present = {c.field for c in at.values()}
        for c in spec.columns:
            if c.required and c.field not in present:
                self.errors.sheet(spec.name, f"the column '{c.header}' is missing "
                                  f"(headers are on row {h + 1})")
        rows = []
        for i in range(h + 1, len(grid)):
            line = grid[i]
            cells = {j: line[j] if j < len(line) else None for j in at}
            if all(_blank(v) for v in cells.values()):
                continue
            row = Row(spec.name, i + 1)
            for j, col in at.items():
                cell = Cell(spec.name, i + 1, j + 1, col.header)
                row.cells[col.field] = cell
                self.put(row, col, cells[j], cell)
            rows.append(row)
        return rows

    def read_settings(self, spec: SettingsSheet, grid: list[tuple[Any, ...]]) -> list[Row]:
        key, value = _norm(spec.key_header), _norm(spec.value_header)
        h = self.find_header(grid, {key: 1, value: 1})
        row = Row(spec.name, 0)
        if h is None:
            self.errors.sheet(spec.name, f"no header row found (expected "
                              f"{spec.key_header}, {spec.value_header})")
            return [row]
        header = [(_norm(v) if isinstance(v, str) else None) for v in grid[h]]
        if key not in header or value not in header:
            missing = spec.key_header if key not in header else spec.value_header
            self.errors.sheet(spec.name, f"the column '{missing}' is missing")
            return [row]
        kj, vj = header.index(key), header.index(value)
        row.at = ()  # a setting's field is its path in the problem
        # A row is found by its label, its field's dotted path, or its field's name where unique.
        leaf = {c.field: c.field.split(".")[-1] for c in spec.settings}
        leaves = Counter(leaf.values())
        known = {_norm(leaf[c.field]): c for c in spec.settings if leaves[leaf[c.field]] == 1}
        known |= {_norm(c.field): c for c in spec.settings} | {_norm(c.header): c for c in spec.settings}
        for i in range(h + 1, len(grid)):
            line = grid[i]
            label = line[kj] if kj < len(line) else None
            raw = line[vj] if vj < len(line) else None
            if _blank(label):
                continue
            col = known.get(_norm(str(label)))
            if col is None:
                self.warnings.append(f"{cell_address(spec.name, i + 1, kj + 1)}: "
                                     f"'{label}' is not a known {spec.key_header.lower()}; it was not read")
                continue
            cell = Cell(spec.name, i + 1, vj + 1, col.header)
            if col.field in row.cells:
                first = row.cells[col.field].row
                self.errors.add(cell, "duplicate", f"'{col.header}' is given twice (first on row {first})",
                                row, col.field)
                continue
            row.cells[col.field] = cell
            self.put(row, col, raw, cell)
        for col in spec.settings:
            if col.required and col.field not in row.cells:
                self.errors.sheet(spec.name, f"the row '{col.header}' is missing")
        return [row]

    # -- cells -------------------------------------------------------------------------------

    def put(self, row: Row, col: Column, value: Any, cell: Cell) -> None:
        """Read one cell into the row's values (or note its error)."""
        if _blank(value):
            if col.required:
                self.bad(row, col, cell, f"{_lower_first(col.header)} is required (the cell is empty)", "missing")
            elif col.blank is not OMIT:
                row.values[col.field] = list(col.blank) if isinstance(col.blank, tuple) else col.blank
            return
        try:
            row.values[col.field] = _read_value(col, value)
        except ValueError as err:
            self.bad(row, col, cell, str(err))

    def bad(self, row: Row, col: Column, cell: Cell, text: str, kind: IssueKind = "invalid_value") -> None:
        row.values[col.field] = BAD
        self.errors.incomplete = True
        self.errors.add(cell, kind, text, row, col.field)

    def resolve_references(self) -> None:
        ids: dict[str, list[Any]] = {}

        def ids_of(sheet: str) -> list[Any]:
            # Taken when first needed, in sheet order: a sheet's own references (the programme's
            # topics) are resolved before another sheet refers to its rows.
            if sheet not in ids:
                key = ID_SHEETS[sheet]
                ids[sheet] = [r.values[key] for r in self.rows.get(sheet, []) if r.values.get(key, BAD) is not BAD]
            return ids[sheet]

        for spec in LAYOUT:
            for col in spec.columns:
                if not col.ref or col.ref not in ID_SHEETS:
                    continue
                known = ids_of(col.ref)
                exact = set(known)
                folded: dict[str, list[Any]] = {}
                for k in known:
                    folded.setdefault(_norm(str(k)), []).append(k)
                for row in self.rows.get(spec.name, []):
                    value = row.values.get(col.field)
                    if value is None or value is BAD or col.field not in row.cells:
                        continue
                    values = value if col.many else [value]
                    out = []
                    for v in values:
                        if v in exact:
                            out.append(v)
                            continue
                        matches = folded.get(_norm(str(v)), [])
                        if len(matches) == 1:
                            out.append(matches[0])
                            continue
                        self.errors.references = True
                        if matches:
                            text = (f"{col.label} '{v}' could be any of "
                                    f"{', '.join(map(str, matches))} on the {col.ref} sheet")
                        else:
                            text = f"{col.label} '{v}' is not on the {col.ref} sheet"
                        self.errors.add(row.cells[col.field], "unknown_reference", text, row, col.field)
                        out.append(v)
                    row.values[col.field] = out if col.many else out[0]

    def check_unique(self) -> None:
        for spec in LAYOUT:
            if not isinstance(spec, TableSheet) or spec.key is None:
                continue
            first: dict[Any, int] = {}
            for row in self.rows.get(spec.name, []):
                v = row.values.get(spec.key, BAD)
                if v is BAD or v is None:
                    continue
                if v in first:
                    self.errors.references = True
                    col = spec.key_column
                    label = col.label if col else spec.key
                    self.errors.add(row.cells[spec.key], "duplicate",
                                    f"{label} '{v}' is already used on row {first[v]}", row, spec.key)
                else:
                    first[v] = row.row

    # -- the problem -------------------------------------------------------------------------

    def assemble(self) -> tuple[dict[str, Any], Origins]:
        """The problem as plain data, and the row each record came from (by its place in the problem)."""
        raw: dict[str, Any] = {}
        origins: Origins = {}

        def add(section: str, row: Row, values: dict[str, Any]) -> None:
            records = raw.setdefault(section, [])
            row.at = (section, len(records))
            records.append(values)
            origins[row.at] = row

        for spec in LAYOUT:
            if isinstance(spec, SettingsSheet) and spec.name in self.rows:
                self.assemble_settings(spec, self.rows[spec.name][0], raw, origins)
        self.assemble_mappings(raw, origins)
        for r in self.rows.get("Modules", []):
            add("modules", r, dict(r.values))
        for r in self.rows.get("Topics", []):
            add("topics", r, dict(r.values))
        for r in self.rows.get("Organisations", []):
            add("organisations", r, dict(r.values))
        trainer_at: dict[Any, int] = {}
        for r in self.rows.get("Trainers", []):
            trainer_at.setdefault(r.values.get("id"), len(raw.get("trainers", [])))
            add("trainers", r, {**r.values, "unavailable": []})
        for r in self.rows.get("Trainer availability", []):
            t = trainer_at.get(r.values.get("trainer"))
            if t is None:
                self.errors.incomplete = True
                continue
            periods = raw["trainers"][t]["unavailable"]
            r.at, r.fields = ("trainers", t, "unavailable", len(periods)), {"trainer": None}
            origins[r.at] = r
            periods.append({k: v for k, v in r.values.items() if k != "trainer"})
        venue_at: dict[Any, int] = {}
        for r in self.rows.get("Venues", []):
            venue_at.setdefault(r.values.get("id"), len(raw.get("venues", [])))
            add("venues", r, {**r.values, "rooms": [], "closures": []})
        room_at: dict[Any, tuple[int, int]] = {}
        for r in self.rows.get("Rooms", []):
            v = venue_at.get(r.values.get("venue"))
            if v is None:
                self.errors.incomplete = True
                continue
            rooms = raw["venues"][v]["rooms"]
            loc = ("venues", v, "rooms", len(rooms))
            room_at.setdefault(r.values.get("id"), (v, len(rooms)))
            origins[loc] = r
            r.at, r.fields = loc, {"venue": None}
            rooms.append({**{k: x for k, x in r.values.items() if k != "venue"}, "closures": []})
        for r in self.rows.get("Closures", []):
            self.assemble_closure(r, raw, origins, venue_at, room_at)
        programme_at: dict[Any, int] = {}
        for r in self.rows.get("Programme", []):
            programme_at.setdefault(r.values.get("topic"), len(raw.get("programme", [])))
            add("programme", r, {**r.values, "guest_slots": []})
        self.assemble_guest_slots(raw, origins, programme_at)
        for r in self.rows.get("Prerequisites", []):
            add("prerequisites", r, dict(r.values))
        for r in self.rows.get("Nominations", []):
            add("nominations", r, dict(r.values))
        self.place_missing_fares(raw, origins)
        for r in self.rows.get("Pins", []):
            add("pins", r, {k: v for k, v in r.values.items() if k != "guests"})
        self.assemble_sessions("Pinned guest sessions", "pins", raw, origins)
        self.assemble_pins_without_guests(raw)
        for r in self.rows.get("Baseline", []):
            add("baseline", r, dict(r.values))
        for r in self.rows.get("Themes", []):
            themes = raw.setdefault("rollout", {}).setdefault("themes", [])
            r.at = ("rollout", "themes", len(themes))
            themes.append(dict(r.values))
            origins[r.at] = r
        self.assemble_sessions("Published guest sessions", "baseline", raw, origins)
        for section in ("modules", "topics", "organisations", "trainers", "venues", "programme"):
            raw.setdefault(section, [])
        return raw, origins

    def assemble_settings(self, spec: SettingsSheet, row: Row, raw: dict[str, Any],
                          origins: Origins) -> None:
        for path, value in row.values.items():
            *parents, leaf = path.split(".")
            node = raw
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = value
        for path, cell in row.cells.items():
            *parents, leaf = path.split(".")
            origin = origins.setdefault(tuple(parents), Row(spec.name, cell.row))
            origin.cells[leaf] = cell
            origin.values[leaf] = row.values.get(path)

    def assemble_mappings(self, raw: dict[str, Any], origins: Origins) -> None:
        """Each fare under its country; each quarterly cap under its quarter."""
        self.assemble_mapping("Fares", "country", "fare", ("costs", "participant_fares_usd"), raw, origins)
        self.assemble_mapping("Quarterly budgets", "quarter", "cap", ("quarterly_budget_usd",), raw, origins)

    def assemble_mapping(self, sheet: str, key: str, value: str, path: tuple[str, ...], raw: dict[str, Any],
                         origins: Origins) -> None:
        """A mapping of the problem (at ``path``) from a sheet's rows: each row's ``value`` under its
        ``key``, in the order of the rows (a key listed twice: its first row)."""
        for r in self.rows.get(sheet, []):
            node = raw
            for part in path:
                node = node.setdefault(part, {})
            k = r.values.get(key, BAD)
            if k is BAD:  # the cell's own error stands
                continue
            r.at, r.fields = (*path, k), {key: None, value: None}
            if k in node:  # reported as a duplicate; the first row stands
                continue
            origins[r.at] = Row(r.sheet, r.row, dict(r.values),
                                {c: r.cells[c] for c in (key, value) if c in r.cells}, value=value)
            node[k] = r.values.get(value, BAD)

    def place_missing_fares(self, raw: dict[str, Any], origins: Origins) -> None:
        """A fare no row gives belongs to the Country cell of the country's first nominee who may sit in
        person (the row that asks for it), else of its first nominee."""
        if not raw.get("costs", {}).get("participant_fares_usd"):
            return
        nominees = [r for r in self.rows.get("Nominations", [])
                    if r.values.get("country") not in (None, BAD) and "country" in r.cells]
        for r in sorted(nominees, key=lambda r: r.values.get("mode") == "online"):
            country = r.values["country"]
            origins.setdefault(("costs", "participant_fares_usd", country),
                               Row(r.sheet, r.row, {"country": country}, {"country": r.cells["country"]}))

    def assemble_guest_slots(self, raw: dict[str, Any], origins: Origins, programme_at: dict[Any, int]) -> None:
        """Each slot onto its topic's programme item, in the order of the rows."""
        first: dict[tuple[int, Any], int] = {}
        for r in self.rows.get("Guest slots", []):
            at = programme_at.get(r.values.get("topic"))
            if at is None:  # the topic's own error stands
                self.errors.incomplete = True
                continue
            slot = r.values.get("id")
            if slot is not BAD and first.setdefault((at, slot), r.row) != r.row:
                # Reported here and left out: the item's own check would name the Programme row.
                self.errors.references = True
                self.errors.add(r.cells["id"], "duplicate", f"slot '{slot}' of {r.values['topic']} is already "
                                f"used on row {first[at, slot]}", r, "id")
                continue
            slots = raw["programme"][at]["guest_slots"]
            r.at, r.fields = ("programme", at, "guest_slots", len(slots)), {"topic": None}
            origins[r.at] = r
            slots.append({k: v for k, v in r.values.items() if k != "topic"})

    def assemble_sessions(self, sheet: str, section: str, raw: dict[str, Any], origins: Origins) -> None:
        """Each guest session onto its pinned or published edition, in the order of the rows."""
        edition_at: dict[Any, int] = {}
        for i, kept in enumerate(raw.get(section, [])):
            edition_at.setdefault(kept.get("edition"), i)
        for r in self.rows.get(sheet, []):
            at = edition_at.get(r.values.get("edition"))
            if at is None:  # the edition's own error stands
                self.errors.incomplete = True
                continue
            sessions = raw[section][at].setdefault("guests", [])
            r.at, r.fields = (section, at, "guests", len(sessions)), {"edition": None}
            origins[r.at] = r
            sessions.append({k: v for k, v in r.values.items() if k != "edition"})

    def assemble_pins_without_guests(self, raw: dict[str, Any]) -> None:
        """A pin whose Guest sessions cell says none is pinned without any; a blank one keeps its rows."""
        col = SHEET_COLUMN["Pins", "guests"]
        for r in self.rows.get("Pins", []):
            word = r.values.get("guests")
            if word is None or word is BAD or r.at is None:
                continue
            pin = raw["pins"][r.at[1]]
            if _norm(str(word)) != NO_GUESTS:
                self.bad(r, col, r.cells["guests"], f"guest sessions '{word}': write {NO_GUESTS} for no guest "
                         "session, or leave it blank and list them on the Pinned guest sessions sheet")
            elif pin.get("guests"):
                self.bad(r, col, r.cells["guests"], f"guest sessions is {NO_GUESTS}, but the Pinned guest "
                         f"sessions sheet lists {len(pin['guests'])} for {pin.get('edition')}", "conflict")
            else:
                pin["guests"] = []

    def assemble_closure(self, r: Row, raw: dict[str, Any], origins: Origins,
                         venue_at: dict[Any, int], room_at: dict[Any, tuple[int, int]]) -> None:
        v = r.values
        kind = v.get("kind", BAD)
        period = {k: v[k] for k in ("start", "end", "reason") if k in v}
        calendar = raw.setdefault("calendar", {})
        r.fields = {"kind": None, "venue": None, "room": None}
        if kind in ("centre", "holiday"):
            for other in ("venue", "room"):
                if v.get(other) not in (None, BAD):
                    self.bad(r, SHEET_COLUMN["Closures", other], r.cells[other],
                             f"a {CLOSURE_KINDS.show(kind)} applies to the whole centre; leave {other} blank",
                             "conflict")
            if kind == "centre":
                target = calendar.setdefault("closures", [])
                r.at = ("calendar", "closures", len(target))
                origins[r.at] = r
                target.append(period)
                return
            holidays = calendar.setdefault("extra_holidays", [])
            if v.get("end") not in (None, BAD) and v.get("end") != v.get("start"):
                self.bad(r, SHEET_COLUMN["Closures", "end"], r.cells["end"],
                         "an extra holiday is one day: leave End blank or equal to Start", "conflict")
            day = Row(r.sheet, r.row, {"day": v.get("start"), "name": v.get("reason")},
                      {k: r.cells[f] for k, f in (("day", "start"), ("name", "reason")) if f in r.cells})
            r.at = ("calendar", "extra_holidays", len(holidays))
            r.fields |= {"start": "day", "end": None, "reason": "name"}
            origins[r.at] = day
            holidays.append({"day": v.get("start", BAD), **({"name": v["reason"]} if "reason" in v else {})})
            return
        if kind == "venue":
            venue = v.get("venue")
            if venue is None:
                self.bad(r, SHEET_COLUMN["Closures", "venue"], r.cells.get("venue", r.first_cell()),
                         "venue is required for a venue closure", "missing")
            at = venue_at.get(venue)
            if at is None:
                self.errors.incomplete = True
                return
            target = raw["venues"][at]["closures"]
            r.at = ("venues", at, "closures", len(target))
            origins[r.at] = r
            target.append(period)
            return
        if kind == "room":
            room = v.get("room")
            if room is None:
                self.bad(r, SHEET_COLUMN["Closures", "room"], r.cells.get("room", r.first_cell()),
                         "room is required for a room closure", "missing")
            place = room_at.get(room)
            if place is None:
                self.errors.incomplete = True
                return
            venue = v.get("venue")
            if venue not in (None, BAD) and venue_at.get(venue) != place[0]:
                self.bad(r, SHEET_COLUMN["Closures", "venue"], r.cells["venue"],
                         f"room {room} is in venue {raw['venues'][place[0]].get('id')}, not {venue}", "conflict")
                return
            target = raw["venues"][place[0]]["rooms"][place[1]]["closures"]
            r.at = ("venues", place[0], "rooms", place[1], "closures", len(target))
            origins[r.at] = r
            target.append(period)
            return
        self.errors.incomplete = True  # the kind itself could not be read: its error stands

    def validate(self, raw: dict[str, Any], origins: Origins) -> Problem | None:
        try:
            return Problem.model_validate(raw)
        except ValidationError as err:
            for e in err.errors(include_url=False):
                for issue in error_issues(e, raw):
                    if not e["loc"] and (self.errors.incomplete or (self.errors.references
                                                                    and issue.kind in _COVERED)):
                        # A rule across records; when a row could not be read or placed, or a
                        # reference is already marked on its cell, its findings would be about a
                        # problem other than the planner's, so it waits.
                        continue
                    self.place(issue, e, origins)
            return None

    def place(self, issue: Issue, e: ErrorDetails, origins: Origins) -> None:
        """Put an issue on its cell: the row its record came from, the column of its field."""
        path = issue.path
        # The longest part of the path a row holds; the problem itself (its name, budget) only
        # for its own fields, so that a record no row holds stays off the Settings sheet.
        at_row = None if path is None else max(
            (n for n in range(len(path) + 1) if path[:n] in origins and (n or len(path) == 1)), default=None)
        own = isinstance((e.get("ctx") or {}).get("error"), ValidationIssues)
        if path is None or at_row is None:
            self.errors.loose(issue, first=not own)
            return
        row = origins[path[:at_row]]
        rest = path[at_row:]
        name = rest[0] if rest and isinstance(rest[0], str) else ""
        if not rest and not own and row.value:  # pydantic's check of a keyed value: its column
            name = row.value
        cell = row.cells.get(name)
        if not own:  # pydantic's check of one field: said in the words of its column
            label = _lower_first(cell.header) if cell is not None else (name.replace("_", " ") or "value")
            text = _field_text(e, label)
        else:
            settings = isinstance(SHEET_BY_NAME.get(row.sheet), SettingsSheet)
            where = record_words(issue.record) if settings and issue.record else issue.where
            text = _reworded(f"{where}: {issue.text}" if where else issue.text, row)
        self.errors.add(cell or row.first_cell(), issue.kind, text, issue=issue)


# Rules across records whose findings the reader has already put on a cell (unknown ids, ids used
# twice) or that an unknown id may have caused.
_COVERED = {"unknown_reference", "duplicate", "cycle"}
# Values the model spells with "_" and the workbook with a space (in_person: in person).
_SHOWN = {v: c.show(v) for c in (GENDERS, MODES, ORG_KINDS, RULE_MODES) for v in c.values if "_" in v}
SHEET_COLUMN: dict[tuple[str, str], Column] = {
    (s.name, c.field): c for s in LAYOUT for c in s.columns}


def _reworded(text: str, row: Row) -> str:
    """A message in the workbook's words: a field by its column's header, a value as the cell shows it.

    ``duration_max (1) is below duration_min (2)`` -> ``max days (1) is below min days (2)``.
    Only whole words change, and only the row's own fields; where the message goes is already known.
    """
    names = {name: _lower_first(c.header) for name, c in row.cells.items() if "_" in name}
    words = ("".join(chars) for _, chars in groupby(text, key=lambda ch: ch.isalnum() or ch == "_"))
    return "".join(names.get(w) or _SHOWN.get(w) or w for w in words)


def _field_text(e: Any, label: str) -> str:
    kind, ctx, value = e["type"], e.get("ctx") or {}, e.get("input")
    shown = f" {value!r}" if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    if kind == "missing":
        return f"{label} is required (the cell is empty)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than",
                 "less_than_equal": "at most", "less_than": "less than"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"{label}{shown} must be {words} {limit}"
    msg = str(e["msg"])
    return f"{label}{shown}: {msg[:1].lower()}{msg[1:]}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_value(col: Column, value: Any) -> Any:
    """A cell's value as the field's type; ``ValueError`` says what is wrong, in planner words."""
    if col.many:
        if isinstance(value, str):
            if col.empty and _norm(value) == _norm(col.empty):
                return []
            parts = [p.strip() for p in value.split(col.sep)]
            return [_read_one(col, p, col.label) for p in parts if p]
        return [_read_one(col, value, col.label)]
    return _read_one(col, value, _lower_first(col.header))


def _read_one(col: Column, value: Any, label: str) -> Any:
    kind = col.kind
    if col.choices is not None:
        if not isinstance(value, str) or col.choices.match(value) is None:
            raise ValueError(f"{label} {_repr(value)} is not one of {col.choices.listing()}")
        return col.choices.match(value)
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and _norm(value) in ("yes", "no", "true", "false"):
            return _norm(value) in ("yes", "true")
        raise ValueError(f"{label} {_repr(value)} is not yes or no")
    if kind == DATE:
        return _read_date(value, label)
    if kind == SHARE:
        return _read_share(value, label)
    if kind == MONTH:
        if isinstance(value, (datetime, date)):
            return f"{value.year}-{value.month:02d}"
        return str(value).strip()
    if kind == INT:
        if isinstance(value, (bool, datetime, date, time)):
            raise ValueError(f"{label} {_repr(value)} is not a whole number")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise ValueError(f"{label} {_repr(value)} is not a whole number")
    if kind == NUMBER:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        try:
            return float(str(value).strip())
        except ValueError:
            raise ValueError(f"{label} {_repr(value)} is not a number") from None
    # text and ids
    if isinstance(value, (datetime, date, time)):
        raise ValueError(f"{label} {_repr(value)} is a date; text is expected")
    if isinstance(value, bool):
        raise ValueError(f"{label} {_repr(value)} is yes/no; text is expected")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text.strip() if kind == ID else text


def _read_share(value: Any, label: str) -> float:
    """40%, 0.4 or the text "40 %": a share; a bare 40 is refused (40 % or 4000 %?)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value <= 1:
            return float(value)
        raise ValueError(f"{label} {_repr(value)} is not a share: write 40% or 0.4")
    if isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*%", text)
        if m:
            return float(m.group(1).replace(",", ".")) / 100
        try:
            share = float(text)
        except ValueError:
            share = -1.0
        if 0 <= share <= 1:
            return share
    raise ValueError(f"{label} {_repr(value)} is not a share: write 40% or 0.4")


def _read_date(value: Any, label: str) -> date:
    if isinstance(value, datetime):
        if value.time() != time(0):
            raise ValueError(f"{label} {_repr(value)} has a time of day; a date is expected")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(text)
            if moment.time() == time(0):
                return moment.date()
        except ValueError:
            pass
        raise ValueError(f"{label} {_repr(value)} is not a date (write it as 2027-03-01 or as an Excel date)")
    raise ValueError(f"{label} {_repr(value)} is not a date (write it as 2027-03-01 or as an Excel date)")


def _repr(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return repr(str(value))
