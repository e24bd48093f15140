"""Running a bench's command in a test, over a record that already holds a run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def run_appended(main: Callable[[], None], out: Path, monkeypatch: pytest.MonkeyPatch,
                 argv: list[str]) -> dict[str, Any]:
    """``main`` run with ``argv``, ``--out out`` and ``--note t``, ``out`` holding an earlier run: the
    record's description and the earlier run are kept, and the new run is returned."""
    out.write_text(json.dumps({"what": "kept", "runs": [{"note": "earlier"}]}))
    monkeypatch.setattr("sys.argv", [*argv, "--out", str(out), "--note", "t"])
    main()
    data = json.loads(out.read_text())
    assert data["what"] == "kept" and [r["note"] for r in data["runs"]] == ["earlier", "t"]
    run: dict[str, Any] = data["runs"][-1]
    return run
