"""Enums and frozen records shared by the dispute catalogues.

Every record is a frozen, slotted dataclass: catalogues are values, not objects to mutate.
Each fact carries its sources (a public address, or a tag such as ``"[QV] 13.1"`` that
[`SOURCE_TAGS`][paysupport.networks.sources.SOURCE_TAGS] resolves to a public source) and a
[`Confidence`][paysupport.networks.Confidence].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from paysupport.errors import UnknownNetwork

from .evidence import EvidenceKind

__all__ = [
    "Confidence",
    "DisputeCategory",
    "DisputeFlow",
    "DisputeStage",
    "Network",
    "NetworkRules",
    "ReasonCode",
    "TimeLimit",
]


class Network(StrEnum):
    """A card network whose catalogues paysupport ships."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"

    @classmethod
    def parse(cls, value: str) -> Network:
        """Read a network name, case-insensitively, with common aliases.

        Accepts the values themselves (``"visa"``, the brand strings Stripe uses), and
        ``"mc"``, ``"master card"``, ``"american_express"``, ``"american express"``.

        Raises:
            UnknownNetwork: for any other value.
        """
        if isinstance(value, Network):
            return value
        key = "_".join(str(value).strip().lower().replace("-", " ").split())
        found = _NETWORK_ALIASES.get(key)
        if found is None:
            raise UnknownNetwork("network", str(value), known=[n.value for n in Network])
        return found


_NETWORK_ALIASES: Mapping[str, Network] = MappingProxyType(
    {
        "visa": Network.VISA,
        "mastercard": Network.MASTERCARD,
        "master_card": Network.MASTERCARD,
        "mc": Network.MASTERCARD,
        "amex": Network.AMEX,
        "american_express": Network.AMEX,
        "americanexpress": Network.AMEX,
        "discover": Network.DISCOVER,
    }
)


class Confidence(StrEnum):
    """How sure the reference notes are of a fact.

    ``UNCONFIRMED`` is one secondary source only, or a relay not re-read at the original;
    ``NOT_FOUND`` was looked for and not found (the value is then ``None``); ``INFERRED`` was
    chosen by this library (closest fit to a title, analogy with another network), not read in
    a source.
    """

    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    NOT_FOUND = "not_found"
    INFERRED = "inferred"


class DisputeCategory(StrEnum):
    """The four dispute categories every network's codes fold into.

    Visa families 10–13, Mastercard's four simplified categories (Point-of-Interaction Error
    is ``PROCESSING_ERROR``, Cardholder Disputes is ``CONSUMER_DISPUTE``) and Amex groups
    AUTH/CMD/FRAUD/PROC map one to one; the network's own group stays in ``ReasonCode.family``.
    """

    FRAUD = "fraud"
    AUTHORIZATION = "authorization"
    PROCESSING_ERROR = "processing_error"
    CONSUMER_DISPUTE = "consumer_dispute"


class DisputeStage(StrEnum):
    """A network stage of a dispute; stages only move forward (compare with `rank`).

    ``INQUIRY`` covers a Visa copy request / retrieval, a Mastercard retrieval request, an Amex
    inquiry, a Discover documentation request, and Stripe's ``warning_*`` statuses.
    """

    INQUIRY = "inquiry"
    CHARGEBACK = "chargeback"
    PRE_ARBITRATION = "pre_arbitration"
    ARBITRATION = "arbitration"

    @property
    def rank(self) -> int:
        """Position in the dispute's life: 0 for an inquiry, 3 for arbitration."""
        return _STAGE_RANK[self]

    def can_move_to(self, other: DisputeStage) -> bool:
        """Whether a dispute at this stage may move to ``other`` (strictly forward only)."""
        return other.rank > self.rank


_STAGE_RANK: Mapping[DisputeStage, int] = MappingProxyType(
    {stage: rank for rank, stage in enumerate(DisputeStage)}
)


class DisputeFlow(StrEnum):
    """Visa Claims Resolution workflow of a dispute condition ([SN]).

    Only Visa has flows: non-Visa codes and Visa retrieval codes carry ``flow=None``.
    In Allocation (Fraud, Authorization) the acquirer starts pre-arbitration and arbitration;
    in Collaboration (Processing Errors, Consumer Disputes) the issuer does.
    """

    ALLOCATION = "allocation"
    COLLABORATION = "collaboration"


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A time window with its provenance.

    Attributes:
        days: length of the window in days; ``None`` when not found.
        counted_from: the event the window counts from (``"transaction processing date"``).
        wait_days: days the filer must wait before filing (Visa 13.1: 15), if any.
        max_days: an outer cap counted from the processing date (Visa 13.7: 540), if any.
        confidence: how sure the notes are of ``days``.
        sources: source tags of the window.
        note: anything the numbers cannot say (alternatives, exceptions, conflicts).
    """

    days: int | None
    counted_from: str
    wait_days: int | None = None
    max_days: int | None = None
    confidence: Confidence = Confidence.CONFIRMED
    sources: tuple[str, ...] = ()
    note: str = ""

    @classmethod
    def not_found(cls, note: str = "", sources: tuple[str, ...] = ()) -> TimeLimit:
        """A window the notes looked for and did not find (``days`` is ``None``)."""
        return cls(None, "", confidence=Confidence.NOT_FOUND, sources=sources, note=note)


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """One dispute reason code (Visa dispute condition, Mastercard/Amex/Discover code).

    Attributes:
        network: the card network.
        code: the code as the network spells it (``"13.1"``, ``"4853"``, ``"C08"``, ``"004"``).
        title: the exact title from the notes.
        category: the common [`DisputeCategory`][paysupport.networks.DisputeCategory].
        family: the network's own group (Visa ``"10"``..``"13"``, Mastercard category name,
            Amex group ``"AUTH"``/``"CMD"``/…, Discover category or ``"unconfirmed"``;
            ``"retrieval"``, ``"inquiry"`` or ``"documentation request"`` for inquiry codes).
        flow: Visa's VCR workflow; ``None`` for other networks and for Visa retrieval codes.
        time_limit: the issuer's filing window.
        evidence: kinds of evidence that answer the code (empty where the notes list none).
        stages: the stages a dispute with this code can go through, in order.
        response_window: the merchant's window to answer at the code's first stage.
        confidence: how sure the sources are of the code and title.
        sources: source tags of the record.
        notes: remarks, conflicts between sources, and how a category was chosen.
        deprecated: marked deprecated by a source (Stripe for Mastercard 4807/4842/4846).
        sub_reasons: sub-reason titles under an umbrella code (Mastercard 4853, 4834).
        category_confidence: how the ``category`` was found: ``CONFIRMED`` when a source
            states it, ``INFERRED`` when the library chose the closest fit (``notes`` say how).
    """

    network: Network
    code: str
    title: str
    category: DisputeCategory
    family: str
    flow: DisputeFlow | None
    time_limit: TimeLimit
    evidence: tuple[EvidenceKind, ...]
    stages: tuple[DisputeStage, ...]
    response_window: TimeLimit
    confidence: Confidence
    sources: tuple[str, ...]
    notes: str = ""
    deprecated: bool = False
    sub_reasons: tuple[str, ...] = ()
    category_confidence: Confidence = Confidence.CONFIRMED

    @property
    def key(self) -> tuple[Network, str]:
        """The catalogue key: ``(network, code)``."""
        return (self.network, self.code)

    @property
    def is_fraud(self) -> bool:
        """Whether the code is in the fraud category."""
        return self.category is DisputeCategory.FRAUD

    @property
    def is_inquiry(self) -> bool:
        """Whether the code names an inquiry / retrieval request rather than a chargeback."""
        return self.stages == (DisputeStage.INQUIRY,)

    @property
    def response_days(self) -> int | None:
        """Days the merchant has to respond, where known (see ``response_window``)."""
        return self.response_window.days


@dataclass(frozen=True, slots=True)
class NetworkRules:
    """Network-wide dispute rules: which stages exist and the windows at each.

    Attributes:
        network: the card network.
        stages: the stages the notes document for the network, in order.
        response_windows: per stage, the merchant's (acquirer's) window to respond.
        filing_windows: per stage, the window to open that stage (issuer for a chargeback).
        sources: source tags of the stage model.
        notes: remarks on the stage model.
    """

    network: Network
    stages: tuple[DisputeStage, ...]
    response_windows: Mapping[DisputeStage, TimeLimit] = field(hash=False)
    filing_windows: Mapping[DisputeStage, TimeLimit] = field(hash=False)
    sources: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        # Freeze whatever mapping was given, so the record stays immutable.
        for name in ("response_windows", "filing_windows"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[type[NetworkRules], tuple[object, ...]]:
        # MappingProxyType does not pickle: rebuild from plain dicts.
        return (
            NetworkRules,
            (
                self.network,
                self.stages,
                dict(self.response_windows),
                dict(self.filing_windows),
                self.sources,
                self.notes,
            ),
        )

    @property
    def response_days(self) -> Mapping[DisputeStage, int | None]:
        """Per stage, the days of the response window (``None`` where not found)."""
        return MappingProxyType({s: w.days for s, w in self.response_windows.items()})

    def has_stage(self, stage: DisputeStage) -> bool:
        """Whether disputes on this network can reach ``stage``."""
        return stage in self.stages
