from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import paysupport


@pytest.mark.parametrize("name", paysupport.__all__)
def test_every_curated_name_resolves(name: str) -> None:
    value = getattr(paysupport, name)
    assert value is not None
    if name != "__version__":
        assert getattr(value, "__doc__", None), f"{name} has no docstring"


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = paysupport.no_such_name  # type: ignore[attr-defined]


def test_package_docstring_examples() -> None:
    result = doctest.testmod(paysupport, verbose=False)
    assert result.attempted >= 2
    assert result.failed == 0


def test_import_is_cheap_and_lazy() -> None:
    code = "import sys, paysupport; print('paysupport.models' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
