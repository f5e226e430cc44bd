"""The explainable result of every policy: ``Decision``, ``Reason``, ``Verdict``.

A decision says *what* (the outcome, and where it applies an amount, a tier or a plan),
*why* (reasons: a code, the rule that fired, the values it compared, a sentence for people)
and *who decided* (``PolicyInfo``: the policy's kind, its parameters and a stable
fingerprint of them), so that it can be audited and replayed against the exact policy
that made it.

Decisions are built on the hot path, so they are small slotted records: a reason's sentence
is rendered only when someone reads ``Reason.message``, and the policy's description is
one shared ``PolicyInfo`` per policy instance.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import re
import string
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, Final

import attrs

from paysupport.errors import NotFound, ValidationFailed
from paysupport.models import Tier
from paysupport.money import Money

__all__ = [
    "Checklist",
    "Decision",
    "PolicyInfo",
    "Reason",
    "RetryPlan",
    "Step",
    "Verdict",
    "fingerprint_of",
]


class Verdict(StrEnum):
    """What a policy decided (``workflows.Outcome`` is a workflow's whole result).

    Refund fairness and operator authority use approve / approve_partial / review / deny;
    escalation uses ``assign`` (with a tier); resolution ``plan`` (with steps); dispute
    response ``accept`` / ``contest``; retry ``retry`` / ``ask_customer`` / ``stop``.
    ``pass`` is a rule's "no opinion", which combinators skip.
    """

    APPROVE = "approve"
    APPROVE_PARTIAL = "approve_partial"
    REVIEW = "review"
    DENY = "deny"
    ASSIGN = "assign"
    PLAN = "plan"
    ACCEPT = "accept"
    CONTEST = "contest"
    RETRY = "retry"
    ASK_CUSTOMER = "ask_customer"
    STOP = "stop"
    PASS = "pass"

    @property
    def is_approval(self) -> bool:
        """True for approve and approve_partial."""
        return self in _APPROVALS

    @property
    def needs_reason(self) -> bool:
        """True for outcomes that must always carry at least one reason (deny, review...)."""
        return self in _NEEDS_REASON


_APPROVALS: Final = frozenset({Verdict.APPROVE, Verdict.APPROVE_PARTIAL})
_NEEDS_REASON: Final = frozenset(
    {Verdict.DENY, Verdict.REVIEW, Verdict.APPROVE_PARTIAL, Verdict.STOP, Verdict.ASK_CUSTOMER}
)


_CODE: Final = re.compile(r"[a-z][a-z0-9_]*")
#: The name of a ``(name, value)`` pair (a C-level getter: reasons are built on the hot path).
_first: Final = operator.itemgetter(0)
#: A reason's code (a C-level getter: every backtest row reads a decision's codes).
_code: Final = operator.attrgetter("code")


@functools.lru_cache(maxsize=4096)
def _check_reason(code: str, rule: str, template: str, names: tuple[str, ...]) -> None:
    """Refuse a reason that cannot explain itself (see ``Reason``)."""
    if not _CODE.fullmatch(code):
        raise ValidationFailed("code", "snake_case", f"reason code {code!r} is not snake_case")
    if not rule:
        raise ValidationFailed("rule", "rule_required", f"reason {code!r} names no rule")
    used = set()
    for _literal, field, _spec, _conv in string.Formatter().parse(template):
        if field:
            used.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    missing = used - set(names)
    if missing:
        raise ValidationFailed(
            "template",
            "unrecorded_value",
            f"reason {code!r}: template names {sorted(missing)} but the values hold no such names",
        )


@attrs.frozen(slots=True, cache_hash=False, init=False, weakref_slot=False)
class Reason:
    """One rule that fired: a stable ``code``, the ``rule`` (parameter) behind it, the values.

    Attributes:
        code: stable snake_case code a notebook can count (``"outside_refund_window"``).
        rule: the rule or parameter that fired (``"refund_window_days.card"``).
        values: the values compared, as ``(name, value)`` pairs in a fixed order.
        template: the sentence for people, a ``str.format`` template over ``values``.
        policy: the kind of the policy that gave the reason (``"refund_fairness"``), so a
            combined decision still says which policy and rule decided.

    Raises:
        ValidationFailed: a code that is not snake_case, no rule, or a template naming a
            value that was not recorded.
    """

    code: str
    rule: str
    values: tuple[tuple[str, Any], ...] = ()
    template: str = ""
    policy: str = ""

    def __init__(
        self,
        code: str,
        rule: str,
        values: tuple[tuple[str, Any], ...] = (),
        template: str = "",
        policy: str = "",
    ) -> None:
        """Set the fields as attrs' ``__init__`` would, then check the reason.

        Written out (``init=False``): policies build one or more reasons per decision; the
        fields are stored in the class's mutable twin (`_twin`), a subclass's by the slots'
        setters.
        """
        if type(self) is Reason:
            new: Any = self
            _set_class(new, _REASON_TWIN)
            new.code = code
            new.rule = rule
            new.values = values
            new.template = template
            new.policy = policy
            new.__class__ = Reason
        else:
            _set_slots(self, _REASON_SETTERS, (code, rule, values, template, policy))
        # An unexplained or unrenderable reason is a bug in the policy: refuse it when it is
        # built, not when an operator reads it. Cached: a policy builds the same shapes.
        _check_reason(code, rule, template, tuple(map(_first, values)))

    @property
    def message(self) -> str:
        """The short human sentence, rendered from ``template`` and ``values`` on demand."""
        if not self.template:
            return self.code.replace("_", " ")
        return self.template.format(**{k: _human(v) for k, v in self.values})

    def value(self, name: str) -> Any:
        """The compared value called ``name``.

        Raises:
            NotFound: the rule recorded no value of that name (field ``name``).
        """
        for key, val in self.values:
            if key == name:
                return val
        raise NotFound("reason value", name, "name")

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-friendly dict of the reason (values rendered with ``str``)."""
        return {
            "code": self.code,
            "rule": self.rule,
            "policy": self.policy,
            "message": self.message,
            "values": {k: _plain(v) for k, v in self.values},
        }


def _duration(td: timedelta) -> str:
    sign = "-" if td < timedelta(0) else ""
    minutes = abs(td) // timedelta(minutes=1)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins} min"
    return f"{sign}{mins} min"


def _human(value: Any) -> str:
    """Render a compared value for the sentence an operator reads (``values`` stay raw)."""
    if isinstance(value, Money):
        return value.format(grouping=True)
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value, key=str) if isinstance(value, frozenset | set) else value
        return ", ".join(_human(v).replace("|", " or ") for v in items) or "none"
    if value is None:
        return "none"
    return str(value)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency.code}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value)


def fingerprint_of(config: Mapping[str, Any]) -> str:
    """The sha256 (hex) of the canonical JSON of a policy's ``to_dict()``.

    Canonical: keys sorted, no spaces, ASCII only; the same parameters always give the same
    fingerprint, in any process and on any machine.
    """
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@attrs.frozen(slots=True, eq=False)
class PolicyInfo:
    """Who decided: the policy's kind, its parameters (as ``to_dict()``) and fingerprint.

    One instance per policy instance, shared by every decision it makes. Two infos are equal
    when their fingerprints are.
    """

    kind: str
    fingerprint: str
    parameters: Mapping[str, Any]

    @classmethod
    def of(cls, config: dict[str, Any]) -> PolicyInfo:
        """Describe a policy from its ``to_dict()``."""
        return cls(str(config.get("kind", "")), fingerprint_of(config), _freeze(config))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolicyInfo):
            return NotImplemented
        return self.fingerprint == other.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[Any, tuple[str, str, Any]]:
        return (_make_info, (self.kind, self.fingerprint, _thaw(self.parameters)))


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _make_info(kind: str, fingerprint: str, parameters: dict[str, Any]) -> PolicyInfo:
    return PolicyInfo(kind, fingerprint, _freeze(parameters))


@attrs.frozen(slots=True, init=False, weakref_slot=False)
class Step:
    """One step of a resolution plan.

    Attributes:
        action: what to do, in the operator's words (``"collect_proof_of_delivery"``).
        tier: who does it.
        due: by when.
        effect: the effect the step leads to (``"submit_evidence"``, ``"accept_dispute"``).
        condition: when the step applies (``""`` always; ``"no_evidence"``...).
    """

    action: str
    tier: Tier
    due: datetime
    effect: str
    condition: str = ""

    def __init__(
        self, action: str, tier: Tier, due: datetime, effect: str, condition: str = ""
    ) -> None:
        """Set the fields as attrs' ``__init__`` would (written out: a plan builds several).

        Stored as `Reason`'s are (`_twin`).
        """
        if type(self) is Step:
            new: Any = self
            _set_class(new, _STEP_TWIN)
            new.action = action
            new.tier = tier
            new.due = due
            new.effect = effect
            new.condition = condition
            new.__class__ = Step
        else:
            _set_slots(self, _STEP_SETTERS, (action, tier, due, effect, condition))


@attrs.frozen(slots=True)
class Checklist:
    """The evidence a dispute's reason code needs, against the evidence on file.

    Attributes:
        required: the compelling groups (``"proof_of_delivery|service_documentation"``:
            any one kind of a group satisfies it).
        on_file: the kinds on file.
        missing: the compelling groups not satisfied (none once a refund or withdrawal is
            on file); the same answer as ``Dispute.missing_evidence()``.
        strengthening: kinds that strengthen a response but are not required.
        strengthening_missing: the strengthening kinds not on file.
    """

    required: tuple[str, ...]
    on_file: tuple[str, ...]
    missing: tuple[str, ...]
    strengthening: tuple[str, ...] = ()
    strengthening_missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing required is missing."""
        return not self.missing


@attrs.frozen(slots=True)
class RetryPlan:
    """When to retry a declined payment, and what to ask the customer if retrying cannot work.

    Attributes:
        schedule: the retry times, in order (empty when no retry is planned).
        ask: what to ask the customer for (``"new_payment_method"``, ``"update_card"``,
            ``"authenticate"``, ``"contact_issuer"``), or ``""``.
    """

    schedule: tuple[datetime, ...] = ()
    ask: str = ""


@attrs.frozen(slots=True, init=False, weakref_slot=False)
class Decision:
    """What a policy decided, why, and which exact policy decided it.

    Attributes:
        outcome: the ``Verdict``.
        reasons: the rules that fired, in the order they were checked. A deny, review,
            partial approval, stop or ask always has at least one.
        policy: the deciding policy's kind, parameters and fingerprint.
        amount: the amount granted (refunds) or at stake, where it applies.
        tier: the tier that must handle or approve it, where it applies.
        steps: the resolution plan, in order (resolution policies).
        detail: an evidence ``Checklist`` or a ``RetryPlan``, where it applies.
        parts: the decisions of the inner policies, for a combinator's decision.

    Raises:
        ValidationFailed: an outcome that is not a ``Verdict`` (``None`` included), or
            a deny, review, partial approval, stop or ask without a reason.
    """

    outcome: Verdict
    reasons: tuple[Reason, ...]
    policy: PolicyInfo
    amount: Money | None = None
    tier: Tier | None = None
    steps: tuple[Step, ...] = ()
    detail: Checklist | RetryPlan | None = None
    parts: tuple[Decision, ...] = ()

    def __init__(
        self,
        outcome: Verdict,
        reasons: tuple[Reason, ...],
        policy: PolicyInfo,
        amount: Money | None = None,
        tier: Tier | None = None,
        steps: tuple[Step, ...] = (),
        detail: Checklist | RetryPlan | None = None,
        parts: tuple[Decision, ...] = (),
    ) -> None:
        """Check the outcome and its reasons, then set the fields as attrs' ``__init__`` would.

        Written out (``init=False``): every policy call builds one; stored as `Reason`'s
        are (`_twin`).
        """
        if outcome.__class__ is not Verdict:
            raise ValidationFailed(
                "outcome", "verdict_expected", f"expected a Verdict, got {outcome!r}"
            )
        if not reasons and outcome in _NEEDS_REASON:
            raise ValidationFailed(
                "reasons",
                "reason_required",
                f"a {outcome.value} decision needs at least one reason",
            )
        if type(self) is Decision:
            new: Any = self
            _set_class(new, _DECISION_TWIN)
            new.outcome = outcome
            new.reasons = reasons
            new.policy = policy
            new.amount = amount
            new.tier = tier
            new.steps = steps
            new.detail = detail
            new.parts = parts
            new.__class__ = Decision
        else:
            fields = (outcome, reasons, policy, amount, tier, steps, detail, parts)
            _set_slots(self, _DECISION_SETTERS, fields)

    @property
    def fingerprint(self) -> str:
        """The deciding policy's configuration fingerprint."""
        return self.policy.fingerprint

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order: what a notebook counts."""
        return tuple(map(_code, self.reasons))

    @property
    def approved(self) -> bool:
        """True for approve and approve_partial."""
        return self.outcome in _APPROVALS

    def explain(self) -> str:
        """A few lines for an operator: outcome, amount or tier, and each reason."""
        head = self.outcome.value
        if self.amount is not None:
            head += f" {self.amount}"
        if self.tier is not None:
            head += f" (tier {self.tier.value})"
        lines = [f"{head} by {self.policy.kind} [{self.policy.fingerprint[:12]}]"]
        lines.extend(
            f"  - {r.code}: {r.message} [{r.policy + ':' if r.policy else ''}{r.rule}]"
            for r in self.reasons
        )
        return "\n".join(lines)

    @property
    def config(self) -> dict[str, Any]:
        """The deciding policy's parameters as a plain dict (its ``to_dict()``)."""
        result: dict[str, Any] = _thaw(self.policy.parameters)
        return result

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of the decision (for logs and notebooks)."""
        out: dict[str, Any] = {
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "policy": self.policy.kind,
            "fingerprint": self.policy.fingerprint,
        }
        if self.amount is not None:
            out["amount"] = _plain(self.amount)
        if self.tier is not None:
            out["tier"] = self.tier.value
        if self.steps:
            out["steps"] = [
                {
                    "action": s.action,
                    "tier": s.tier.value,
                    "due": s.due.isoformat(),
                    "effect": s.effect,
                    "condition": s.condition,
                }
                for s in self.steps
            ]
        if isinstance(self.detail, Checklist):
            out["checklist"] = {
                "required": list(self.detail.required),
                "on_file": list(self.detail.on_file),
                "missing": list(self.detail.missing),
                "strengthening": list(self.detail.strengthening),
                "strengthening_missing": list(self.detail.strengthening_missing),
            }
        elif isinstance(self.detail, RetryPlan):
            out["retry"] = {
                "schedule": [t.isoformat() for t in self.detail.schedule],
                "ask": self.detail.ask,
            }
        if self.parts:
            out["parts"] = [p.to_dict() for p in self.parts]
        return out


def _slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of a frozen attrs class's slots, in field order (its written-out init's).

    The class's own ``__setattr__`` refuses, as it should for everyone else.
    """
    return tuple(getattr(cls, a.name).__set__ for a in attrs.fields(cls))


def _set_slots(
    instance: Any, setters: tuple[Callable[[Any, Any], None], ...], values: tuple[Any, ...]
) -> None:
    """Set ``values`` in field order with the slots' ``setters`` (`_slot_setters`)."""
    for setter, value in zip(setters, values, strict=True):
        setter(instance, value)


#: ``object.__class__``'s setter: moves an instance to a class of the same layout.
_set_class: Final[Callable[[object, type], None]] = object.__dict__["__class__"].__set__


def _twin(cls: type) -> type:
    """A mutable class with the slots of the frozen attrs class ``cls``: the same layout.

    A written-out ``__init__`` moves its new instance to the twin (`_set_class`), stores
    the fields with plain attribute stores and moves it back (``new.__class__ = cls``): two
    class changes, where setting the slots through their setters costs about one such
    call per field. Only for an instance of exactly ``cls`` (a subclass has more slots).
    ``cls`` keeps no ``__weakref__`` slot (``weakref_slot=False``): CPython refuses a
    class change between two classes that have one.

    The twin has ``cls``'s bases (so a subclass of a slotted base, an effect, keeps its
    layout) and ``object``'s own attribute hooks, so a store goes straight to the slot even
    where a base defines attrs' frozen ones in Python.
    """
    namespace = {
        "__slots__": cls.__dict__["__slots__"],
        "__module__": cls.__module__,
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    return type(f"_{cls.__name__}Twin", cls.__bases__, namespace)


_REASON_SETTERS: Final = _slot_setters(Reason)
_DECISION_SETTERS: Final = _slot_setters(Decision)
_STEP_SETTERS: Final = _slot_setters(Step)
_REASON_TWIN: Final = _twin(Reason)
_DECISION_TWIN: Final = _twin(Decision)
_STEP_TWIN: Final = _twin(Step)
