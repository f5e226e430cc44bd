"""The Hypothesis entry point registers the strategies with no import from the user."""

from __future__ import annotations

import subprocess
import sys


def test_from_type_works_through_the_entry_point_alone() -> None:
    code = (
        "from hypothesis import strategies as st\n"
        "from paysupport.models import Payment\n"
        "import sys\n"
        "assert 'paysupport.testing.strategies' in sys.modules, 'entry point did not load'\n"
        "print(type(st.from_type(Payment).example()).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Payment"
