"""``rtcm`` commands that exchange files with planners: Excel template and import, iCalendar."""

from __future__ import annotations
