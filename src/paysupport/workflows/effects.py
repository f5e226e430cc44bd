r"""Effects: what the host must carry out, as typed, immutable records.

A workflow never calls a gateway, a mailer or a database; it returns effects and the host
executes them through its own adapters (see [`ports`][paysupport.ports]). Every effect carries an
``idempotency_key`` derived only from its *cause*: the effect's kind and the ids and amounts
that made it necessary, never the clock or a random number. The same refund request handled
twice yields an `IssueRefund` with the same key, so a host that passes the key to its
gateway (Stripe and Adyen both take an ``Idempotency-Key`` header) never pays twice.

The key is ``"{kind}:{digest}"`` where ``digest`` is the first 32 hex characters (128 bits) of
the SHA-256 of the canonical cause text::

    {kind}\n{field}={value}\n{field}={value}...

with the cause fields in the order the class declares them (``Effect.cause_fields``) and
values rendered canonically: ``Money`` as ``"{minor} {currency}"``, datetimes in UTC ISO 8601,
enums by value, tuples joined with ``","``, ``None`` as the empty string. The longest key is 59
characters, under Adyen's 64 and Stripe's 255.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any, ClassVar

import attrs

from paysupport.errors import ValidationFailed
from paysupport.models import Evidence, Payment, Refund, RefundReason, Tier
from paysupport.money import Money
from paysupport.networks import DisputeStage
from paysupport.policies.decision import _set_class, _twin

__all__ = [
    "EFFECT_TYPES",
    "AcceptDispute",
    "AssignCase",
    "CancelPayment",
    "Effect",
    "IssueRefund",
    "NotifyCustomer",
    "RecordDisputeLoss",
    "RequestApproval",
    "RequestEvidence",
    "RequestNewPaymentMethod",
    "ScheduleRetry",
    "SubmitEvidence",
    "idempotency_key",
]

#: How many hex characters of the SHA-256 digest a key keeps (128 bits).
KEY_DIGEST_CHARS = 32


def _canon(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most cause fields are ids: the hot path
        return str(value)
    if value is None:
        return ""
    if kind is Money:
        return f"{value.minor} {value.currency.code}"
    if isinstance(value, StrEnum):  # str() of a StrEnum is its value, without the property
        return str(value)
    if isinstance(value, Money):
        return f"{value.minor} {value.currency.code}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(_canon(v) for v in value)
    if isinstance(value, Evidence):
        return f"{value.kind.value}@{value.reference or ''}"
    return str(value)


def idempotency_key(kind: str, cause: Mapping[str, Any]) -> str:
    """The idempotency key of an effect of ``kind`` caused by ``cause`` (ordered fields).

    >>> idempotency_key("issue_refund", {"refund_id": "rf_1"})[:13]
    'issue_refund:'
    """
    return _key(kind, [f"{k}={_canon(v)}" for k, v in cause.items()])


def _key(kind: str, lines: list[str]) -> str:
    text = kind + "".join("\n" + line for line in lines) if lines else kind
    return f"{kind}:{_sha256(text.encode('utf-8')).hexdigest()[:KEY_DIGEST_CHARS]}"


_sha256 = hashlib.sha256


@attrs.frozen(kw_only=True)
class Effect:
    """Base of every effect: an immutable record with an idempotency key from its cause.

    Subclasses set ``kind`` and ``cause_fields`` (the fields the key is derived from). The
    key is derived when first read and kept (a backtest that never reads it never pays
    for the hash); it is a function of the cause fields, so equality and hashing compare
    the fields alone.
    """

    kind: ClassVar[str] = "effect"
    cause_fields: ClassVar[tuple[str, ...]] = ()

    _key: str | None = attrs.field(init=False, default=None, eq=False, repr=False)

    @property
    def idempotency_key(self) -> str:
        """``"{kind}:{digest}"``: the first 32 hex characters of the SHA-256 of the cause."""
        key = self._key
        if key is None:
            digest = _sha256(self._cause_text().encode("utf-8")).hexdigest()[:KEY_DIGEST_CHARS]
            key = f"{self.kind}:{digest}"
            object.__setattr__(self, "_key", key)
        return key

    def _cause_text(self) -> str:
        """The canonical cause text the key digests (`_key`'s text, built in one pass)."""
        text = self.kind
        for name in self.cause_fields:
            text += f"\n{name}={_canon(getattr(self, name))}"
        return text

    def same_key(self, other: Effect) -> bool:
        """True when ``other`` has this effect's idempotency key.

        Effects of different kinds never do (the key starts with the kind). Two effects of
        one kind have the same key exactly when their canonical cause texts are equal (the
        key is a digest of that text), so the texts are compared unless both keys are
        already known: deduplicating an outcome's effects hashes nothing. Two effects of one
        class whose cause fields hold the very same objects have the same text without
        rendering it (a workflow asking again for what it asked: a dispute's evidence).
        """
        if self.kind != other.kind:
            return False
        mine, theirs = self._key, other._key
        if mine is not None and theirs is not None:
            return mine == theirs
        if type(self) is type(other):
            for name in self.cause_fields:
                if getattr(self, name) is not getattr(other, name):
                    break
            else:
                return True
        return self._cause_text() == other._cause_text()

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-friendly dict: ``kind``, ``idempotency_key`` and every field."""
        out: dict[str, Any] = {"kind": self.kind, "idempotency_key": self.idempotency_key}
        for a in attrs.fields(type(self)):
            if a.init:
                out[a.name] = _plain(getattr(self, a.name))
        return out

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Effect:
        """Rebuild an effect from `to_dict`'s output (a host reloading its outbox).

        The key is derived again from the cause and must equal the stored one, so a stored
        effect that was edited, or written by an incompatible version, is refused rather
        than run under a key that no longer matches its content.

        Raises:
            ValidationFailed: not a mapping, unknown ``kind``, a bad field, or a key that
                does not match.
        """
        if not isinstance(data, Mapping):
            raise ValidationFailed(
                "data", "effect_mapping", f"an effect is a mapping, not {type(data).__name__}"
            )
        kind = data.get("kind")
        cls = EFFECT_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise ValidationFailed("kind", "effect_kind_known", f"unknown effect kind {kind!r}")
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for a in attrs.fields(cls):
            if not a.init or a.name not in data:
                continue
            try:
                values[a.name] = _revive(hints[a.name], data[a.name])
            except (ValueError, TypeError, KeyError) as exc:
                raise ValidationFailed(a.name, "effect_field", str(exc)) from None
        try:
            effect = cls(**values)
        except TypeError as exc:
            raise ValidationFailed(str(kind), "effect_fields", str(exc)) from None
        stored = data.get("idempotency_key")
        if stored is not None and stored != effect.idempotency_key:
            raise ValidationFailed(
                "idempotency_key",
                "key_matches_cause",
                f"stored key {stored} does not match the effect's cause ({effect.idempotency_key})",
            )
        return effect


def _revive(hint: Any, value: Any) -> Any:
    """Turn a `_plain` value back into the field's type."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [t for t in args if t is not type(None)]
        return _revive(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(_revive(item, v) for v in value)
    if hint is Money:
        return Money.from_minor(value["minor"], value["currency"])
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is Evidence:
        return Evidence.model_validate(value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency.code}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Evidence):
        return value.model_dump(mode="json")
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value)


@attrs.frozen(kw_only=True)
class IssueRefund(Effect):
    """Refund ``amount`` of a payment at the provider (``POST /v1/refunds``, Adyen ``/refunds``).

    Attributes:
        payment_id: our payment id.
        refund_id: the refund this call carries out (derived from the request id).
        request_id: the refund request that caused it, if any.
        amount: how much.
        reason: why (mapped to the provider's reason by the request builders).
        provider: the payment's provider (``"stripe"``, ``"adyen"``), if known.
        provider_reference: the payment's id at the provider (charge, PaymentIntent,
            pspReference), if known.
    """

    kind: ClassVar[str] = "issue_refund"
    cause_fields: ClassVar[tuple[str, ...]] = ("payment_id", "refund_id", "amount")

    payment_id: str
    refund_id: str
    request_id: str | None = None
    amount: Money
    reason: RefundReason = RefundReason.REQUESTED_BY_CUSTOMER
    provider: str | None = None
    provider_reference: str | None = None

    @classmethod
    def for_refund(cls, payment: Payment, refund: Refund) -> IssueRefund:
        """The call that carries out ``refund`` on ``payment`` (same cause, same key)."""
        return cls(
            payment_id=payment.id,
            refund_id=refund.id,
            request_id=refund.request_id,
            amount=refund.amount,
            reason=refund.reason,
            provider=payment.provider,
            provider_reference=payment.provider_reference,
        )


@attrs.frozen(kw_only=True)
class CancelPayment(Effect):
    """Cancel (void) an authorized, uncaptured payment instead of refunding it.

    Attributes:
        payment_id: our payment id.
        reason: why, in words (``"requested_by_customer"``, ``"duplicate"``).
        provider: the payment's provider, if known.
        provider_reference: the payment's id at the provider, if known.
    """

    kind: ClassVar[str] = "cancel_payment"
    cause_fields: ClassVar[tuple[str, ...]] = ("payment_id",)

    payment_id: str
    reason: str = "requested_by_customer"
    provider: str | None = None
    provider_reference: str | None = None


@attrs.frozen(kw_only=True)
class SubmitEvidence(Effect):
    """Submit the evidence on file for a dispute at its current stage.

    Attributes:
        payment_id: the disputed payment.
        dispute_id: our dispute id.
        stage: the stage the response answers (a later stage needs a new submission).
        evidence: the evidence on file (kind, description, the host's document reference).
        due_by: the network's deadline; the workflow submits before it minus a margin.
        provider: the dispute's provider, if known.
        provider_reference: the dispute's id at the provider, if known.
    """

    kind: ClassVar[str] = "submit_evidence"
    cause_fields: ClassVar[tuple[str, ...]] = ("dispute_id", "stage")

    payment_id: str
    dispute_id: str
    stage: DisputeStage
    evidence: tuple[Evidence, ...] = ()
    due_by: datetime | None = None
    provider: str | None = None
    provider_reference: str | None = None


@attrs.frozen(kw_only=True)
class AcceptDispute(Effect):
    """Accept a dispute (Stripe ``/close``, Adyen ``/acceptDispute``): the funds are lost.

    Attributes:
        payment_id: the disputed payment.
        dispute_id: our dispute id.
        stage: the stage accepted.
        amount: the disputed amount.
        provider: the dispute's provider, if known.
        provider_reference: the dispute's id at the provider, if known.
    """

    kind: ClassVar[str] = "accept_dispute"
    cause_fields: ClassVar[tuple[str, ...]] = ("dispute_id", "stage")

    payment_id: str
    dispute_id: str
    stage: DisputeStage
    amount: Money
    provider: str | None = None
    provider_reference: str | None = None


@attrs.frozen(kw_only=True)
class RequestEvidence(Effect):
    """Ask the merchant's team to collect evidence a dispute's checklist is missing.

    Attributes:
        payment_id: the disputed payment.
        dispute_id: our dispute id.
        stage: the stage the evidence is for.
        missing: the checklist groups still missing (``"proof_of_delivery|service_documentation"``).
        submit_by: when the evidence must be in (the deadline minus the safety margin).
    """

    kind: ClassVar[str] = "request_evidence"
    cause_fields: ClassVar[tuple[str, ...]] = ("dispute_id", "stage", "missing")

    payment_id: str
    dispute_id: str
    stage: DisputeStage
    missing: tuple[str, ...]
    submit_by: datetime | None = None


@attrs.frozen(kw_only=True)
class RecordDisputeLoss(Effect):
    """Book a lost, accepted or expired dispute in the host's ledger.

    Attributes:
        payment_id: the disputed payment.
        dispute_id: our dispute id.
        stage: the stage at which the funds were lost.
        amount: the amount lost.
        outcome: ``"lost"``, ``"accepted"`` or ``"expired"``.
    """

    kind: ClassVar[str] = "record_dispute_loss"
    cause_fields: ClassVar[tuple[str, ...]] = ("dispute_id", "stage", "amount")

    payment_id: str
    dispute_id: str
    stage: DisputeStage
    amount: Money
    outcome: str


@attrs.frozen(kw_only=True)
class ScheduleRetry(Effect):
    """Retry a declined payment at ``at`` (the host's scheduler calls the gateway then).

    Attributes:
        failure_id: the payment failure being recovered.
        payment_id: the declined payment, if known.
        attempt: the attempt number this retry will be (the first decline is attempt 1).
        at: when to retry.
        amount: the amount to charge.
    """

    kind: ClassVar[str] = "schedule_retry"
    cause_fields: ClassVar[tuple[str, ...]] = ("failure_id", "attempt", "at")

    failure_id: str
    payment_id: str | None = None
    attempt: int
    at: datetime
    amount: Money


@attrs.frozen(kw_only=True)
class RequestNewPaymentMethod(Effect):
    """Ask the customer to act on a declined payment (new card, update, authenticate...).

    Attributes:
        failure_id: the payment failure.
        customer_id: the customer to ask, if known.
        ask: ``"new_payment_method"``, ``"update_card"``, ``"authenticate"`` or
            ``"contact_issuer"``.
        attempt: the failure's attempt count when asked (a later ask is a new message).
    """

    kind: ClassVar[str] = "request_new_payment_method"
    cause_fields: ClassVar[tuple[str, ...]] = ("failure_id", "ask", "attempt")

    failure_id: str
    customer_id: str | None = None
    ask: str = "new_payment_method"
    attempt: int = 1


@attrs.frozen(kw_only=True)
class NotifyCustomer(Effect):
    """Tell the customer something, by a template the host renders.

    Attributes:
        customer_id: the customer, if known.
        template: what to say (``"refund_succeeded"``, ``"refund_denied"``, ...).
        subject_id: what it is about (a refund, payment, case or failure id).
        params: the template's values as ``(name, text)`` pairs, in a fixed order.
    """

    kind: ClassVar[str] = "notify_customer"
    cause_fields: ClassVar[tuple[str, ...]] = ("template", "subject_id", "customer_id")

    customer_id: str | None = None
    template: str
    subject_id: str
    params: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class AssignCase(Effect):
    """Route a support case to a tier (and maybe a named operator) in the host's queue.

    Attributes:
        case_id: the case.
        tier: the tier that handles it.
        assignee: the operator, if one is named.
        reason: why (``"triage"``, ``"sla_near_breach"``, ``"escalation"``).
        sla_due_at: the case's SLA deadline, if any.
    """

    kind: ClassVar[str] = "assign_case"
    cause_fields: ClassVar[tuple[str, ...]] = ("case_id", "tier", "reason")

    case_id: str
    tier: Tier
    assignee: str | None = None
    reason: str = "triage"
    sla_due_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RequestApproval(Effect):
    """Ask a second operator of at least ``tier`` to approve a refund (four eyes).

    Attributes:
        payment_id: the payment.
        refund_id: the refund awaiting approval.
        amount: the amount to approve.
        tier: the least tier that may approve it.
        requested_by: who asked (they may not approve it themselves).
        reasons: the decision's reason codes, for the approver's queue.
    """

    kind: ClassVar[str] = "request_approval"
    cause_fields: ClassVar[tuple[str, ...]] = ("refund_id", "amount", "tier")

    payment_id: str
    refund_id: str
    amount: Money
    tier: Tier
    requested_by: str | None = None
    reasons: tuple[str, ...] = ()


#: Every effect type, by kind.
EFFECT_TYPES: Mapping[str, type[Effect]] = {
    cls.kind: cls
    for cls in (
        IssueRefund,
        CancelPayment,
        SubmitEvidence,
        AcceptDispute,
        RequestEvidence,
        RecordDisputeLoss,
        ScheduleRetry,
        RequestNewPaymentMethod,
        NotifyCustomer,
        AssignCase,
        RequestApproval,
    )
}


def _init_in_twin(cls: type[Effect]) -> None:
    """Give ``cls`` attrs' ``__init__`` (same signature, same values) written to fill a twin.

    Every workflow builds effects: attrs' frozen ``__init__`` sets each field through
    ``object.__setattr__``, about as dear as moving the instance to a mutable twin class of
    the same slots and back (``policies.decision._twin``). This ``__init__`` is generated
    from ``attrs.fields(cls)`` (one definition); an instance of a subclass still goes
    through attrs' own. A class whose ``__init__`` would do more than store its arguments
    and plain defaults (a validator, a converter, a factory default, an aliased private
    field, ``__attrs_post_init__``) keeps attrs' own: the generated one would skip that.
    """
    fields = attrs.fields(cls)
    if not _stores_only(cls, fields):
        return
    twin = _twin(cls)
    names = [a.name for a in fields if a.init]
    params = ", ".join(
        a.name if a.default is attrs.NOTHING else f"{a.name}=_defaults[{a.name!r}]"
        for a in fields
        if a.init
    )
    stores = "".join(
        f"    new.{a.name} = {a.name if a.init else f'_defaults[{a.name!r}]'}\n" for a in fields
    )
    source = (
        f"def __init__(self, *, {params}):\n"
        f"    if type(self) is not _cls:\n"
        f"        return _attrs_init(self, {', '.join(f'{n}={n}' for n in names)})\n"
        f"    new = self\n"
        f"    _set_class(new, _twin)\n"
        f"{stores}"
        f"    new.__class__ = _cls\n"
    )
    scope: dict[str, Any] = {
        "_cls": cls,
        "_twin": twin,
        "_set_class": _set_class,
        "_attrs_init": cls.__init__,
        "_defaults": {a.name: a.default for a in fields if a.default is not attrs.NOTHING},
    }
    exec(compile(source, f"<{cls.__name__}.__init__ in its twin>", "exec"), scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]


def _stores_only(cls: type[Effect], fields: tuple[attrs.Attribute[Any], ...]) -> bool:
    """Whether attrs' ``__init__`` of ``cls`` only stores its arguments and plain defaults."""
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    return all(
        a.validator is None
        and a.converter is None
        and not isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
        and (not a.init or a.alias == a.name)
        for a in fields
    )


for _effect_type in EFFECT_TYPES.values():
    _init_in_twin(_effect_type)
