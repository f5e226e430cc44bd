"""Tools for testing code built on paysupport: strategies, stateful machines, properties.

- :mod:`paysupport.testing.strategies`: Hypothesis strategies for money and every model;
- :mod:`paysupport.testing.stateful`: rule-based state machines for each lifecycle;
- :mod:`paysupport.testing.properties`: ready-made checks for refund and escalation policies;
- :mod:`paysupport.testing.pytest_plugin`: fixtures (installed as a pytest plugin).

Needs Hypothesis (``pip install "paysupport[testing]"``). Submodules load on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["properties", "stateful", "strategies"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"paysupport.testing.{name}")
    raise AttributeError(f"module 'paysupport.testing' has no attribute {name!r}")
