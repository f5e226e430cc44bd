"""The ``analytics`` extra: a clear error when its dataframe libraries are not installed."""

from __future__ import annotations

import importlib

from paysupport.errors import PaysupportError

__all__ = ["EXTRA_MODULES", "MissingExtra", "check"]

EXTRA_MODULES = ("polars", "pyarrow", "narwhals")
"""The modules every columnar view needs (matplotlib is needed only by ``plot()``)."""


class MissingExtra(PaysupportError, ImportError):
    """A feature needs an optional extra that is not installed.

    Args:
        module: the module that could not be imported.
        extra: the extra that provides it (``pip install "paysupport[<extra>]"``).
    """

    def __init__(self, module: str, extra: str = "analytics") -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f'{module} is not installed: install the extra with pip install "paysupport[{extra}]"'
        )


def check(modules: tuple[str, ...] = EXTRA_MODULES, extra: str = "analytics") -> None:
    """Raise `MissingExtra` naming the first of ``modules`` that cannot be imported."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise MissingExtra(module, extra) from exc
