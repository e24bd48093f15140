"""Scenario files: a base problem and a list of changes in planner terms.

```yaml
name: UNHCR away in March
description: What if every UNHCR trainer is away in March?
base: default            # the embedded 2027 programme, or a problem file (relative to this file)
changes:
  - type: organisation_unavailable
    organisation: UNHCR
    start: 2027-03-01
    end: 2027-03-31
```
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import InputError
from model.formats.files import parse_text, problem_from_data, read_problem
from model.problem import Problem
from scenarios.changes import AnyChange, ChangeError

DEFAULT_BASE = "default"


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    base: str = Field(default=DEFAULT_BASE, description="'default' or a problem file")
    changes: list[AnyChange] = Field(default_factory=list)
    stay_close: bool = Field(
        default=True,
        description="penalise moving the base calendar's editions, so differences come from the changes",
    )


def _messages(err: ValidationError, raw: Any) -> list[str]:
    out = []
    for e in err.errors(include_url=False):
        loc = list(e["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "changes" and isinstance(loc[1], int):
            i = loc[1]
            kind = raw["changes"][i].get("type", "?") if isinstance(raw["changes"][i], dict) else "?"
            where = f"change {i + 1} ({kind})"
            loc = loc[3:] if len(loc) > 2 and loc[2] == kind else loc[2:]
        field = ".".join(str(x) for x in loc)
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "is missing"
        elif e["type"] == "extra_forbidden":
            msg = "is not a known field"
        text = " ".join(x for x in (field, msg) if x)
        out.append(f"{where}: {text}" if where else text)
    return out


def read_scenario(path: str | Path) -> Scenario:
    """A validated scenario file; errors name the file, the change and the field."""
    path = Path(path)
    if not path.exists():
        raise InputError([f"file {path} does not exist"], str(path))
    raw = parse_text(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(raw, dict):
        raise InputError(["the file does not hold a scenario (a mapping)"], str(path))
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise InputError(_messages(err, raw), str(path)) from None


def base_problem(scenario: Scenario, relative_to: Path | None = None) -> Problem:
    if scenario.base == DEFAULT_BASE:
        from data import default_problem

        return default_problem()
    base = Path(scenario.base)
    if not base.is_absolute() and relative_to is not None:
        base = relative_to / base
    return read_problem(base)


def apply_changes(base: Problem, scenario: Scenario, source: str = "scenario") -> Problem:
    """The base problem with every change applied, validated as a whole."""
    data = copy.deepcopy(base.model_dump(mode="json"))
    errors = []
    for i, change in enumerate(scenario.changes):
        try:
            change.apply(data)
        except ChangeError as e:
            errors.append(f"change {i + 1} ({change.type}): {e}")  # type: ignore[attr-defined]
    if errors:
        raise InputError(errors, source)
    return problem_from_data(data, f"{source} (after its changes)")


def load(path: str | Path) -> tuple[Scenario, Problem, Problem]:
    """(scenario, its base problem, the changed problem) from a scenario file."""
    path = Path(path)
    scenario = read_scenario(path)
    base = base_problem(scenario, path.parent)
    return scenario, base, apply_changes(base, scenario, str(path))
