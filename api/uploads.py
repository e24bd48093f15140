"""Problems from uploaded bytes: one reader per file type.

A new format is one function and one line in :data:`READERS`. Excel workbooks go
through :func:`model.formats.files.read_problem`.

An upload is never trusted: the client's file name only picks the reader and appears
in messages (the bytes go to a temporary file whose name is generated); YAML aliases
are refused; a workbook is refused before parsing when its zip would expand past
:data:`MAX_WORKBOOK_EXPANDED_BYTES`, and is parsed by openpyxl through defusedxml, so
an entity declaration (a "billion laughs") is refused rather than expanded. A YAML or
JSON problem is held to the service's limits (:func:`service_limits`: editions in all, and
the length of every list of periods) before it is validated, since validation builds every
edition; a workbook's problem once it is read. The horizon's length is held by the model
itself. A body no parser can take (nested too deep, a number of
thousands of digits) is invalid input like any syntax error.
"""

from __future__ import annotations

import codecs
import tempfile
import xml.parsers.expat
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import openpyxl
import yaml
from defusedxml import DefusedXmlException

from model.errors import InputError, Issue
from model.formats.files import parse_text, problem_from_data, read_problem
from model.problem import Problem


class UnsupportedFormat(ValueError):
    pass


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Issue("unreadable", f"the file is not UTF-8 text (byte {err.start})")], source) from None


def _refuse_yaml_aliases(text: str, source: str) -> None:
    # Aliases let a few kilobytes expand into millions of records during validation.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for ev in yaml.parse(text, Loader=loader):
            if isinstance(ev, yaml.AliasEvent):
                raise InputError([Issue("unreadable", "YAML aliases (*name) are not accepted; write the values out")],
                                 source)
    except yaml.YAMLError:
        pass  # parse_text reports the syntax error with its line


# What one request may ask of the service: a few bytes must not make it build millions of
# editions while validating. The RTCM programme has 68 editions over one year; the 10x
# benchmark 680 over two. (The horizon's length is the model's own limit.)
MAX_EDITIONS = 5000
# Entries in one list of periods or days (a trainer's absences, a room's closures, the extra
# holidays, a nominee's months away): more than one for each day of the longest horizon (five
# years), so that a planner never meets it, while a request cannot have the service walk
# millions of periods over every edition.
MAX_PERIODS = 2000

# Where the lists of periods sit in a problem: (path to a list of records or None for the
# document, the record's type, the list's field in it, what its entries are called).
PERIOD_LISTS: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("calendar",), "calendar", "closures", "closures"),
    (("calendar",), "calendar", "extra_holidays", "extra holidays"),
    (("trainers",), "trainer", "unavailable", "unavailable periods"),
    (("venues",), "venue", "closures", "closures"),
    (("venues", "rooms"), "room", "closures", "closures"),
    (("nominations",), "nomination", "unavailable_months", "unavailable months"),
)


def _whole_number(value: Any) -> int | None:
    # As pydantic reads an int in lax mode: 7, 7.0 and "7" alike.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


Place = tuple[str | int, ...]


def _records(raw: Any, path: tuple[str, ...], at: Place = ()) -> list[tuple[Place, dict[str, Any]]]:
    """The records at ``path`` (each list along it walked), with where each sits."""
    if not isinstance(raw, dict):
        return []
    if not path:
        return [(at, raw)]
    head, rest = path[0], path[1:]
    value = raw.get(head)
    if isinstance(value, dict) and head == "calendar":
        return _records(value, rest, (*at, head))
    if not isinstance(value, list):
        return []
    return [found for i, item in enumerate(value) for found in _records(item, rest, (*at, head, i))]


def service_limits(raw: dict[str, Any]) -> list[Issue]:
    """What in a problem, as sent, exceeds what the service takes on (checked before validation)."""
    errors = []
    programme = raw.get("programme")
    if isinstance(programme, list):
        counts = [_whole_number(item.get("editions", 1)) for item in programme if isinstance(item, dict)]
        total = sum(max(0, n) for n in counts if n is not None)
        if total > MAX_EDITIONS:
            errors.append(Issue("out_of_range", f"{total} editions in all; the service plans at most {MAX_EDITIONS}",
                                field=("programme",), at=(), label="programme"))
    for path, record, name, words in PERIOD_LISTS:
        for at, item in _records(raw, path):
            entries = item.get(name)
            if isinstance(entries, list) and len(entries) > MAX_PERIODS:
                ident = item.get("id") if record != "calendar" else None
                errors.append(Issue(
                    "out_of_range", f"{len(entries)} {words}; the service takes at most {MAX_PERIODS} in one list",
                    record, str(ident) if ident is not None else None,
                    index=at[-1] if ident is None and at and isinstance(at[-1], int) else None,
                    field=(name,), at=at))
    return errors


def _within_limits(problem: Problem, source: str) -> Problem:
    # A workbook is read before its lists can be counted: its problem is held to the same limits.
    too_much = service_limits(problem.model_dump(mode="json", include={
        "calendar": {"closures", "extra_holidays"}, "trainers": {"__all__": {"id", "unavailable"}},
        "venues": {"__all__": {"id": True, "closures": True, "rooms": {"__all__": {"id", "closures"}}}},
        "nominations": {"__all__": {"id", "unavailable_months"}}}))
    if too_much:
        raise InputError(too_much, source)
    return problem


def validate_problem(raw: dict[str, Any], source: str) -> Problem:
    """A validated problem, or an :class:`InputError` with every error found."""
    too_much = service_limits(raw)
    if too_much:
        raise InputError(too_much, source)
    return problem_from_data(raw, source)


def read_yaml_or_json(data: bytes, source: str) -> Problem:
    text = _text(data, source)
    if not source.endswith(".json"):
        _refuse_yaml_aliases(text, source)
    raw = parse_text(text, source)
    if not isinstance(raw, dict):
        return problem_from_data(raw, source)  # raises: not a problem
    return validate_problem(raw, source)


MAX_WORKBOOK_EXPANDED_BYTES = 100_000_000  # a filled-in template expands to a few MB
MAX_WORKBOOK_PARTS = 1000
CHUNK_BYTES = 65536

# How a part's first bytes tell its encoding (XML 1.0, appendix F): a byte-order mark, or
# the pattern '<?' makes in a 16- or 32-bit encoding without one. Anything else is read
# as 8-bit text, which is enough to find markup in UTF-8 and the other ASCII-based encodings.
_SNIFFED = (
    (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"), (b"<\x00?\x00", "utf-16-le"),
    (codecs.BOM_UTF8, "utf-8"),
)


class _Declared(Exception):
    """The prolog declares a DTD or an entity."""


class _PrologEnds(Exception):
    """The root element starts: no declaration can follow."""


def _declares_entities(part: IO[bytes]) -> bool:
    """Whether an XML part's prolog, however long and in whichever encoding, has a DTD or entity.

    The part is decoded here and handed to expat as UTF-8, so that comments, processing
    instructions and any padding are read as XML reads them; reading stops at the root element.
    """
    head = part.read(4)
    codec = next((name for mark, name in _SNIFFED if head.startswith(mark)), "latin-1")
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    parser = xml.parsers.expat.ParserCreate(encoding="UTF-8")  # overrides the declared encoding

    def declared(*_: object) -> None:
        raise _Declared

    def element(*_: object) -> None:
        raise _PrologEnds

    parser.StartDoctypeDeclHandler = declared
    parser.EntityDeclHandler = declared
    parser.StartElementHandler = element
    chunk = head
    try:
        while True:
            final = not chunk
            text = decoder.decode(chunk, final=final)
            parser.Parse((text.lstrip("\ufeff") if chunk is head else text).encode("utf-8"), final)
            if final:
                return False
            chunk = part.read(CHUNK_BYTES)
    except _Declared:
        return True
    except (_PrologEnds, xml.parsers.expat.ExpatError):
        return False  # a malformed part is the reader's to report


def _refuse_bombs(data: bytes, source: str) -> None:
    """Refuse a workbook that would expand too far or declares XML entities, before parsing it.

    The sizes a zip declares are checked before anything is inflated (zipfile stops
    reading a part at its declared size, so a part cannot lie its way past this). Excel
    never writes a DTD; one anywhere in a part's prolog, in any encoding, is refused here
    with a clear message (and defusedxml would refuse it while parsing).
    """
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the reader says what the file is
    with zf:
        parts = zf.infolist()
        expanded = sum(p.file_size for p in parts)
        if len(parts) > MAX_WORKBOOK_PARTS or expanded > MAX_WORKBOOK_EXPANDED_BYTES:
            raise InputError([Issue("unreadable", f"the workbook would expand to {expanded / 1e6:.0f} MB in "
                                    f"{len(parts)} parts, more than the {MAX_WORKBOOK_EXPANDED_BYTES / 1e6:.0f} MB "
                                    "accepted")], source)
        for part in parts:
            try:
                with zf.open(part) as f:
                    declares = _declares_entities(f)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
                continue  # a damaged part: the reader reports it if it needs it
            if declares:
                raise InputError([Issue("unreadable", f"the workbook part {part.filename[:100]} declares a DTD or "
                                        "XML entities, which a workbook never needs; they are refused")], source)


def read_workbook(data: bytes, source: str) -> Problem:
    if not openpyxl.DEFUSEDXML:  # e.g. OPENPYXL_DEFUSEDXML=False in the environment
        raise UnsupportedFormat("Excel problems are refused: the XML parser is not hardened (defusedxml)")
    _refuse_bombs(data, source)
    with tempfile.TemporaryDirectory(prefix="rtcm-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"  # never the client's name
        path.write_bytes(data)
        try:
            return _within_limits(read_problem(path), source)
        except InputError as err:
            raise InputError(err.issues, source) from None
        except DefusedXmlException as err:
            raise InputError([Issue("unreadable", f"the workbook holds XML that is refused ({type(err).__name__}): "
                                    "entity and DTD declarations are not accepted")], source) from None
        except ParseError as err:
            raise InputError([Issue("unreadable", f"the workbook holds malformed XML: {err}")], source) from None


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
