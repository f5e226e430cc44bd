"""Mastercard chargeback reason codes and retrieval codes ([MCOM], [SCAT]).

Codes and titles from [GP]; the four simplified categories map to `DisputeCategory`
(Point-of-Interaction Error is ``PROCESSING_ERROR``, Cardholder Disputes is
``CONSUMER_DISPUTE``). Mastercom's other valid codes (4801, 4802, 4809, 4835, 4847, 4856, 4857,
4862, 4899) have no title in the notes and are left out; so are the 2xxx second-presentment
codes and the 49xx documentation codes, which are not chargeback reasons (Stripe's category for
4901–4908 is in ``paysupport.providers.stripe_reason_for``).
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

FAMILIES = (
    "Fraud (4837, 4840, 4849, 4863, 4870, 4871)",
    "Authorization (4807, 4808, 4812)",
    "Point-of-Interaction Error (4831, 4834, 4842, 4846, 4850, 4999)",
    "Cardholder Disputes (4841, 4853, 4854, 4855, 4859, 4860)",
    "retrieval (6305, 6321, 6322, 6323, 6341, 6342, 6343, 6390)",
)
"""Hints listed when a Mastercard code is unknown."""

_CATEGORY = {
    "Fraud": DisputeCategory.FRAUD,
    "Authorization": DisputeCategory.AUTHORIZATION,
    "Point-of-Interaction Error": DisputeCategory.PROCESSING_ERROR,
    "Cardholder Disputes": DisputeCategory.CONSUMER_DISPUTE,
}

RULES = NetworkRules(
    network=Network.MASTERCARD,
    stages=(_S.INQUIRY, _S.CHARGEBACK, _S.PRE_ARBITRATION, _S.ARBITRATION),
    response_windows=MappingProxyType(
        {
            _S.INQUIRY: TimeLimit.not_found(
                "Retrieval reply window not found. Before a first chargeback Mastercom may send "
                "the acquirer a Collaboration request with a 72-hour window "
                "(developer.mastercard.com; [SN] chargeback-stage-mastercard.md)."
            ),
            _S.CHARGEBACK: TimeLimit(
                45,
                "first chargeback",
                confidence=_U,
                sources=("docs.chargeflow.io",),
                note="Second presentment window.",
            ),
            _S.PRE_ARBITRATION: TimeLimit(
                30,
                "pre-arbitration filing",
                sources=('[QV] "MC Pre-Arbitration"',),
                note="Auto-accepted for the acquirer after 30 days (21.2 mandates, 17 Oct 2021).",
            ),
            _S.ARBITRATION: TimeLimit(
                10,
                "arbitration filing",
                sources=('[QV] "MC Arbitration Ruling"',),
                note="Mastercard waits 10 calendar days after filing, or until the acquirer "
                "rejects, before ruling.",
            ),
        }
    ),
    filing_windows=MappingProxyType(
        {
            _S.CHARGEBACK: TimeLimit(
                120,
                "not stated in the notes",
                sources=("docs.chargeflow.io", "docs.adyen.com/issuing/disputes"),
                note="Typically 120 days. Adyen issuing: fraud and credit not processed 120; "
                "not delivered 40-120; not as described 20-120; duplicate 90.",
            ),
            _S.PRE_ARBITRATION: TimeLimit(
                45,
                "second presentment",
                confidence=_U,
                sources=("docs.chargeflow.io",),
                note="The Chargeback Guide text itself was not found.",
            ),
            _S.ARBITRATION: TimeLimit(
                45,
                "pre-arbitration",
                confidence=_U,
                sources=("docs.chargeflow.io",),
                note="The Chargeback Guide text itself was not found.",
            ),
        }
    ),
    sources=("[MCOM]", '[QV] "MC Pre-Arbitration"', "[ADYD] mastercard-chargebacks.md"),
    notes=(
        "A retrieval request is optional and not required before a first chargeback; from "
        "24 Oct 2021 Mastercom accepts only retrieval reason 6343 ([MCOM]). Pre-arbitration is "
        "required except for ATM disputes, 4808, Chip Liability Shift and Chip Liability Shift "
        "Lost/Stolen NRI, unless the reason code changes ([QV]); Adyen: 4808, 4870 and 4871 go "
        "to arbitration directly. Mastercom chargebackType: CHARGEBACK, SECOND_PRESENTMENT; "
        "caseType: 1 Pre-arbitration, 2 Arbitration, 3 Pre-compliance, 4 Compliance."
    ),
)
"""Mastercard's stages and stage windows."""

_TIME_LIMIT = TimeLimit(
    120,
    "not stated in the notes",
    confidence=_U,
    sources=RULES.filing_windows[_S.CHARGEBACK].sources,
    note="The network's typical first-chargeback window, not a per-code figure. "
    + RULES.filing_windows[_S.CHARGEBACK].note,
)
_STAGES = (_S.CHARGEBACK, _S.PRE_ARBITRATION, _S.ARBITRATION)
_NO_PRE_ARBITRATION = (_S.CHARGEBACK, _S.ARBITRATION)
_STRAIGHT_TO_ARBITRATION = (
    "Goes straight to arbitration, no pre-arbitration ([ADYD] mastercard-chargebacks.md; [QV])."
)


def _code(
    code: str,
    title: str,
    family: str,
    *,
    sources: tuple[str, ...] = ("[GP]",),
    notes: str = "",
    deprecated: bool = False,
    stages: tuple[DisputeStage, ...] = _STAGES,
    sub_reasons: tuple[str, ...] = (),
) -> ReasonCode:
    return ReasonCode(
        network=Network.MASTERCARD,
        code=code,
        title=title,
        category=_CATEGORY[family],
        family=family,
        flow=None,
        time_limit=_TIME_LIMIT,
        evidence=(),
        stages=stages,
        response_window=RULES.response_windows[_S.CHARGEBACK],
        confidence=_C,
        sources=sources,
        notes=notes,
        deprecated=deprecated,
        sub_reasons=sub_reasons,
    )


_SUB_4853 = (
    "General Defective/Not as Described",
    "Goods or Services Were Either Not as Described or Defective",
    "Goods or Services Not Provided",
    "Failed Travel Merchant—Intra-EEA and Domestic European Transactions Only",
    "Digital Goods Purchase of USD 25 or Less",
    "Credit Not Processed",
    "Counterfeit Goods",
    "Cardholder Dispute of a Recurring Transaction",
    "Issuer Dispute of a Recurring Transaction",
    "Addendum Dispute",
    "No-show Hotel Charge",
    "Transaction Did Not Complete",
    "Timeshares",
    "Credit Posted as a Purchase",
)
_SUB_4834 = (
    "Transaction Amount Differs",
    "Cardholder Debited More than Once for the Same Goods or Services",
    "ATM Disputes",
    "Charges for Loss, Theft, or Damages",
    "Late Presentment",
    "POI Currency Conversion (Dynamic Currency Conversion)",
    "Merchant Credit Correcting Error Resulting in Cardholder Currency Exchange Loss",
    "Improper Merchant Surcharge (Intra-European and Inter-European transactions only)",
    "Unreasonable Amount—Intra-European Economic Area (EEA) Transactions Only",
)

_FRAUD, _AUTH, _POI, _CHD = (
    "Fraud",
    "Authorization",
    "Point-of-Interaction Error",
    "Cardholder Disputes",
)

_CHARGEBACKS = (
    _code("4837", "No Cardholder Authorization", _FRAUD, sources=("[GP]", "[ANT]")),
    _code(
        "4840",
        "Fraudulent Processing of Transactions",
        _FRAUD,
        sources=("[GP]", "[ANT]"),
        notes='[SCAT] lists 4840 as "bad code - needs investigation".',
    ),
    _code("4849", "Questionable Merchant Activity", _FRAUD, sources=("[GP]", "[ANT]")),
    _code(
        "4863",
        "Cardholder Does Not Recognize—Potential Fraud",
        _FRAUD,
        sources=("[GP]", "[SCAT]"),
        notes='[ANT] titles it "Transaction Not Recognized-Potential Fraud". Chargebacks911 '
        "says it was retired (unconfirmed). Stripe files it as unrecognized, not fraudulent.",
    ),
    _code(
        "4870",
        "Chip Liability Shift",
        _FRAUD,
        stages=_NO_PRE_ARBITRATION,
        notes=f'[ANT]: "EMV Liability Shift Counterfeit Fraud". {_STRAIGHT_TO_ARBITRATION}',
    ),
    _code(
        "4871",
        "Chip/PIN Liability Shift",
        _FRAUD,
        stages=_NO_PRE_ARBITRATION,
        notes='[SCAT]: "Chip Liability Shift—Lost/Stolen/Never Received Issue (NRI) Fraud". '
        + _STRAIGHT_TO_ARBITRATION,
    ),
    _code(
        "4807",
        "Warning Bulletin File",
        _AUTH,
        deprecated=True,
        notes='[SCAT]: "Deprecated".',
    ),
    _code(
        "4808",
        "Authorization-Related Chargeback",
        _AUTH,
        stages=_NO_PRE_ARBITRATION,
        notes=_STRAIGHT_TO_ARBITRATION,
    ),
    _code("4812", "Account Number Not On File", _AUTH),
    _code(
        "4834",
        "Point-of-Interaction Error",
        _POI,
        sub_reasons=_SUB_4834,
        notes="Umbrella code; sub-reasons as Stripe lists them ([SCAT]). ATM disputes skip "
        "pre-arbitration ([QV]); that is per sub-reason and not modelled in `stages`. Stripe "
        "files 4834 with all its sub-reasons as duplicate, though most sub-reasons (amount "
        "differs, late presentment, currency conversion) are not duplicates.",
    ),
    _code(
        "4831",
        "Transaction Amount Differs",
        _POI,
        sources=("[GP]", "[MCOM]"),
        notes='Mastercom\'s own example value: "4831 - Transaction Amount Differs".',
    ),
    _code("4842", "Late Presentment", _POI, deprecated=True, notes='[SCAT]: "DEPRECATED".'),
    _code(
        "4846",
        "Correct Transaction Currency Code Not Provided",
        _POI,
        deprecated=True,
        notes='[SCAT]: "DEPRECATED: POI Currency Conversion (Dynamic Currency Conversion)".',
    ),
    _code("4850", "Installment Billing Dispute", _POI),
    _code(
        "4999",
        "Domestic Chargeback Dispute (Europe Region Only)",
        _POI,
        notes="Not in [MCOM]'s list of valid codes.",
    ),
    _code(
        "4853",
        "Cardholder Dispute",
        _CHD,
        sub_reasons=_SUB_4853,
        notes="Umbrella code; sub-reasons as Stripe lists them ([SCAT]).",
    ),
    _code("4841", "Canceled Recurring or Digital Goods Transactions", _CHD),
    _code("4854", "Cardholder Dispute—Not Elsewhere Classified (U.S. Region Only)", _CHD),
    _code("4855", "Goods or Services Not Provided", _CHD),
    _code("4859", "Addendum, No-show, or ATM Dispute", _CHD),
    _code("4860", "Credit Not Processed", _CHD),
)


def _retrieval(code: str, title: str, category: DisputeCategory) -> ReasonCode:
    current = code == "6343"
    return ReasonCode(
        network=Network.MASTERCARD,
        code=code,
        title=title,
        category=category,
        family="retrieval",
        flow=None,
        time_limit=TimeLimit.not_found("retrieval request filing window"),
        evidence=(),
        stages=(_S.INQUIRY,),
        response_window=RULES.response_windows[_S.INQUIRY],
        confidence=_C,
        sources=("[MCOM] /v6/claims/{claim-id}/retrievalrequests",),
        notes=(
            "Retrieval reason code. "
            + ("The only one Mastercom accepts from 24 Oct 2021. " if current else "")
            + ("" if current else "Accepted until 23 Oct 2021 only. ")
            + "Its category is the closest fit to the title, not from a source."
        ),
        deprecated=not current,
        category_confidence=_I,
    )


_RETRIEVALS = (
    _retrieval(
        "6305", "Cardholder does not agree with amount billed", DisputeCategory.PROCESSING_ERROR
    ),
    _retrieval("6321", "Cardholder does not recognize transaction", DisputeCategory.FRAUD),
    _retrieval(
        "6322", "Request Transaction Certificate for a chip transaction", DisputeCategory.FRAUD
    ),
    _retrieval(
        "6323",
        "Cardholder needs information for personal records",
        DisputeCategory.CONSUMER_DISPUTE,
    ),
    _retrieval("6341", "Fraud investigation", DisputeCategory.FRAUD),
    _retrieval(
        "6342",
        "Potential chargeback or compliance documentation is required",
        DisputeCategory.CONSUMER_DISPUTE,
    ),
    _retrieval(
        "6343",
        "IIAS Audit (for healthcare transactions only)",
        DisputeCategory.PROCESSING_ERROR,
    ),
    _retrieval("6390", "Identifies a syntax error return", DisputeCategory.PROCESSING_ERROR),
)

CODES: tuple[ReasonCode, ...] = _CHARGEBACKS + _RETRIEVALS
"""Mastercard chargeback codes of §2.1 by category, then retrieval codes of §2.3."""
