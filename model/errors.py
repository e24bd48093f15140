"""What is wrong with an input, as data and in words a planner can act on.

Every check of the input (a record's own rules, the problem's cross-references, pydantic's
field checks, a workbook's cells) reports an :class:`Issue`: its kind, the record it is about
(type and id, or position where the record has no id), the field inside that record, and a
message in planner words. Outputs place an issue from that structure, never from its words:
the workbook reader puts it on a sheet and a cell, the API points into the document sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

Path = tuple[str | int, ...]

IssueKind = Literal[
    "unreadable", "missing", "unknown_field", "invalid_value", "out_of_range", "out_of_order",
    "conflict", "unknown_reference", "duplicate", "cycle", "no_resource",
]

KINDS: dict[str, str] = {
    "unreadable": "the file itself cannot be read (syntax, not a workbook, not text)",
    "missing": "a required section, sheet, column, field or value is absent or empty",
    "unknown_field": "a field the record does not have",
    "invalid_value": "a value of the wrong type or form",
    "out_of_range": "a value outside its limits, a topic's range of days or the horizon",
    "out_of_order": "two values of a record in the wrong order: an end before its start, a maximum "
                    "below its minimum",
    "conflict": "values that contradict each other or what another record offers",
    "unknown_reference": "an id that names no record (or, in a workbook, more than one)",
    "duplicate": "an id used twice",
    "cycle": "prerequisites that come back to where they started",
    "no_resource": "no room, trainer or platform can serve what a record asks",
}

# A list of records in a document -> the record's type and the field holding its id.
RECORDS: dict[str, tuple[str, str | None]] = {
    "topics": ("topic", "id"),
    "modules": ("module", "number"),
    "organisations": ("organisation", "id"),
    "trainers": ("trainer", "id"),
    "venues": ("venue", "id"),
    "rooms": ("room", "id"),
    "programme": ("programme", "topic"),
    "prerequisites": ("prerequisite", None),
    "nominations": ("nomination", "id"),
    "pins": ("pin", "edition"),
    "baseline": ("baseline_edition", "edition"),
    "editions": ("edition", "edition"),
}
# Lists inside a record, named in messages by position: "trainer T07, unavailable period 1".
PARTS = {"unavailable": "unavailable period", "closures": "closure"}
# Single-record sections of a problem.
SECTIONS = ("calendar", "platform", "team_rules", "weights", "targets", "costs")


def record_words(record: str) -> str:
    """A record type as a planner says it: ``baseline_edition`` -> ``baseline edition``."""
    return record.replace("_", " ")


@dataclass(frozen=True)
class Issue:
    """One thing wrong with an input.

    Attributes
    ----------
    kind
        One of :data:`KINDS`.
    text
        What is wrong, in planner words: ``organisation 'UNESCO' is unknown``.
    record
        The record's type (``trainer``, ``room``, ``calendar``); None for the file as a whole.
    id
        The record's id (``T07``); None where it has none.
    index
        The record's position in its list (from 0), where it has no id.
    field
        The path inside the record: ``("unavailable", 0, "end")``.
    at
        Where the record sits in the document: ``("trainers", 6)``; ``()`` for the document
        itself; None when unknown (a record checking itself, a syntax error).
    label
        The record as the message names it (``trainer T07``, ``Trainers!C14``); None: its type
        and id.
    sheet, cell
        Where a workbook holds it: ``Trainers`` and ``C14``.
    """

    kind: IssueKind
    text: str
    record: str | None = None
    id: str | None = None
    index: int | None = None
    field: Path = ()
    at: Path | None = None
    label: str | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        """The record as the message names it: the label, else its type and id (or position)."""
        if self.label is not None:
            return self.label
        if self.record is None:
            return ""
        ident = self.id if self.id is not None else (None if self.index is None else self.index + 1)
        return record_words(self.record) + ("" if ident is None else f" {ident}")

    @property
    def message(self) -> str:
        """The whole line: ``trainer T07: unavailable period 1 ends (...) before it starts (...)``."""
        return f"{self.where}: {self.text}" if self.where else self.text

    @property
    def path(self) -> Path | None:
        """Where the field sits in the document, when the record's place is known."""
        return None if self.at is None else (*self.at, *self.field)

    @property
    def pointer(self) -> str | None:
        """The JSON pointer (RFC 6901) of :attr:`path`: ``/trainers/6/unavailable/0/end``."""
        path = self.path
        if path is None:
            return None
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)

    def within(self, at: Path) -> Issue:
        """The issue of a record that sits at ``at`` (a record checking itself knows no place)."""
        place = (*at, *(self.at or ()))
        index = self.index
        if self.id is None and index is None and self.at is None and place and isinstance(place[-1], int):
            index = place[-1]  # a record without an id is named by its position
        return replace(self, at=place, index=index)

    def __str__(self) -> str:
        return self.message


class ValidationIssues(ValueError):
    """Raised by a record's validator: every issue it found (pydantic keeps the exception)."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(i.message for i in self.issues))


def raise_issues(issues: Sequence[Issue]) -> None:
    """Raise :class:`ValidationIssues` when there is any issue."""
    if issues:
        raise ValidationIssues(issues)


def as_issues(errors: Sequence[str | Issue]) -> list[Issue]:
    """Issues as they are; a plain message as an invalid value of the input as a whole."""
    return [e if isinstance(e, Issue) else Issue("invalid_value", e) for e in errors]


class InputError(ValueError):
    """Invalid input: every issue, each naming the record and the field.

    ``errors`` may be issues or plain messages (see :func:`as_issues`).
    """

    def __init__(self, errors: Sequence[str | Issue], source: str | None = None) -> None:
        self.issues = as_issues(errors)
        self.source = source
        head = f"{source}: " if source else ""
        messages = self.messages
        super().__init__(head + f"{len(messages)} error(s)\n" + "\n".join(f"  - {m}" for m in messages))

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent back from a worker process it must arrive as it left: its issues, not its text.
        return (type(self), (self.issues, self.source))

    @property
    def messages(self) -> list[str]:
        return [i.message for i in self.issues]


@dataclass(frozen=True)
class Place:
    """The record a path of a document falls in, and how a message names it."""

    record: str | None
    id: str | None
    index: int | None
    at: Path
    field: Path
    label: str
    rest: Path  # the part of the path the label does not name: "end" in "trainer T1, unavailable period 1"


def place_of(raw: Any, path: Path) -> Place:
    """Walk ``path`` through the document ``raw``: the record it is in, named by its id.

    ``("venues", 0, "rooms", 1, "seats")`` is room B's ``seats``, labelled ``venue RTCM, room B``;
    ``("trainers", 0, "unavailable", 0, "end")`` is trainer T1's ``unavailable/0/end``.
    """
    words: list[str] = []
    record: str | None = None
    ident: str | None = None
    index: int | None = None
    at: Path = ()
    node = raw
    i = 0
    while i < len(path):
        key = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        items = node.get(key) if isinstance(node, dict) and isinstance(key, str) else None
        item = items[nxt] if isinstance(items, list) and isinstance(nxt, int) and 0 <= nxt < len(items) \
            else None
        if isinstance(key, str) and isinstance(nxt, int) and key in RECORDS:
            record, id_field = RECORDS[key]
            value = item.get(id_field) if isinstance(item, dict) and id_field else None
            ident = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
            index = None if ident is not None else nxt
            if key == "prerequisites" and isinstance(item, dict):
                words.append(f"prerequisite {item.get('before')}->{item.get('after')}")
            else:
                words.append(f"{record_words(record)} {ident if ident is not None else nxt + 1}")
            at = path[: i + 2]
            node = item
            i += 2
            continue
        if isinstance(key, str) and isinstance(nxt, int) and key in PARTS:
            words.append(f"{PARTS[key]} {nxt + 1}")
            node = item
            i += 2
            continue
        if isinstance(key, str) and key in SECTIONS:
            words.append(record_words(key))
            record, ident, index, at = key, None, None, path[: i + 1]
            node = node.get(key) if isinstance(node, dict) else None
            i += 1
            continue
        break
    return Place(record, ident, index, at, path[len(at):], ", ".join(words), path[i:])


# pydantic's error types -> kinds (others are invalid values).
_PYDANTIC_KINDS: dict[str, IssueKind] = {
    "missing": "missing",
    "extra_forbidden": "unknown_field",
    "string_too_short": "missing",
    "too_short": "missing",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "too_long": "out_of_range",
    "string_too_long": "out_of_range",
}


def pydantic_kind(error_type: str) -> IssueKind:
    return _PYDANTIC_KINDS.get(error_type, "invalid_value")


def error_issues(e: ErrorDetails, raw: Any) -> list[Issue]:
    """The issues of one pydantic error: our validators' own, or the field error's, placed by its ``loc``."""
    loc = tuple(e["loc"])
    found = (e.get("ctx") or {}).get("error")
    if e["type"] == "value_error" and isinstance(found, ValidationIssues):
        return [i.within(loc) for i in found.issues]
    place = place_of(raw, loc)

    def issue(kind: IssueKind, text: str, label: str) -> Issue:
        return Issue(kind, text, place.record, place.id, place.index, place.field, place.at, label)

    msg = str(e["msg"])
    if e["type"] == "value_error":
        # A validator of a model that words its own messages, one per line, naming its record.
        lines = [line for line in msg.removeprefix("Value error, ").splitlines() if line]
        return [issue("invalid_value", line, "") for line in lines]
    field = ".".join(str(x) for x in place.rest) or "value"
    shown = e.get("input")
    if e["type"] == "missing":
        text = f"{field} is missing"
    elif e["type"] == "extra_forbidden":
        text = f"{field} is not a known field"
    elif isinstance(shown, (str, int, float)) and not isinstance(shown, bool):
        text = f"{field} {shown!r}: {msg[0].lower()}{msg[1:]}"
    else:
        text = f"{field}: {msg[0].lower()}{msg[1:]}"
    return [issue(pydantic_kind(e["type"]), text, place.label)]


def validation_issues(err: ValidationError, raw: Any) -> list[Issue]:
    """Every issue of a pydantic validation error, each naming its record and field."""
    return [i for e in err.errors(include_url=False) for i in error_issues(e, raw)]


def format_validation_error(err: ValidationError, raw: Any) -> list[str]:
    """One message per problem, naming the record and field."""
    return [i.message for i in validation_issues(err, raw)]


M = TypeVar("M", bound=BaseModel)


def validate_as(model: type[M], raw: Any, source: str | None = None) -> M:
    """Validate ``raw`` as ``model``; raise :class:`InputError` with every issue."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise InputError(validation_issues(err, raw), source) from None
