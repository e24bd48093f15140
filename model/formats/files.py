"""Reading problems and schedules from files, and writing them back atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, validate_as
from model.problem import Problem
from model.schedule import Schedule


def parse_text(text: str, source: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML); a syntax error names the file and line."""
    try:
        if source.endswith(".json"):
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise InputError([f"not valid JSON at line {err.lineno}, column {err.colno}: {err.msg}"],
                         source) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError([f"not valid YAML{where}: {getattr(err, 'problem', err)}"], source) from None


def problem_from_data(raw: Any, source: str = "problem") -> Problem:
    if not isinstance(raw, dict):
        raise InputError(["the file does not hold a problem (a mapping of sections)"], source)
    return validate_as(Problem, raw, source)


def read_problem(path: str | Path) -> Problem:
    """A validated problem from a YAML, JSON or Excel file."""
    path = Path(path)
    if not path.exists():
        raise InputError([f"file {path} does not exist"], str(path))
    if path.suffix.lower() == ".xlsx":
        from model.formats.excel_input import read_problem_workbook

        return read_problem_workbook(path)
    return problem_from_data(parse_text(path.read_text(encoding="utf-8"), path.name), path.name)


def read_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    if not path.exists():
        raise InputError([f"file {path} does not exist"], str(path))
    raw = parse_text(path.read_text(encoding="utf-8"), path.name)
    return validate_as(Schedule, raw, path.name)


def schedule_json(schedule: Schedule) -> str:
    return schedule.model_dump_json(indent=1, exclude_none=False) + "\n"


def problem_yaml(problem: Problem) -> str:
    return yaml.safe_dump(problem.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
