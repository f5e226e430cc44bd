"""The docs' rule lists are generated from the policies' RULES tables and cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from paysupport.errors import ValidationFailed
from paysupport.policies import (
    DisputeResponse,
    EscalationTier,
    RefundFairness,
    Resolution,
    RetrySchedule,
)
from paysupport.policies.rules import RULES_BEGIN, RULES_END, rules_markdown, splice_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policies"
PAGES = [
    ("refund-fairness.md", RefundFairness),
    ("escalation.md", EscalationTier),
    ("dispute-response.md", DisputeResponse),
    ("retry.md", RetrySchedule),
    ("resolution.md", Resolution),
]


def defaults(cls: type) -> dict:
    data = cls().to_dict()
    if cls is Resolution:  # the plans are long tables: the page shows them apart
        return {"safety_margin_hours": data["safety_margin_hours"]}
    return data


def generated(page: str, cls: type) -> str:
    return splice_rules(page, rules_markdown(cls.RULES, defaults(cls)))


@pytest.mark.parametrize(("name", "cls"), PAGES, ids=[n for n, _ in PAGES])
def test_docs_rule_table_is_generated_from_the_policy(name, cls):
    page = (DOCS / name).read_text(encoding="utf-8")
    # To fix a failure: write generated(page, cls) back to the page.
    assert page == generated(page, cls), f"docs/policies/{name} drifted from {cls.__name__}.RULES"


@pytest.mark.parametrize(("name", "cls"), PAGES, ids=[n for n, _ in PAGES])
def test_every_rule_is_listed_once_in_order(name, cls):
    table = rules_markdown(cls.RULES, defaults(cls))
    rows = table.splitlines()[2:]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, len(cls.RULES) + 1))
    for rule, row in zip(cls.RULES, rows, strict=True):
        assert f"`{rule.name}`" in row
        assert all(f"`{c}`" in row for c in rule.codes)


def test_a_changed_rule_makes_the_page_drift():
    page = (DOCS / "refund-fairness.md").read_text(encoding="utf-8")
    stale = page.replace("`refund_window`", "`refund_window_old`")
    assert stale != page
    assert generated(stale, RefundFairness) != stale


def test_a_page_without_markers_is_refused():
    with pytest.raises(ValidationFailed):
        splice_rules("# no markers", "| table |")
    assert RULES_BEGIN in generated(f"x\n{RULES_BEGIN}\n{RULES_END}\n", RefundFairness)
