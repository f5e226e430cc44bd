# ruff: noqa: RUF009  (param() is an attrs field specifier, like attrs.field)
"""A team's own tunable policy built from the schema blocks: bounds, tables, lists, records.

The blocks (``Exact``, ``Table``, ``Items``, ``Record``, ``OneOf``) are public so that hosts
declare their own policies; the built-in policies call them once at import, so these tests
declare a policy at run time (as a host does) and check what each block accepts, refuses
(field and rule named) and dumps. Written against the mutants `scripts/mutation.py policies`
left alive in config.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from paysupport.errors import PolicyConfigError
from paysupport.policies.config import (
    CurrencyCode,
    Exact,
    Int,
    Items,
    OneOf,
    PolicyBase,
    Record,
    Table,
    Text,
    param,
)


def team_policy() -> type[Any]:
    """Declare the policy afresh, as a host's module does at import."""

    @attrs.frozen(slots=False)
    class Step:
        name: str = param(Text)
        hours: int = param(Int(1), 1)

    @attrs.frozen(slots=False)
    class TeamRule(PolicyBase):
        KIND = "team_rule_under_test"

        share: Decimal = param(Exact(Decimal(0), Decimal(1)), "0.5")
        floor: Decimal = param(Exact(), "0")
        limits: tuple[tuple[str, int], ...] = param(Table(CurrencyCode, Int(0)), factory=dict)
        thresholds: tuple[int, ...] = param(Items(Int(0), 1, ascending=True), (1,))
        any_order: tuple[int, ...] = param(Items(Int(0)), ())
        mode: str = param(OneOf("strict", "lenient"), "strict")
        steps: tuple[Any, ...] = param(Items(Record(Step)), ())

    TeamRule.Step = Step  # type: ignore[attr-defined]
    return TeamRule


def refused(cls: type[Any], **data: Any) -> PolicyConfigError:
    with pytest.raises(PolicyConfigError) as caught:
        cls.from_dict(data)
    return caught.value


@pytest.mark.parametrize("share", ["0", "1", "0.25", 1, Decimal("0.5")])
def test_an_exact_value_inside_its_bounds_is_kept_exactly(share):
    assert team_policy()(share=share).share == Decimal(share)


@pytest.mark.parametrize(
    ("share", "rule"),
    [
        ("1.01", "out_of_range"),
        ("-0.01", "out_of_range"),
        ("NaN", "decimal_expected"),
        ("Infinity", "decimal_expected"),
        (0.5, "no_float"),
        (True, "decimal_expected"),
        ([1], "decimal_expected"),
        (None, "decimal_expected"),
    ],
)
def test_an_exact_value_outside_its_bounds_or_inexact_is_refused(share, rule):
    error = refused(team_policy(), share=share)
    assert (error.field, error.rule) == ("share", rule)


def test_an_exact_value_without_an_upper_bound_takes_any_size_but_not_below_zero():
    cls = team_policy()
    assert cls(floor="1000000").floor == Decimal(1_000_000)
    assert refused(cls, floor="-1").rule == "out_of_range"


def test_a_table_is_kept_sorted_and_dumped_as_a_plain_dict():
    cls = team_policy()
    p = cls.from_dict({"limits": {"JPY": 5, "EUR": 100}})
    assert p.limits == (("EUR", 100), ("JPY", 5))
    assert p.to_dict()["limits"] == {"EUR": 100, "JPY": 5}
    assert cls(limits=(("USD", 3),)).to_dict()["limits"] == {"USD": 3}
    assert cls.from_dict(p.to_dict()) == p


def test_a_table_refuses_a_bad_key_or_value_naming_it():
    error = refused(team_policy(), limits={"EUR": -1})
    assert (error.field, error.rule) == ("limits.EUR", "out_of_range")
    assert refused(team_policy(), limits={"XXX": 1}).rule == "unknown_currency"


def test_a_list_keeps_its_order_unless_it_must_ascend():
    cls = team_policy()
    assert cls(any_order=[3, 1]).any_order == (3, 1)
    assert cls(any_order=[]).any_order == ()
    assert cls(thresholds=[1, 1, 5]).thresholds == (1, 1, 5)
    error = refused(cls, thresholds=[5, 1])
    assert (error.field, error.rule) == ("thresholds", "not_ascending")
    assert refused(cls, thresholds=[]).field == "thresholds"


def test_one_of_refuses_anything_else():
    cls = team_policy()
    assert cls(mode="lenient").mode == "lenient"
    error = refused(cls, mode="loose")
    assert (error.field, error.rule) == ("mode", "unknown_value")


def test_a_record_is_built_from_a_table_and_dumped_back():
    cls = team_policy()
    p = cls.from_dict({"steps": [{"name": "call", "hours": 4}, {"name": "mail"}]})
    assert p.steps == (cls.Step("call", 4), cls.Step("mail", 1))
    assert p.to_dict()["steps"] == [{"name": "call", "hours": 4}, {"name": "mail", "hours": 1}]
    same = cls.Step("call", 4)
    assert cls(steps=(same,)).steps[0] is same


def test_a_record_that_is_not_a_table_is_refused():
    error = refused(team_policy(), steps=["call"])
    assert (error.field, error.rule) == ("steps.0", "table_expected")
    assert error.message == "expected a table"


def test_a_bad_key_inside_a_record_is_named_by_its_full_path():
    error = refused(team_policy(), steps=[{"name": "call"}, {"name": "mail", "hours": 0}])
    assert (error.field, error.rule) == ("steps.1.hours", "out_of_range")
    error = refused(team_policy(), steps=[{"name": "call", "when": 1}])
    assert (error.field, error.rule) == ("steps.0.when", "unknown_key")
    assert "unknown key 'when'" in error.message
