"""Disputes (inquiries, chargebacks, pre-arbitration, arbitration) and their evidence.

A dispute is *stage × status*: the network stage only moves forward (inquiry → chargeback →
pre-arbitration → arbitration); the status within a stage (needs response, under review,
won, lost, accepted, expired) has its own rules. The provider's raw status, reason and
deadline are kept beside the normalised ones.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Final, NamedTuple, Self

from pydantic import (
    AwareDatetime,
    Field,
    NonNegativeInt,
    StringConstraints,
)

from paysupport.errors import UnknownCode
from paysupport.models._base import (
    Identifier,
    NetworkName,
    PaysupportModel,
    SafeText,
    model_rule,
    rule_error,
)
from paysupport.models.history import LifecycleEvent
from paysupport.money import Money
from paysupport.networks import (
    DisputeCategory,
    DisputeStage,
    EvidenceKind,
    Network,
    ReasonCode,
    network_rules,
    reason_code,
)
from paysupport.networks.evidence_needs import evidence_needs

__all__ = [
    "DISPUTE_STATES",
    "Dispute",
    "DisputeState",
    "DisputeStatus",
    "Evidence",
    "OtherNetwork",
    "dispute_state_allowed",
]

#: A network or payment method outside the catalogues, as the provider spells it (``"jcb"``,
#: ``"cartes_bancaires"``, ``"klarna"``); only with ``Dispute.catalogued=False``.
OtherNetwork = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
]


class DisputeStatus(StrEnum):
    """The status of a dispute within its current stage."""

    NEEDS_RESPONSE = "needs_response"
    UNDER_REVIEW = "under_review"
    WON = "won"
    LOST = "lost"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    CLOSED = "closed"

    # The members are read as module names (`_NR`...): on Python 3.11 ``DisputeStatus.X``
    # goes through EnumType's __getattr__ hook.
    @property
    def is_open(self) -> bool:
        """True while the dispute can still move (needs a response or is under review)."""
        return self is _NR or self is _UR

    @property
    def funds_lost(self) -> bool:
        """True when the merchant has lost the disputed amount for good at this point."""
        return self is _LOST or self is _ACC or self is _EXP


# --------------------------------------------------------------------------- stage × status
# This section (the state table) belongs to the lifecycles: the dispute lifecycle declares
# exactly these states, so the model's allowed pairs and the machine's states are one set.
class DisputeState(NamedTuple):
    """One stage × status a dispute can be in, and whether nothing can follow it."""

    stage: DisputeStage
    status: DisputeStatus
    final: bool

    @property
    def value(self) -> str:
        """The lifecycle's name of the state: ``"stage:status"``."""
        return f"{self.stage.value}:{self.status.value}"


_I, _C = DisputeStage.INQUIRY, DisputeStage.CHARGEBACK
_P, _A = DisputeStage.PRE_ARBITRATION, DisputeStage.ARBITRATION
_NR, _UR = DisputeStatus.NEEDS_RESPONSE, DisputeStatus.UNDER_REVIEW
_WON, _LOST, _ACC = DisputeStatus.WON, DisputeStatus.LOST, DisputeStatus.ACCEPTED
_EXP, _CLOSED = DisputeStatus.EXPIRED, DisputeStatus.CLOSED

#: Every stage × status a dispute can be in (the one definition). ``final``: nothing can
#: follow. An unanswered inquiry (expired) may still become a chargeback; a chargeback
#: ``closed`` without a ruling is Stripe's ``prevented``; a won or lost chargeback or
#: pre-arbitration may go on to a later stage.
DISPUTE_STATES: Final[tuple[DisputeState, ...]] = (
    DisputeState(_I, _NR, final=False),
    DisputeState(_I, _UR, final=False),
    DisputeState(_I, _EXP, final=False),
    DisputeState(_I, _CLOSED, final=True),
    DisputeState(_C, _NR, final=False),
    DisputeState(_C, _UR, final=False),
    DisputeState(_C, _WON, final=False),
    DisputeState(_C, _LOST, final=False),
    DisputeState(_C, _ACC, final=True),
    DisputeState(_C, _EXP, final=True),
    DisputeState(_C, _CLOSED, final=True),
    DisputeState(_P, _NR, final=False),
    DisputeState(_P, _UR, final=False),
    DisputeState(_P, _WON, final=False),
    DisputeState(_P, _LOST, final=False),
    DisputeState(_P, _ACC, final=True),
    DisputeState(_P, _EXP, final=True),
    DisputeState(_A, _NR, final=False),
    DisputeState(_A, _UR, final=False),
    DisputeState(_A, _WON, final=True),
    DisputeState(_A, _LOST, final=True),
    DisputeState(_A, _ACC, final=True),
    DisputeState(_A, _EXP, final=True),
)

_ALLOWED: Final = frozenset((s.stage, s.status) for s in DISPUTE_STATES)
# The same pairs as values (str): a str's hash is cached, an enum member's runs Python.
_ALLOWED_VALUES: Final = frozenset((s.stage.value, s.status.value) for s in DISPUTE_STATES)


_NO_KINDS: Final[frozenset[EvidenceKind]] = frozenset()


def dispute_state_allowed(stage: DisputeStage, status: DisputeStatus) -> bool:
    """Whether ``stage`` × ``status`` is in `DISPUTE_STATES`."""
    return (stage, status) in _ALLOWED


# --------------------------------------------------------------------------- models
class Evidence(PaysupportModel):
    """One piece of evidence on file for a dispute: its kind and where the host keeps it."""

    kind: EvidenceKind
    description: SafeText = ""
    reference: str | None = Field(
        default=None, max_length=1024, description="the host's document id or URL"
    )
    collected_at: AwareDatetime | None = None


#: Catalogue look-ups the dispute rules repeat on every validation, kept per (network, code
#: as given). The catalogues are read-only once loaded, so an entry never goes stale.
# Keyed by the members' values (str): a str's hash is cached, an enum member's runs Python.
_ENTRIES: dict[tuple[str, str], ReasonCode] = {}
_STAGES: dict[str, frozenset[str]] = {}
_CODE_STAGES: dict[tuple[str, str], frozenset[str]] = {}
#: (network, reason code as given, stage) values `Dispute._stage_exists` found to fit.
_STAGE_FITS: set[tuple[str, str, str]] = set()
_MAX_ENTRIES: Final = 4096


def _entry(network: Network, code: str) -> ReasonCode:
    """``reason_code(network, code)``, remembered (raises ``UnknownCode`` as it does)."""
    key = (network._value_, code)
    found = _ENTRIES.get(key)
    if found is None:
        found = reason_code(network, code)
        if len(_ENTRIES) < _MAX_ENTRIES:
            _ENTRIES[key] = found
    return found


def _stages(network: Network) -> frozenset[str]:
    """The values of the stages ``network`` has, remembered."""
    found = _STAGES.get(network._value_)
    if found is None:
        found = _STAGES[network._value_] = frozenset(s.value for s in network_rules(network).stages)
    return found


def _code_stages(network: Network, code: str) -> frozenset[str]:
    """The values of the stages the reason code goes through, remembered."""
    found = _CODE_STAGES.get((network._value_, code))
    if found is None:
        found = frozenset(s.value for s in _entry(network, code).stages)
        if len(_CODE_STAGES) < _MAX_ENTRIES:
            _CODE_STAGES[(network._value_, code)] = found
    return found


class Dispute(PaysupportModel):
    """A customer's dispute of one payment, as the card network sees it.

    ``reason_code`` is the network's code (``"13.1"``, ``"4853"``, ``"C08"``); it must be in
    the network's catalogue, and `reason` returns the catalogue entry. ``due_by`` is the
    response deadline; ``None`` means no response is possible (Stripe's ``due_by = 0``). Use
    `opened` to derive ``due_by`` from the network's response window.
    """

    id: Identifier
    payment_id: Identifier
    network: NetworkName | OtherNetwork = Field(union_mode="left_to_right")
    reason_code: Identifier
    catalogued: bool = Field(
        default=True,
        description="False: outside paysupport's catalogues (a JCB, Klarna or Visa compliance "
        "dispute); network and reason_code are the provider's raw values and no catalogue "
        "facts (category, evidence, windows) apply",
    )
    stage: DisputeStage = DisputeStage.CHARGEBACK
    status: DisputeStatus = DisputeStatus.NEEDS_RESPONSE
    amount: Money
    opened_at: AwareDatetime
    due_by: AwareDatetime | None = None
    evidence: tuple[Evidence, ...] = ()
    evidence_submitted_at: AwareDatetime | None = None
    is_charge_refundable: bool | None = Field(
        default=None,
        description="Stripe: the disputed payment may still be refunded; None when unknown",
    )
    provider: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    provider_reason: str | None = None
    opened_by_event: Identifier | None = Field(
        default=None,
        description="the provider notification that opened it, so a redelivery changes nothing",
    )
    note: SafeText | None = None
    history: tuple[LifecycleEvent, ...] = ()
    version: NonNegativeInt = 0

    # The rules, in the order they are checked (the first broken one is reported). Each
    # reads few fields, so a change re-checks only the rules that read what it changed.
    @model_rule
    def _state_declared(self) -> Self:
        if (self.stage._value_, self.status._value_) not in _ALLOWED_VALUES:
            raise rule_error(
                "status",
                "dispute_state_declared",
                f"a dispute cannot be {self.status.value} at the {self.stage.value} stage",
            )
        return self

    @model_rule
    def _catalogued_code(self) -> Self:
        if not self.catalogued:
            return self  # outside the catalogues only the provider's own facts are checked
        network = self.network
        if type(network) is not Network:  # an enum with members has no subclasses
            raise rule_error(
                "network", "network_known", f"{self.network!r} is not a catalogued card network"
            )
        code = self.reason_code
        entry = _ENTRIES.get((network._value_, code))
        if entry is None:
            try:
                entry = _entry(network, code)
            except UnknownCode as exc:
                raise rule_error("reason_code", "reason_code_known", str(exc)) from None
        if entry.code != code:
            object.__setattr__(self, "reason_code", entry.code)
        return self

    @model_rule
    def _amount_positive(self) -> Self:
        if self.amount.minor <= 0:
            raise rule_error(
                "amount", "dispute_amount_positive", "a disputed amount must be above zero"
            )
        return self

    @model_rule
    def _due_after_opened(self) -> Self:
        if self.due_by is not None and self.due_by <= self.opened_at:
            raise rule_error("due_by", "due_after_opened", "due_by must be after opened_at")
        return self

    @model_rule
    def _stage_exists(self) -> Self:
        if not self.catalogued:
            return self
        network: Network = self.network  # type: ignore[assignment]  # checked: catalogued
        stage = self.stage._value_
        code = self.reason_code
        key = (network._value_, code, stage)
        if key in _STAGE_FITS:
            return self
        if stage not in (_STAGES.get(network._value_) or _stages(network)):
            raise rule_error(
                "stage",
                "stage_exists_for_network",
                f"{network.value} disputes have no {self.stage.value} stage",
            )
        # An inquiry may carry the code of the dispute it may become; later stages must be
        # ones the reason code goes through (e.g. no pre-arbitration for 4808).
        if self.stage is not _I and stage not in (
            _CODE_STAGES.get((network._value_, code)) or _code_stages(network, code)
        ):
            entry = _entry(network, self.reason_code)
            raise rule_error(
                "stage",
                "stage_exists_for_reason_code",
                f"{network.value} {entry.code} has no {self.stage.value} stage",
            )
        if len(_STAGE_FITS) < _MAX_ENTRIES:
            _STAGE_FITS.add(key)
        return self

    @model_rule
    def _evidence_after_opened(self) -> Self:
        if (
            self.catalogued
            and self.evidence_submitted_at is not None
            and self.evidence_submitted_at < self.opened_at
        ):
            raise rule_error(
                "evidence_submitted_at",
                "evidence_after_opened",
                "evidence_submitted_at is before opened_at",
            )
        return self

    # ------------------------------------------------------------------ construction
    @classmethod
    def opened(
        cls,
        *,
        id: str,
        payment_id: str,
        network: Network | str,
        reason_code: str,
        amount: Money,
        opened_at: Any,
        stage: DisputeStage = DisputeStage.CHARGEBACK,
        **fields: Any,
    ) -> Dispute:
        """Open a dispute whose ``due_by`` comes from the network's response window.

        If the network has no known response window for the stage, ``due_by`` stays unset
        and the host must pass it (the provider always sends one).
        """
        net = Network.parse(network) if isinstance(network, str) else network
        if "due_by" not in fields:
            days = network_rules(net).response_days.get(stage)
            if days is not None:
                fields["due_by"] = opened_at + timedelta(days=days)
        return cls(
            id=id,
            payment_id=payment_id,
            network=net,
            reason_code=reason_code,
            amount=amount,
            opened_at=opened_at,
            stage=stage,
            **fields,
        )

    # ------------------------------------------------------------------ derived
    @property
    def reason(self) -> ReasonCode:
        """The catalogue entry of this dispute's reason code."""
        return reason_code(self.network, self.reason_code)

    @property
    def category(self) -> DisputeCategory:
        """The reason code's category (fraud, authorization, processing error, consumer)."""
        return self.reason.category

    @property
    def is_open(self) -> bool:
        """True while the dispute still needs a response or is under review."""
        return self.status.is_open

    @property
    def blocks_refund(self) -> bool:
        """True when this dispute forbids a refund (the payment lifecycle's guard uses it).

        Open at the chargeback stage or later, and not marked refundable by the provider; an
        inquiry never blocks a refund.
        """
        return self.status.is_open and self.stage.rank >= _C.rank and not self.is_charge_refundable

    @property
    def evidence_kinds(self) -> frozenset[EvidenceKind]:
        """The kinds of evidence on file."""
        evidence = self.evidence
        if not evidence:  # most disputes arrive with none: no generator, one shared set
            return _NO_KINDS
        return frozenset([e.kind for e in evidence])

    def missing_evidence(self) -> tuple[EvidenceKind, ...]:
        """The kinds that would make a response compelling, of the groups not on file yet.

        Any one kind of a group will do; ``()`` once every group is answered (or a refund or
        withdrawal is on file). The same answer as the dispute-response checklist: both read
        ``paysupport.networks.evidence_needs.evidence_needs``.
        """
        groups = evidence_needs(self.reason).missing(self.evidence_kinds)
        return tuple(k for g in groups for k in g)

    def time_left(self, now: Any) -> timedelta | None:
        """Time until ``due_by`` at ``now`` (negative once past), or None with no deadline."""
        if self.due_by is None:
            return None
        left: timedelta = self.due_by - now
        return left
