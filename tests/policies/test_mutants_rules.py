"""The generated rules table of a policy page: parameters shown, markers required.

Written against the mutants `scripts/mutation.py policies` left alive in rules.py.
"""

from __future__ import annotations

import pytest

from paysupport.errors import ValidationFailed
from paysupport.policies.rules import RULES_BEGIN, RULES_END, Rule, rules_markdown, splice_rules


def _never(policy, ctx, now, draft):  # a rule's check; never called here
    return None


RULE = Rule(
    "cap", "deny", ("over_cap",), ("limits", "window", "flag", "other"), "checks the cap", _never
)


def test_a_parameter_table_shows_empty_tables_as_none_and_flags_in_lower_case():
    row = rules_markdown([RULE], {"limits": {}, "window": [1, 2], "flag": True}).splitlines()[2]
    assert "`limits` (none); `window` (1, 2); `flag` (true); `other`" in row
    row = rules_markdown([RULE], {"limits": {"EUR": 5}}).splitlines()[2]
    assert "`limits` (EUR: 5)" in row


@pytest.mark.parametrize(
    "page",
    ["no markers at all", f"only the start {RULES_BEGIN} and no end", f"only the end {RULES_END}"],
)
def test_a_page_without_both_markers_is_refused(page):
    with pytest.raises(ValidationFailed) as caught:
        splice_rules(page, "| table |")
    assert (caught.value.field, caught.value.rule) == ("page", "rules_markers")
    assert caught.value.message == "the page has no generated rules block"


def test_the_table_replaces_only_the_text_between_the_markers():
    page = f"intro\n{RULES_BEGIN}\nold\n{RULES_END}\noutro\n"
    assert splice_rules(page, "new") == f"intro\n{RULES_BEGIN}\nnew\n{RULES_END}\noutro\n"
