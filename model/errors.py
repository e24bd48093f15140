"""Turning validation failures into messages a planner can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

# What a list of records is called in a message, and the field that identifies a record.
RECORD_NAMES = {
    "topics": ("topic", "id"),
    "modules": ("module", "number"),
    "organisations": ("organisation", "id"),
    "trainers": ("trainer", "id"),
    "venues": ("venue", "id"),
    "rooms": ("room", "id"),
    "programme": ("programme", "topic"),
    "prerequisites": ("prerequisite", None),
    "editions": ("edition", "edition"),
    "unavailable": ("unavailable period", None),
    "closures": ("closure", None),
    "nominations": ("nomination", "id"),
}


class InputError(ValueError):
    """Invalid input: every message names the record and the field."""

    def __init__(self, messages: list[str], source: str | None = None) -> None:
        self.messages = messages
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + f"{len(messages)} error(s)\n" + "\n".join(f"  - {m}" for m in messages))


def _record_label(raw: Any, loc: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Walk ``loc`` through the raw input, naming each record by its id."""
    parts: list[str] = []
    node = raw
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(key, str) and isinstance(nxt, int) and key in RECORD_NAMES:
            name, id_field = RECORD_NAMES[key]
            item = None
            if isinstance(node, dict) and isinstance(node.get(key), list) and nxt < len(node[key]):
                item = node[key][nxt]
            ident = item.get(id_field) if isinstance(item, dict) and id_field else None
            if key == "prerequisites" and isinstance(item, dict):
                ident = f"{item.get('before')}->{item.get('after')}"
            parts.append(f"{name} {ident}" if ident is not None else f"{name} {nxt + 1}")
            node = item
            i += 2
            continue
        if isinstance(key, str) and key in ("calendar", "platform", "team_rules", "weights", "targets"):
            parts.append(key.replace("_", " "))
            node = node.get(key) if isinstance(node, dict) else None
            i += 1
            continue
        break
    return ", ".join(parts), loc[i:]


def format_validation_error(err: ValidationError, raw: Any) -> list[str]:
    """One message per problem, naming the record and field."""
    messages: list[str] = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        label, rest = _record_label(raw, loc)
        msg = str(e["msg"])
        if e["type"] == "value_error":
            # Our own validators already name the record, one error per line.
            messages += [line for line in msg.removeprefix("Value error, ").splitlines() if line]
            continue
        field = ".".join(str(x) for x in rest) or "value"
        shown = e.get("input")
        if e["type"] == "missing":
            text = f"{field} is missing"
        elif e["type"] == "extra_forbidden":
            text = f"{field} is not a known field"
        elif isinstance(shown, (str, int, float)) and not isinstance(shown, bool):
            text = f"{field} {shown!r}: {msg[0].lower()}{msg[1:]}"
        else:
            text = f"{field}: {msg[0].lower()}{msg[1:]}"
        messages.append(f"{label}: {text}" if label else text)
    return messages


M = TypeVar("M", bound=BaseModel)


def validate_as(model: type[M], raw: Any, source: str | None = None) -> M:
    """Validate ``raw`` as ``model``; raise :class:`InputError` with every message."""
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise InputError(format_validation_error(err, raw), source) from None
