"""Problems from uploaded bytes: one reader per file type.

A new format is one function and one line in :data:`READERS`. Excel workbooks go
through :func:`model.formats.files.read_problem`, which loads its Excel reader lazily;
until that reader exists an ``.xlsx`` upload is refused as unsupported.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError
from model.formats.files import parse_text, problem_from_data, read_problem
from model.problem import Problem


class UnsupportedFormat(ValueError):
    pass


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([f"the file is not UTF-8 text (byte {err.start})"], source) from None


def _refuse_yaml_aliases(text: str, source: str) -> None:
    # Aliases let a few kilobytes expand into millions of records during validation.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for ev in yaml.parse(text, Loader=loader):
            if isinstance(ev, yaml.AliasEvent):
                raise InputError(["YAML aliases (*name) are not accepted; write the values out"], source)
    except yaml.YAMLError:
        pass  # parse_text reports the syntax error with its line


def validate_problem(raw: Any, source: str) -> Problem:
    """A validated problem, or an :class:`InputError` with every error found."""
    return problem_from_data(raw, source)


def read_yaml_or_json(data: bytes, source: str) -> Problem:
    text = _text(data, source)
    if not source.endswith(".json"):
        _refuse_yaml_aliases(text, source)
    raw = parse_text(text, source)
    if not isinstance(raw, dict):
        return problem_from_data(raw, source)  # raises: not a problem
    return validate_problem(raw, source)


def read_workbook(data: bytes, source: str) -> Problem:
    with tempfile.TemporaryDirectory(prefix="rtcm-upload-") as tmp:
        path = Path(tmp) / "problem.xlsx"
        path.write_bytes(data)
        try:
            return read_problem(path)
        except ImportError:
            raise UnsupportedFormat("Excel problems are not supported yet; send YAML or JSON") from None
        except InputError as err:
            raise InputError(err.messages, source) from None


READERS: dict[str, Callable[[bytes, str], Problem]] = {
    ".yaml": read_yaml_or_json,
    ".yml": read_yaml_or_json,
    ".json": read_yaml_or_json,
    ".xlsx": read_workbook,
}


def read_problem_bytes(data: bytes, filename: str) -> Problem:
    """A validated problem from an upload; the file name's suffix picks the reader.

    Raises
    ------
    InputError
        The content is not a valid problem; every message names the record and field.
    UnsupportedFormat
        No reader for this kind of file.
    """
    reader = READERS.get(Path(filename).suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        raise UnsupportedFormat(f"cannot read '{filename}': send one of {kinds}")
    return reader(data, filename)
