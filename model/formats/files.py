"""Reading problems and schedules from files, and writing them back atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from model.errors import InputError, Issue, validate_as
from model.formats.atomic import write_atomic
from model.problem import Problem, problem_errors
from model.schedule import Schedule

__all__ = ["parse_text", "problem_from_data", "problem_yaml", "read_problem", "read_schedule", "schedule_json",
           "write_atomic"]

# libyaml's safe loader when PyYAML was built with it (about ten times faster), else the pure one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_text(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML); whatever the parser cannot take is an :class:`InputError`.

    A syntax error names the file and line. Besides those, Python's parsers raise RecursionError
    for a document nested thousands deep and ValueError for an integer of more than 4,300 digits.
    """
    kind = "JSON" if source.endswith(".json") else "YAML"
    try:
        if source.endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=SAFE_LOADER)
    except RecursionError:
        raise InputError([Issue("unreadable", f"not valid {kind}: it is nested too deep")], source) from None
    except json.JSONDecodeError as err:
        raise InputError([Issue("unreadable", f"not valid JSON at line {err.lineno}, column {err.colno}: "
                                              f"{err.msg}")], source) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError([Issue("unreadable", f"not valid YAML{where}: {getattr(err, 'problem', err)}")],
                         source) from None
    except ValueError as err:
        raise InputError([Issue("unreadable", f"not valid {kind}: a value cannot be read "
                                              f"({str(err).split(';')[0]})")], source) from None


def problem_from_data(raw: Any, source: str = "problem") -> Problem:
    """A validated problem, or an :class:`InputError` with every error found.

    pydantic runs the problem's cross-reference check only when every record is valid,
    so one bad field (a trainer's gender) would hide an unknown reference elsewhere (another
    trainer's organisation). When records fail, the cross-check also runs on the input
    as it stands, each invalid record read as written, and its findings are added.
    """
    if not isinstance(raw, dict):
        raise InputError([Issue("invalid_value", "the file does not hold a problem (a mapping of sections)",
                                at=())], source)
    try:
        return validate_as(Problem, raw, source)
    except InputError as err:
        said = set(err.messages)
        found = [i for i in _cross_check_as_written(raw) if i.message not in said]
        raise InputError(err.issues + found, source) from None


def _cross_check_as_written(raw: dict[str, Any]) -> list[Issue]:
    # Best effort: a section that cannot be read at all gives up quietly (the field errors stand).
    sections: dict[str, Any] = {}
    for name, info in Problem.model_fields.items():
        if name not in raw:
            continue
        value, kind = raw[name], info.annotation or Any
        args = get_args(kind)
        if get_origin(kind) is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            if not isinstance(value, list):
                return []
            record = args[0]
            items = []
            for item in value:
                try:
                    items.append(record.model_validate(item))
                except ValidationError:
                    if not isinstance(item, dict):
                        return []
                    items.append(_as_written(record, item))
            sections[name] = items
            continue
        try:
            sections[name] = TypeAdapter(kind).validate_python(value)
        except ValidationError:
            return []
    try:
        return problem_errors(Problem.model_construct(**sections))
    except Exception:  # a record read as written may not even be comparable
        return []


def _as_written(record: type[BaseModel], item: dict[str, Any]) -> BaseModel:
    """An invalid record with each field that is valid on its own typed, the rest as written."""
    values = {}
    for key, value in item.items():
        info = record.model_fields.get(key)
        if info is None:
            continue
        try:
            values[key] = TypeAdapter(info.annotation or Any).validate_python(value)
        except ValidationError:
            values[key] = value
    return record.model_construct(**values)


def read_problem(path: str | Path) -> Problem:
    """A validated problem from a YAML, JSON or Excel file."""
    path = Path(path)
    if not path.exists():
        raise InputError([Issue("missing", f"file {path} does not exist")], str(path))
    if path.suffix.lower() == ".xlsx":
        from model.formats.excel_input import read_problem_workbook

        return read_problem_workbook(path)
    return problem_from_data(parse_text(path.read_text(encoding="utf-8"), path.name), path.name)


def read_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    if not path.exists():
        raise InputError([Issue("missing", f"file {path} does not exist")], str(path))
    raw = parse_text(path.read_text(encoding="utf-8"), path.name)
    return validate_as(Schedule, raw, path.name)


def schedule_json(schedule: Schedule) -> str:
    return schedule.model_dump_json(indent=1, exclude_none=False) + "\n"


def problem_yaml(problem: Problem) -> str:
    return yaml.safe_dump(problem.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)
