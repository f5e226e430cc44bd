"""Bundled sample data: a small merchant portfolio with disputes, declines and cases.

The one place that reads bundled data (package resources, never the file system at large);
the command-line front end and the examples use it.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from paysupport.models import Portfolio

__all__ = ["load"]


def load() -> tuple[Portfolio, datetime]:
    """The sample portfolio and the moment it describes ("now" for its deadlines and SLAs)."""
    text = resources.files(__name__).joinpath("portfolio.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    now = datetime.fromisoformat(raw.pop("now").replace("Z", "+00:00"))
    return Portfolio.model_validate(raw), now
