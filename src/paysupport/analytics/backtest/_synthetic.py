"""``SyntheticCases``: any number of deterministic cases, built cheaply in each worker.

For scale tests, benchmarks and demos. A source of ``n`` cases from a ``seed``: case ``i``
is one of a fixed pool of templates per kind (refund requests, dispute notices, declines,
support cases, over realistic merchants, amounts, networks, reason codes and ages), chosen
by a counter-based hash of ``(seed, i)``, with its own id. The pool is built once per
process (a few hundred models), so a chunk of cases costs an ``evolve`` each, and any
``cases(start, stop)`` gives the same cases in any process: only ``(start, stop)`` travels.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from paysupport.errors import ValidationFailed
from paysupport.models import (
    Capture,
    Card,
    Customer,
    Dispute,
    Merchant,
    Operator,
    PastRefund,
    Payment,
    PaymentFailure,
    PaymentMethod,
    RefundReason,
    RefundRequest,
    SupportCase,
)
from paysupport.money import Money
from paysupport.workflows import CaseContext, DisputeResult

from ._cases import Case, DeclineCase, DisputeCase, RefundCase, TriageCase

__all__ = ["SyntheticCases"]

_MASK = (1 << 64) - 1

#: (network, reason code) pairs disputes are drawn from.
_DISPUTES = (
    ("visa", "13.1"),
    ("visa", "13.1"),
    ("visa", "10.4"),
    ("visa", "12.6.1"),
    ("visa", "13.3"),
    ("mastercard", "4853"),
    ("mastercard", "4837"),
    ("mastercard", "4855"),
    ("amex", "C08"),
    ("amex", "F29"),
)
#: (network, ISO 8583 decline code, Mastercard advice code) declines are drawn from.
_DECLINES = (
    ("visa", "51", None),
    ("visa", "05", None),
    ("visa", "54", None),
    ("visa", "91", None),
    ("mastercard", "51", "01"),
    ("mastercard", "05", "03"),
    ("mastercard", "14", None),
)
_SEGMENTS = ("small", "small", "small", "medium", "medium", "enterprise", "vip")
_MARKETS = ("HK", "TW", "JP", "KR", "DE", "US")
_CURRENCIES = ("EUR", "EUR", "USD", "GBP")
_CLAIMS = ("refund_request", "overcharge", "dispute_received", "failed_payment")
_MIX = (("refund", 45), ("dispute", 25), ("decline", 20), ("support", 10))


def _mix(x: int) -> int:
    """splitmix64's finaliser: a well-spread 64-bit hash of ``x``."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class _Draw:
    """Deterministic draws from one 64-bit state (no global randomness)."""

    __slots__ = ("state",)

    def __init__(self, *key: int) -> None:
        state = 0
        for k in key:
            state = _mix(state ^ k)
        self.state = state

    def below(self, n: int) -> int:
        self.state = _mix(self.state)
        return self.state % n

    def pick(self, items: Sequence[Any]) -> Any:
        return items[self.below(len(items))]


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationFailed(attribute.name, "positive_int", f"{attribute.name} must be ≥ 1")


@attrs.frozen
class SyntheticCases:
    """``n`` deterministic synthetic cases from ``seed``, starting at ``start``.

    Attributes:
        n: how many cases.
        seed: the seed; the same ``(n, seed, start)`` always gives the same cases.
        start: the time of the earliest case (a timezone-aware datetime; no clock is read).
        days: cases spread over this many days after ``start``.
        templates: templates per kind (more: more variety, slower first chunk).
    """

    n: int = attrs.field()
    seed: int = attrs.field(default=0)
    start: datetime = attrs.field(kw_only=True)
    days: int = attrs.field(default=90, validator=_positive)
    templates: int = attrs.field(default=256, validator=_positive)

    @n.validator
    def _check_n(self, _: Any, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed("n", "non_negative_int", "n must be an int ≥ 0")

    @seed.validator
    def _check_seed(self, _: Any, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed("seed", "non_negative_int", "seed must be an int ≥ 0")

    @start.validator
    def _check_start(self, _: Any, value: datetime) -> None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValidationFailed("start", "timezone_aware", "start must be timezone-aware")

    def __len__(self) -> int:
        return self.n

    def cases(self, start: int, stop: int) -> list[Case]:
        """Cases ``start`` to ``stop`` (exclusive), the same in every process.

        Case ``i`` draws its kind, then its template, from ``_Draw(seed, i)``; the draws of a
        whole range are computed at once on unsigned 64-bit arrays (the same splitmix64
        steps, wrapping as the masked integers do), so a chunk costs a copy per case.
        """
        pool = _blueprints(self.seed, self.start, self.days, self.templates)
        first, last = max(start, 0), min(stop, self.n)
        if last <= first:
            return []
        index = np.arange(first, last, dtype=np.uint64)
        state = _mix_array(np.uint64(_mix(self.seed)) ^ index)  # _Draw(seed, i)
        state = _mix_array(state)
        kind_at = (state % np.uint64(len(_KINDS))).tolist()
        state = _mix_array(state)
        draws = state.tolist()
        out: list[Case] = []
        for i, k, draw in zip(range(first, last), kind_at, draws, strict=True):
            prefix, blueprints = pool[k]
            out.append(_copy(blueprints[draw % len(blueprints)], f"{prefix}{i}"))
        return out


#: The kinds, each repeated by its weight: case ``i``'s kind is drawn from this.
_KINDS = tuple(k for k, w in _MIX for _ in range(w))
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix_array(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``_mix`` on every element (uint64 arithmetic wraps modulo 2**64, as ``_MASK`` does)."""
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


#: How to copy a template under another id (`_copy`): its class, its id slot's setter, and
#: per other field the slot's own setter and the template's value.
_Blueprint: TypeAlias = tuple[type, Callable[[Any, Any], None], tuple[tuple[Any, Any], ...]]


def _blueprint(template: Case) -> _Blueprint:
    """How to copy ``template`` field by field: its slots' own setters (frozen classes)."""
    cls = type(template)
    slots = vars(cls)
    fields = tuple(
        (slots[a.name].__set__, getattr(template, a.name))
        for a in attrs.fields(cls)
        if a.name != "id"
    )
    return cls, slots["id"].__set__, fields


def _copy(blueprint: _Blueprint, case_id: str) -> Case:
    """A copy of a template case under another id (``attrs.evolve(template, id=case_id)``).

    The template passed every check when it was built and only the id changes, to a
    non-empty string, so the checks are not run again for each copy. The fields are set
    through the slots' own setters (what ``object.__setattr__`` ends up calling, without
    looking each one up by name), with the template's values read once (`_blueprint`).
    """
    cls, set_id, fields = blueprint
    new: Case = object.__new__(cls)
    set_id(new, case_id)
    for set_, value in fields:
        set_(new, value)
    return new


@functools.lru_cache(maxsize=8)
def _blueprints(
    seed: int, start: datetime, days: int, count: int
) -> tuple[tuple[str, tuple[_Blueprint, ...]], ...]:
    """Per entry of ``_KINDS``: the id prefix and the blueprints of the kind's templates."""
    pool = _templates(seed, start, days, count)
    made = {kind: (kind[0], tuple(map(_blueprint, pool[kind]))) for kind in pool}
    return tuple(made[kind] for kind in _KINDS)


@functools.lru_cache(maxsize=8)
def _templates(seed: int, start: datetime, days: int, count: int) -> dict[str, tuple[Case, ...]]:
    """The template pool, built once per process and parameters (chunks reuse it)."""
    merchants = [
        Merchant(
            id=f"m_{k}",
            name=f"Merchant {k}",
            segment=_SEGMENTS[k % len(_SEGMENTS)],
            market=_MARKETS[k % len(_MARKETS)],
        )
        for k in range(24)
    ]
    operators = [Operator(id=f"op_{t}", tier=t) for t in ("junior", "junior", "middle", "senior")]
    built: dict[str, list[Case]] = {"refund": [], "dispute": [], "decline": [], "support": []}
    for j in range(count):
        d = _Draw(seed, 1 << 40, j)
        m = d.pick(merchants)
        at = start + timedelta(minutes=d.below(days * 24 * 60))
        built["refund"].append(_refund(d, j, m, at, d.pick(operators)))
        built["dispute"].append(_dispute(d, j, m, at))
        built["decline"].append(_decline(d, j, m, at))
        built["support"].append(_support(d, j, m, at, d.pick(operators)))
    return {k: tuple(v) for k, v in built.items()}


def _payment(d: _Draw, j: int, m: Merchant, at: datetime) -> Payment:
    currency = d.pick(_CURRENCIES)
    amount = Money.from_minor(500 + d.below(60_000) * (1 + d.below(4)), currency)
    captured = at - timedelta(days=1 + d.below(240), minutes=d.below(600))
    brand = d.pick(("visa", "visa", "mastercard", "amex"))
    return Payment(
        id=f"pay_{j}",
        merchant_id=m.id,
        customer_id=f"cus_{j % 97}",
        amount=amount,
        status="captured",
        created_at=captured,
        captures=(Capture(id=f"cap_{j}", amount=amount, captured_at=captured),),
        payment_method=PaymentMethod(
            type="card", card=Card(brand=brand, last4=f"{j % 10_000:04d}")
        ),
    )


def _refund(d: _Draw, j: int, m: Merchant, at: datetime, op: Operator) -> RefundCase:
    p = _payment(d, j, m, at)
    past = tuple(
        PastRefund(
            at=at - timedelta(days=1 + d.below(80)),
            amount=Money.from_minor(1_000 + d.below(20_000), p.amount.currency),
        )
        for _ in range(d.pick((0, 0, 0, 1, 2, 5, 9)))
    )
    partial = d.below(3) == 0
    ask = Money.from_minor(1 + d.below(p.amount.minor), p.amount.currency) if partial else None
    reason = d.pick(
        (RefundReason.REQUESTED_BY_CUSTOMER, RefundReason.GOODWILL, RefundReason.GOODS_RETURNED)
    )
    request = RefundRequest(
        id=f"rq_{j}", payment_id=p.id, amount=ask, reason=reason, requested_at=at
    )
    customer = Customer(id=p.customer_id or "cus", past_refunds=past)
    operator = op if d.below(2) else None
    return RefundCase(
        id=f"r_{j}",
        at=at,
        payment=p,
        request=request,
        customer=customer,
        merchant=m,
        operator=operator,
    )


def _dispute(d: _Draw, j: int, m: Merchant, at: datetime) -> DisputeCase:
    network, code = d.pick(_DISPUTES)
    p = _payment(d, j, m, at)
    dispute = Dispute.opened(
        id=f"dp_{j}",
        payment_id=p.id,
        network=network,
        reason_code=code,
        amount=p.amount,
        opened_at=at,
    )
    result = d.pick((DisputeResult.WON, DisputeResult.LOST, DisputeResult.LOST, None))
    return DisputeCase(
        id=f"d_{j}", at=at, payment=p, dispute=dispute, merchant=m, realised_result=result
    )


def _decline(d: _Draw, j: int, m: Merchant, at: datetime) -> DeclineCase:
    network, code, mac = d.pick(_DECLINES)
    failure = PaymentFailure(
        id=f"f_{j}",
        merchant_id=m.id,
        amount=Money.from_minor(500 + d.below(50_000), d.pick(_CURRENCIES)),
        network=network,
        network_decline_code=code,
        merchant_advice_code=mac,
        declined_at=at,
        recurring=d.below(3) == 0,
    )
    return DeclineCase(
        id=f"f_{j}", at=at, failure=failure, merchant=m, realised_recovered=d.below(2) == 0
    )


def _support(d: _Draw, j: int, m: Merchant, at: datetime, op: Operator) -> TriageCase:
    claim = d.pick(_CLAIMS)
    p = _payment(d, j, m, at)
    dispute_id = None
    failure = None
    if claim == "dispute_received":
        network, code = d.pick(_DISPUTES)
        opened = at - timedelta(hours=1 + d.below(48))
        p = p.with_dispute(
            Dispute.opened(
                id=f"sdp_{j}",
                payment_id=p.id,
                network=network,
                reason_code=code,
                amount=p.amount,
                opened_at=opened,
            )
        )
        dispute_id = f"sdp_{j}"
    if claim == "failed_payment":
        network, code, mac = d.pick(_DECLINES)
        failure = PaymentFailure(
            id=f"sf_{j}",
            payment_id=p.id,
            merchant_id=m.id,
            amount=p.amount,
            network=network,
            network_decline_code=code,
            merchant_advice_code=mac,
            declined_at=at - timedelta(minutes=5),
        )
    case = SupportCase(
        id=f"case_{j}",
        claim=claim,
        merchant_id=m.id,
        payment_ids=(p.id,),
        dispute_id=dispute_id,
        opened_at=at,
        contacts=1 + d.below(4),
        priority=d.pick(("low", "normal", "normal", "high", "urgent")),
    )
    correct = None
    if claim == "overcharge":
        correct = Money.from_minor(p.amount.minor * 9 // 10, p.amount.currency)
    context = CaseContext(
        payments=(p,), merchant=m, failure=failure, operator=op, correct_amount=correct
    )
    resolved = at + timedelta(hours=1 + d.below(150))
    return TriageCase(id=f"s_{j}", at=at, case=case, context=context, realised_resolved_at=resolved)
