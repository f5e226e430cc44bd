"""Tools for testing code built on paysupport: Hypothesis strategies for the models.

Needs Hypothesis (``pip install "paysupport[testing]"``).
"""

from paysupport.testing import strategies

__all__ = ["strategies"]
