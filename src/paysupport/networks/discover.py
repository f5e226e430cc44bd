"""Discover dispute codes: legacy alphabetic (§4.1), numeric (§4.2), documentation requests.

Alphabetic codes marked "A" in the notes come with a category from [ANT]; the others ("not
confirmed" there) carry ``family="unconfirmed"`` and a category chosen by analogy with Visa's
conditions (said so in ``notes``). Numeric codes come from a processor (TabaPay); only those
whose title says "Fraud" have a family, the rest are ``"unconfirmed"``. DP1 and UA12 were not
found and are not in the catalogue. The notes do not document Discover pre-arbitration or
arbitration, so `RULES` lists only the inquiry and chargeback stages.
"""

from __future__ import annotations

from types import MappingProxyType

from ._types import (
    Confidence,
    DisputeCategory,
    DisputeStage,
    Network,
    NetworkRules,
    ReasonCode,
    TimeLimit,
)

__all__ = ["CODES", "FAMILIES", "RULES"]

_C, _U, _I = Confidence.CONFIRMED, Confidence.UNCONFIRMED, Confidence.INFERRED
_S = DisputeStage
_D = DisputeCategory
_UNCONFIRMED = "unconfirmed"

FAMILIES = (
    "Fraud (AA, UA01, UA02, UA05, UA06, UA10, UA11; 4866, 4867, 7010, 7030)",
    "Authorization (AT, DA, NA, EX)",
    "unconfirmed (AP, AW, CD, DP, IC, IN, LP, NC, NF, PM, RG, RM, RN1, RN2, TF; 45xx-48xx, 8002)",
    "documentation request (6005, 6021, 6040, 6041, 6050)",
)
"""Hints listed when a Discover code is unknown."""

RULES = NetworkRules(
    network=Network.DISCOVER,
    stages=(_S.INQUIRY, _S.CHARGEBACK),
    response_windows=MappingProxyType(
        {
            _S.INQUIRY: TimeLimit.not_found("documentation request reply window"),
            _S.CHARGEBACK: TimeLimit(
                30,
                "chargeback",
                confidence=_U,
                sources=("docs.chargeflow.io network-timelines",),
            ),
        }
    ),
    filing_windows=MappingProxyType(
        {
            _S.CHARGEBACK: TimeLimit(
                120,
                "card transaction processing date",
                confidence=_U,
                sources=('[QV] "Cancelled Recurring Transaction"',),
                note="When there is no Transaction Retrieval Request (TRR). With a TRR: "
                "between 60 days of the TRR initiation date and 30 days of the TRR close "
                "date. The network attribution of [QV]'s page is unconfirmed.",
            ),
        }
    ),
    sources=('[QV] "Cancelled Recurring Transaction"', "[SCAT]"),
    notes=(
        "A Transaction Retrieval Request (TRR) may precede a chargeback. Pre-arbitration and "
        "arbitration were not found in the notes, so they are not listed (not found, not "
        "known to be absent)."
    ),
)
"""Discover's stages and stage windows."""

_WINDOW = RULES.filing_windows[_S.CHARGEBACK]
_RECURRING_WINDOW = TimeLimit(
    _WINDOW.days,
    _WINDOW.counted_from,
    wait_days=15,
    confidence=_WINDOW.confidence,
    sources=_WINDOW.sources,
    note=_WINDOW.note + " Cancelled recurring: wait 15 days after the cancellation.",
)
_ANALOGY = "Category chosen by analogy with Visa's conditions, not from a source."


def _code(
    code: str,
    title: str,
    family: str,
    category: DisputeCategory,
    sources: tuple[str, ...],
    *,
    confidence: Confidence = _C,
    notes: str = "",
    recurring: bool = False,
) -> ReasonCode:
    if family == _UNCONFIRMED:
        notes = f"{notes} {_ANALOGY}".strip()
    return ReasonCode(
        network=Network.DISCOVER,
        code=code,
        title=title,
        category=category,
        family=family,
        flow=None,
        time_limit=_RECURRING_WINDOW if recurring else _WINDOW,
        evidence=(),
        stages=(_S.CHARGEBACK,),
        response_window=RULES.response_windows[_S.CHARGEBACK],
        confidence=confidence,
        sources=sources,
        notes=notes,
        category_confidence=_I if family == _UNCONFIRMED else _C,
    )


_A = ("[ANT] diners.md",)
_RF = ("hobby repos (secondary)", "fraudrankr/api-docs source/index.md")
_R = ("hobby repos (secondary)",)
_F = ("fraudrankr/api-docs source/index.md",)
_FRAUD, _AUTH = "Fraud", "Authorization"

_ALPHABETIC = (
    _code("AA", "Does Not Recognize", _FRAUD, _D.FRAUD, _A),
    _code("UA01", "Fraud/Card Present Environment", _FRAUD, _D.FRAUD, _A),
    _code(
        "UA02",
        "Fraud/Card-Not-Present Environment",
        _FRAUD,
        _D.FRAUD,
        _A,
        notes='Numeric equivalent 7030 "Fraud - Card Not Present Transaction".',
    ),
    _code("UA05", "Fraud/Counterfeit Chip Transaction", _FRAUD, _D.FRAUD, _A),
    _code("UA06", "Fraud/Chip-and-Pin Transaction", _FRAUD, _D.FRAUD, _A),
    _code("UA10", "Request Transaction Receipt (swiped card transactions)", _FRAUD, _D.FRAUD, _A),
    _code(
        "UA11",
        "Cardholder claims fraud (swiped transaction, no signature)",
        _FRAUD,
        _D.FRAUD,
        _A,
    ),
    _code("AT", "Authorization Non-compliance", _AUTH, _D.AUTHORIZATION, _A),
    _code("DA", "Declined Authorization", _AUTH, _D.AUTHORIZATION, _A),
    _code("NA", "No Authorization", _AUTH, _D.AUTHORIZATION, _A),
    _code(
        "EX",
        "Expired Card",
        _AUTH,
        _D.AUTHORIZATION,
        _A,
        confidence=_U,
        notes="The row is truncated in [ANT]: the title is unconfirmed.",
    ),
    _code(
        "AP",
        "Recurring Payments",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _RF,
        notes='F: "Automatic Payment Dispute".',
        recurring=True,
    ),
    _code("AW", "Altered Amount", _UNCONFIRMED, _D.PROCESSING_ERROR, _RF),
    _code(
        "CD",
        "Credit/Debit Posted Incorrectly",
        _UNCONFIRMED,
        _D.PROCESSING_ERROR,
        _RF,
        notes='F: "Credit Posted as Card Sale".',
    ),
    _code("DP", "Duplicate Processing", _UNCONFIRMED, _D.PROCESSING_ERROR, _RF),
    _code(
        "IC",
        "Illegible Sales Data",
        _UNCONFIRMED,
        _D.PROCESSING_ERROR,
        _RF,
        notes='F: "Illegible Transaction Documentation".',
    ),
    _code("IN", "Invalid Card Number", _UNCONFIRMED, _D.PROCESSING_ERROR, _RF),
    _code(
        "LP",
        "Late Presentation / Late Presentment",
        _UNCONFIRMED,
        _D.PROCESSING_ERROR,
        _RF,
    ),
    _code("NC", "Not Classified", _UNCONFIRMED, _D.CONSUMER_DISPUTE, _RF),
    _code(
        "NF",
        "Non-Receipt of Cash from ATM",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _R,
        confidence=_U,
    ),
    _code("PM", "Paid by Other Means", _UNCONFIRMED, _D.PROCESSING_ERROR, _R, confidence=_U),
    _code(
        "RG",
        "Non-Receipt of Goods, Services, or Cash",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _RF,
    ),
    _code(
        "RM",
        "Cardholder Disputes Quality of Goods or Services",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _RF,
    ),
    _code(
        "RN1",
        "Additional Credit Requested",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _F,
        notes="Named beside RN2 in F only.",
    ),
    _code(
        "RN2",
        "Credit Not Processed",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _RF,
        notes='F: "Credit Not Received".',
    ),
    _code("TF", "Violation of Operating Regulations", _UNCONFIRMED, _D.PROCESSING_ERROR, _F),
)

_TP = ("developers.tabapay.com/docs/discover-1",)
_SC = ("[SCAT]",)

_NUMERIC = (
    _code("4534", "Duplicate Processing", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code(
        "4541",
        "Cancelled Recurring Transaction",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _TP,
        recurring=True,
    ),
    _code("4542", "Late Presentation", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code("4550", "Credit/Debit Posted Incorrectly", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code(
        "4553",
        "Cardholder Disputes Quality of Goods or Services",
        _UNCONFIRMED,
        _D.CONSUMER_DISPUTE,
        _TP,
    ),
    _code("4586", "Altered Amount", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code(
        "4752",
        "Does Not Recognize",
        _UNCONFIRMED,
        _D.FRAUD,
        _TP,
        notes='Same title as AA, which [ANT] files under Fraud; Stripe files 4752 as "general".',
    ),
    _code("4753", "Invalid Cardholder Number", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code("4755", "Non-Receipt of Goods or Services", _UNCONFIRMED, _D.CONSUMER_DISPUTE, _TP),
    _code("4757", "Violation of Operating Regulations", _UNCONFIRMED, _D.PROCESSING_ERROR, _SC),
    _code("4762", "Good Faith Investigation", _UNCONFIRMED, _D.CONSUMER_DISPUTE, _TP),
    _code("4863", "Authorization Non-Compliance", _UNCONFIRMED, _D.AUTHORIZATION, _TP),
    _code("4864", "Non Receipt of Cash from ATM", _UNCONFIRMED, _D.CONSUMER_DISPUTE, _TP),
    _code("4865", "Paid by other means", _UNCONFIRMED, _D.PROCESSING_ERROR, _TP),
    _code("4866", "Fraud - Chip Card Counterfeit Transaction", _FRAUD, _D.FRAUD, _TP),
    _code("4867", "Fraud - Chip Card and PIN Transaction", _FRAUD, _D.FRAUD, _TP),
    _code("7010", "Fraud - Card Present Transaction", _FRAUD, _D.FRAUD, _TP),
    _code(
        "7030",
        "Fraud - Card Not Present Transaction",
        _FRAUD,
        _D.FRAUD,
        (*_TP, "[SCAT]"),
        notes="Numeric equivalent of UA02.",
    ),
    _code("8002", "Credit Not Processed", _UNCONFIRMED, _D.CONSUMER_DISPUTE, _TP),
)


def _documentation_request(code: str, title: str, category: DisputeCategory) -> ReasonCode:
    return ReasonCode(
        network=Network.DISCOVER,
        code=code,
        title=title,
        category=category,
        family="documentation request",
        flow=None,
        time_limit=TimeLimit.not_found("documentation request filing window"),
        evidence=(),
        stages=(_S.INQUIRY,),
        response_window=RULES.response_windows[_S.INQUIRY],
        confidence=_C,
        sources=_SC,
        notes="Documentation request as Stripe lists it. Its category is the closest fit to "
        "the title, not from a source.",
        category_confidence=_I,
    )


_DOCUMENTATION_REQUESTS = (
    _documentation_request(
        "6005",
        "Transaction Documentation Request Due to Cardholder Dispute",
        _D.CONSUMER_DISPUTE,
    ),
    _documentation_request("6021", "Transaction Documentation Request", _D.CONSUMER_DISPUTE),
    _documentation_request("6040", "Good Faith Investigation", _D.CONSUMER_DISPUTE),
    _documentation_request(
        "6041", "Transaction Documentation Request for Fraud Analysis", _D.FRAUD
    ),
    _documentation_request("6050", "Disputes Compliance", _D.PROCESSING_ERROR),
)

CODES: tuple[ReasonCode, ...] = _ALPHABETIC + _NUMERIC + _DOCUMENTATION_REQUESTS
"""Discover alphabetic codes, numeric codes, then documentation requests."""
