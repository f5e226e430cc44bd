"""The exception tree of paysupport.

Every failure the library reports is a `PaysupportError`, so a host can catch one
class at its boundary. Subclasses say what went wrong and whose input caused it; the ones
about bad input also inherit from `ValueError` (or `LookupError` for unknown
codes) so that generic code keeps working.

A validation error always names the ``field`` and the ``rule`` it broke, in machine-readable
form, beside a sentence for people.

Whose fault it is: every class carries a `Fault` in ``fault``, so a host knows whom to
tell without a list of classes:

=================  ==========================================================================
``caller``         the caller's input or request: `ValidationFailed` and its subclasses
                   (`InvalidAmount`, `UnknownCurrency`,
                   `ModelValidationError`, `RefundExceedsCapturable`,
                   `PolicyConfigError`, `MissingExchangeRate`),
                   `CurrencyMismatch`, `UnknownCode` and its subclasses,
                   `NotFound`, `NotAuthorized`. Fix the input and call again.
``provider``       a provider's payload: `ProviderPayloadError`. Record and alert; the
                   provider's data is not what its documentation says.
``host``           the host's adapter failed carrying out an effect: `EffectFailed`.
                   Retry with the same idempotency key.
``state``          the request conflicts with the current state: `InvalidTransition`
                   (and `DeadlinePassed`), with a machine-readable ``code``, and
                   `ConflictError`. Reload, decide again, or refuse.
=================  ==========================================================================

No message shows a full card number: `PaysupportError` masks every text argument
with [`mask_pans`][paysupport.pan.mask_pans] (``[card ending 4242]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from paysupport.pan import mask_pans

__all__ = [
    "ConflictError",
    "CurrencyMismatch",
    "DeadlinePassed",
    "EffectFailed",
    "Fault",
    "InvalidAmount",
    "InvalidTransition",
    "MissingExchangeRate",
    "ModelValidationError",
    "NotAuthorized",
    "NotFound",
    "PaysupportError",
    "PolicyConfigError",
    "ProviderPayloadError",
    "RefundExceedsCapturable",
    "RuleViolation",
    "UnknownCode",
    "UnknownCurrency",
    "UnknownDeclineCode",
    "UnknownNetwork",
    "UnknownReasonCode",
    "ValidationFailed",
]


class Fault(StrEnum):
    """Whose fault an error is: who has to act on it."""

    CALLER = "caller"
    PROVIDER = "provider"
    HOST = "host"
    STATE = "state"


class PaysupportError(Exception):
    """Base class of every error paysupport raises on purpose.

    Text arguments are masked (no full card number in a message); ``fault`` says who has to
    act (see the module docstring).
    """

    fault: ClassVar[Fault] = Fault.CALLER

    def __init__(self, *args: Any) -> None:
        super().__init__(*(mask_pans(a) if isinstance(a, str) else a for a in args))


@dataclass(frozen=True, slots=True)
class RuleViolation:
    """One broken rule: which field, which rule (a stable snake_case code), and why."""

    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class ValidationFailed(PaysupportError, ValueError):
    """A value broke a rule; ``field`` and ``rule`` name which.

    Args:
        field: dotted path of the offending field (``"amount"``, ``"refunds.0.amount"``).
        rule: stable machine-readable code of the rule (``"no_float"``).
        message: a sentence for the person reading the error.
    """

    def __init__(self, field: str, rule: str, message: str) -> None:
        self.field = mask_pans(field)
        self.rule = rule
        self.message = mask_pans(message)
        super().__init__(f"{self.field}: {self.message} [{rule}]")

    @property
    def violations(self) -> tuple[RuleViolation, ...]:
        """The broken rules, as a tuple (one here; several on model errors)."""
        return (RuleViolation(self.field, self.rule, self.message),)


class InvalidAmount(ValidationFailed):
    """An amount that is not exact money: a float, too many decimals, not a number."""


class UnknownCurrency(ValidationFailed):
    """A currency code that ISO 4217 does not list as active with a minor unit."""


class CurrencyMismatch(PaysupportError, ValueError):
    """Two amounts of different currencies were combined or compared."""

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(
            f"cannot {operation} {left} and {right}: amounts in different currencies never mix"
        )


class ModelValidationError(ValidationFailed):
    """A model could not be built: one or more fields broke their rules.

    ``violations`` lists every broken rule; ``field``/``rule`` are those of the first.
    """

    def __init__(self, model: str, violations: Sequence[RuleViolation]) -> None:
        if not violations:
            raise ValueError("ModelValidationError needs at least one violation")
        self.model = model
        self._violations = tuple(
            RuleViolation(mask_pans(v.field), v.rule, mask_pans(v.message)) for v in violations
        )
        first = self._violations[0]
        PaysupportError.__init__(self, self._render())
        self.field = first.field
        self.rule = first.rule
        self.message = first.message

    def _render(self) -> str:
        lines = [f"invalid {self.model}: {len(self._violations)} rule(s) broken"]
        lines.extend(f"  - {v}" for v in self._violations)
        return "\n".join(lines)

    @property
    def violations(self) -> tuple[RuleViolation, ...]:
        """Every broken rule, in the order pydantic reported them."""
        return self._violations

    @property
    def rules(self) -> frozenset[str]:
        """The codes of the broken rules, for quick membership tests."""
        return frozenset(v.rule for v in self._violations)


class RefundExceedsCapturable(ValidationFailed):
    """A refund would take back more than what was captured and not yet refunded."""


class UnknownCode(PaysupportError, LookupError):
    """A code that a catalogue does not hold.

    Args:
        kind: what was looked up (``"reason code"``, ``"decline code"``, ``"network"``).
        code: the code as given.
        known: hints for the reader, e.g. the network's known families.
    """

    def __init__(self, kind: str, code: str, known: Iterable[str] = ()) -> None:
        self.kind = kind
        self.code = mask_pans(code) if isinstance(code, str) else code
        self.known = tuple(known)
        hint = f"; known: {', '.join(self.known)}" if self.known else ""
        # repr() of the masked code: repr escapes separators (a tab becomes "\\t"), which
        # would hide a card number from the masking of the finished message.
        super().__init__(f"unknown {kind} {self.code!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownNetwork(UnknownCode):
    """A card network the catalogues do not cover."""


class UnknownReasonCode(UnknownCode):
    """A dispute reason code the network's catalogue does not hold."""


class UnknownDeclineCode(UnknownCode):
    """A decline / response code the catalogue does not hold."""


class InvalidTransition(PaysupportError):
    """A lifecycle was asked for an event it cannot take from its current state.

    Nothing changed: not the model, not its history. ``code`` says why, for machines.
    """

    fault: ClassVar[Fault] = Fault.STATE

    def __init__(
        self, machine: str, state: str, event: str, reason: str = "", code: str = "not_allowed"
    ) -> None:
        self.machine = machine
        self.state = state
        self.event = event
        self.reason = mask_pans(reason)
        self.code = code
        why = f": {reason}" if reason else ""
        super().__init__(f"{machine}: event {event!r} is not allowed in state {state!r}{why}")


class DeadlinePassed(InvalidTransition):
    """An action came after its deadline (e.g. dispute evidence after ``due_by``)."""


class PolicyConfigError(ValidationFailed):
    """A policy's configuration is invalid: an unknown key or a bad value, named by ``field``."""


class NotAuthorized(PaysupportError):
    """An operator tried to act beyond their authority, or to approve their own request."""

    def __init__(self, operator: str, action: str, reason: str) -> None:
        self.operator = mask_pans(operator)
        self.action = action
        self.reason = mask_pans(reason)
        super().__init__(f"operator {self.operator!r} may not {action}: {self.reason}")


class ConflictError(PaysupportError):
    """An outcome was computed against a version of an aggregate that has since changed."""

    fault: ClassVar[Fault] = Fault.STATE

    def __init__(self, aggregate: str, expected: int, actual: int) -> None:
        self.aggregate = aggregate
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{aggregate}: outcome was computed for version {expected} but it is at version "
            f"{actual}; reload and decide again"
        )


class NotFound(PaysupportError, LookupError):
    """An id the caller named does not exist where it was looked for.

    Args:
        kind: what was looked up (``"refund"``, ``"dispute"``, ``"payment"``).
        id: the id as given.
        field: the argument or field that carried the id.
    """

    def __init__(self, kind: str, id: str, field: str) -> None:
        self.kind = kind
        self.id = mask_pans(id) if isinstance(id, str) else id
        self.field = field
        super().__init__(f"{field}: no {kind} with id {self.id!r}")


class MissingExchangeRate(ValidationFailed):
    """A limit in one currency met an amount in another, and no exchange rate was given."""


class ProviderPayloadError(ValidationFailed):
    """A provider payload (Stripe, Adyen) is malformed or uses a value we do not know."""

    fault: ClassVar[Fault] = Fault.PROVIDER


class EffectFailed(PaysupportError):
    """A host adapter failed while carrying out an effect."""

    fault: ClassVar[Fault] = Fault.HOST
