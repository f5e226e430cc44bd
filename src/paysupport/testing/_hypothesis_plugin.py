"""Hypothesis plugin hook: registers paysupport's strategies for ``st.from_type``.

Hypothesis calls this through the ``hypothesis`` entry-point group when it is imported.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Import the strategies module, which registers a strategy for every model."""
    import paysupport.testing.strategies  # noqa: F401
