"""A policy as its rulebook: an ordered table of small named rules.

Each ``Rule`` names what it checks, the verdicts and reason codes it may give and the
parameters it reads, and holds the function that checks it: ``check(policy, ctx, now,
draft)`` returns a ``Decision`` (the rule decides) or ``None``
(it passes, possibly after noting a reason on the ``draft``). A policy's ``decide`` walks its
``RULES`` in order; the docs' rule list is generated from the same table
(``rules_markdown``), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

from paysupport.errors import ValidationFailed

from .decision import Decision

__all__ = ["RULES_BEGIN", "RULES_END", "Rule", "rules_markdown", "splice_rules"]

P = TypeVar("P")
C = TypeVar("C")
D = TypeVar("D")

#: The markers around the generated rule table in a docs page.
RULES_BEGIN = "<!-- rules: generated from the policy's RULES table; do not edit by hand -->"
RULES_END = "<!-- /rules -->"


@attrs.frozen(slots=True)
class Rule(Generic[P, C, D]):
    """One rule of a policy.

    Attributes:
        name: the rule's name (``"open_chargeback"``).
        verdicts: what it may decide (``"deny"``; ``"note → review"`` for a rule that only
            adds a reason the last rule weighs).
        codes: the reason codes it may give, the first being its own.
        parameters: the parameters it reads (``"refund_window_days"``...).
        summary: one sentence for the docs.
        check: ``(policy, ctx, now, draft) -> Decision | None``.
    """

    name: str
    verdicts: str
    codes: tuple[str, ...]
    parameters: tuple[str, ...]
    summary: str
    check: Callable[[P, C, datetime, D], Decision | None] = attrs.field(eq=False, repr=False)


def rules_markdown(rules: Sequence[Rule[Any, Any, Any]], defaults: dict[str, Any]) -> str:
    """The Markdown table of ``rules``, in order, with each parameter's default.

    Args:
        rules: the policy's ``RULES``.
        defaults: the policy's ``to_dict()`` at its defaults (for the parameter column).
    """
    lines = [
        "| # | rule | verdict | reason codes | parameters (default) | what it checks |",
        "|---|---|---|---|---|---|",
    ]
    for i, rule in enumerate(rules, 1):
        codes = ", ".join(f"`{c}`" for c in rule.codes)
        params = "; ".join(_param(p, defaults) for p in rule.parameters) or "—"
        lines.append(
            f"| {i} | `{rule.name}` | {rule.verdicts} | {codes} | {params} | {rule.summary} |"
        )
    return "\n".join(lines)


def _param(name: str, defaults: dict[str, Any]) -> str:
    if name not in defaults:
        return f"`{name}`"
    value = defaults[name]
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
    elif isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        text = str(value).lower()
    else:
        text = str(value)
    return f"`{name}` ({text})"


def splice_rules(page: str, table: str) -> str:
    """``page`` with the text between ``RULES_BEGIN`` and ``RULES_END`` set to ``table``.

    Raises:
        ValidationFailed: the page has no markers.
    """
    head, sep, rest = page.partition(RULES_BEGIN)
    _old, sep2, tail = rest.partition(RULES_END)
    if not sep or not sep2:
        raise ValidationFailed("page", "rules_markers", "the page has no generated rules block")
    return f"{head}{RULES_BEGIN}\n{table}\n{RULES_END}{tail}"
