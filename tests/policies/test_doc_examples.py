"""The policies' docstring examples run: the user-written tunable policy, rates, PolicySet."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "paysupport.policies",
    "paysupport.policies.config",
    "paysupport.policies.fx",
    "paysupport.policies.policy_set",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), verbose=False)
    assert result.attempted >= 1
    assert result.failed == 0


def test_the_documented_user_policy_is_tunable_and_registered():
    from paysupport.policies.config import kind_registry

    module = importlib.import_module("paysupport.policies.config")
    doctest.testmod(module, verbose=False)
    cls = kind_registry()["no_refunds_on_day"]
    assert cls.from_dict(cls(weekday=3).to_dict()) == cls(weekday=3)
