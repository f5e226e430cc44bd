"""Visa dispute conditions (Visa Claims Resolution) and retrieval codes ([QV], [VSI], [SN], [SCAT]).

Categories 10 Fraud and 11 Authorization follow the Allocation workflow, 12 Processing Errors
and 13 Consumer Disputes the Collaboration workflow ([SN]). Every condition can be answered by a
credit already processed or the cardholder's written withdrawal ([VSI], [MID]). Issuer time
limits count from the Transaction Processing Date unless noted.
"""

from __future__ import annotations

from types import MappingProxyType

from ._types import (
    Confidence,
    DisputeCategory,
    DisputeFlow,
    DisputeStage,
    Network,
    NetworkRules,
    ReasonCode,
    TimeLimit,
)
from .evidence import EvidenceKind as E

__all__ = ["CODES", "FAMILIES", "RULES"]

_C, _U, _I = Confidence.CONFIRMED, Confidence.UNCONFIRMED, Confidence.INFERRED
_TPD = "transaction processing date"
_FLOW_SOURCE = "[SN] pre-arbitration-and-arbitration-overview.md"

FAMILIES = (
    "10 Fraud (10.1–10.5)",
    "11 Authorization (11.1–11.3)",
    "12 Processing Errors (12.1–12.7, 12.6.1, 12.6.2)",
    "13 Consumer Disputes (13.1–13.9)",
    "retrieval (28, 30, 33, 34)",
)
"""Hints listed when a Visa code is unknown."""

_FAMILY = {
    "10": (DisputeCategory.FRAUD, DisputeFlow.ALLOCATION, "[DMG] TOC"),
    "11": (DisputeCategory.AUTHORIZATION, DisputeFlow.ALLOCATION, "[DMG] TOC"),
    "12": (DisputeCategory.PROCESSING_ERROR, DisputeFlow.COLLABORATION, "[QV]"),
    "13": (DisputeCategory.CONSUMER_DISPUTE, DisputeFlow.COLLABORATION, "[QV]"),
}

_ANY_CONDITION = (E.REFUND_ISSUED, E.CARDHOLDER_WITHDRAWAL)
_DISPUTE_STAGES = (DisputeStage.CHARGEBACK, DisputeStage.PRE_ARBITRATION, DisputeStage.ARBITRATION)

RULES = NetworkRules(
    network=Network.VISA,
    stages=(DisputeStage.INQUIRY, *_DISPUTE_STAGES),
    response_windows=MappingProxyType(
        {
            DisputeStage.INQUIRY: TimeLimit.not_found("copy request / retrieval reply window"),
            DisputeStage.CHARGEBACK: TimeLimit(
                30,
                "dispute",
                sources=(
                    "midmetrics 12.1",
                    "paymentbrief.com visa-10-4",
                    "docs.chargeflow.io network-timelines",
                ),
                note='Acquirer/merchant dispute response. justt.ai\'s "20 days" is a '
                "processor window.",
            ),
            DisputeStage.PRE_ARBITRATION: TimeLimit(
                30, "pre-arbitration", confidence=_U, sources=("docs.chargeflow.io",)
            ),
            DisputeStage.ARBITRATION: TimeLimit.not_found("arbitration reply window"),
        }
    ),
    filing_windows=MappingProxyType(
        {
            DisputeStage.PRE_ARBITRATION: TimeLimit.not_found("pre-arbitration filing window"),
            DisputeStage.ARBITRATION: TimeLimit(
                10,
                "pre-arbitration",
                confidence=_U,
                sources=("docs.chargeflow.io",),
                note='"10 days after pre-arbitration"',
            ),
        }
    ),
    sources=("[DMG] TOC", "[SN] collaboration-workflow.md", "[SN] allocation-workflow.md"),
    notes=(
        "A copy request (retrieval) is optional before a dispute ([DMG] §2). The chargeback "
        "filing window is per dispute condition (ReasonCode.time_limit). Allocation: the "
        "acquirer files pre-arbitration and arbitration; Collaboration: the issuer does. An "
        "appeal is allowed after an arbitration loss of at least USD 5,000 with new evidence "
        "([QV], unconfirmed)."
    ),
)
"""Visa's stages and stage windows."""


def _condition(
    code: str,
    title: str,
    time_limit: TimeLimit,
    *,
    evidence: tuple[E, ...] = (),
    sources: tuple[str, ...] = (),
    notes: str = "",
) -> ReasonCode:
    family = code.split(".")[0]
    category, flow, title_source = _FAMILY[family]
    return ReasonCode(
        network=Network.VISA,
        code=code,
        title=title,
        category=category,
        family=family,
        flow=flow,
        time_limit=time_limit,
        evidence=_ANY_CONDITION + evidence,
        stages=_DISPUTE_STAGES,
        response_window=RULES.response_windows[DisputeStage.CHARGEBACK],
        confidence=_C,
        sources=(title_source, _FLOW_SOURCE, *sources, *time_limit.sources),
        notes=notes,
    )


def _days(
    days: int,
    sources: tuple[str, ...],
    *,
    counted_from: str = _TPD,
    wait_days: int | None = None,
    max_days: int | None = None,
    confidence: Confidence = _C,
    note: str = "",
) -> TimeLimit:
    return TimeLimit(days, counted_from, wait_days, max_days, confidence, sources, note)


_FRAUD_120 = "120 days is the Fraud category's limit; no per-code source"
_NOT_FOUND = TimeLimit.not_found("issuer time limit not found")

_CONDITIONS = (
    _condition(
        "10.1",
        "EMV Liability Shift Counterfeit Fraud",
        _days(120, ("[MID]",)),
        evidence=(E.CHIP_READ,),
        notes='[GP] misprints the title as "EMV Liability Shift". [MID]: "Workflow: Allocation".',
    ),
    _condition(
        "10.2",
        "EMV Liability Shift Non-Counterfeit Fraud",
        _days(120, (), confidence=_U, note=_FRAUD_120),
    ),
    _condition(
        "10.3",
        "Other Fraud – Card-Present Environment",
        _days(120, (), confidence=_U, note=_FRAUD_120),
    ),
    _condition(
        "10.4",
        "Other Fraud – Card-Absent Environment",
        _days(
            120,
            ("[QV] 10.4", "[MID]"),
            note='"120 calendar days from the Transaction Processing Date"',
        ),
        evidence=(
            E.CVV_AVS_MATCH,
            E.THREE_DS_AUTHENTICATION,
            E.CARD_IMPRINT,
            E.PRIOR_UNDISPUTED_TRANSACTIONS,
            E.DEVICE_AND_IP_MATCH,
        ),
        notes="The only condition Compelling Evidence 3.0 applies to (see VISA_CE3).",
    ),
    _condition(
        "10.5",
        "Visa Fraud Monitoring Program",
        _days(120, ("justt.ai",), confidence=_U),
    ),
    _condition(
        "11.1",
        "Card Recovery Bulletin",
        _days(75, ("[KNT]", "justt.ai")),
        evidence=(E.EMV_PIN_TRANSACTION, E.CARD_NOT_ON_BULLETIN),
        notes='[GP] misprints this code as "11.2".',
    ),
    _condition(
        "11.2",
        "Declined Authorization",
        _days(75, ("[MID]", "[KNT]")),
        evidence=(E.AUTHORIZATION_APPROVAL,),
        sources=("[VSI] 11.2",),
    ),
    _condition(
        "11.3",
        "No Authorization",
        _days(75, ("[KNT]", "justt.ai")),
        evidence=(E.AUTHORIZATION_APPROVAL,),
        sources=("[VSI] 11.3",),
    ),
    _condition(
        "12.1",
        "Late Presentment",
        _days(
            120,
            ("[MID]", "midmetrics"),
            note="US: or from the adjustment date for ATM / PIN debit.",
        ),
        evidence=(E.TRANSACTION_DATE_PROOF,),
        notes='midmetrics: "Workflow: Collaboration".',
    ),
    _condition(
        "12.2",
        "Incorrect Transaction Code",
        _days(
            120,
            ("[QV] 12.2",),
            counted_from=f"{_TPD}, or the processing date of a credit refund processed "
            "instead of a Reversal/Adjustment",
        ),
    ),
    _condition("12.3", "Incorrect Currency", _NOT_FOUND),
    _condition("12.4", "Incorrect Account Number", _days(120, ("[QV] 12.4",))),
    _condition("12.5", "Incorrect Amount", _NOT_FOUND),
    _condition(
        "12.6.1",
        "Duplicate Processing",
        _days(120, ("[QV] 12.6",)),
        evidence=(E.DUPLICATE_CHARGE_DOCUMENTATION,),
        sources=("Stripe duplicate guidance (docs copy)",),
        notes='Parent condition: "12.6: Duplicate Processing/Paid by Other Means".',
    ),
    _condition(
        "12.6.2",
        "Paid by Other Means",
        _days(120, ("[QV] 12.6",)),
        evidence=(E.DUPLICATE_CHARGE_DOCUMENTATION,),
        sources=("Stripe duplicate guidance (docs copy)",),
        notes='Parent condition: "12.6: Duplicate Processing/Paid by Other Means".',
    ),
    _condition(
        "12.7",
        "Invalid Data",
        _days(75, ("[QV] 12.7",)),
        evidence=(E.AUTHORIZATION_APPROVAL,),
        sources=("[VSI] 12.7",),
    ),
    _condition(
        "13.1",
        "Merchandise/Services Not Received",
        _days(
            120,
            ("[QV] 13.1",),
            counted_from=f"{_TPD}, or the last date the cardholder expected the goods or services",
            wait_days=15,
            note="Wait 15 days from the Transaction Date (if no delivery date was specified), "
            "or from the date the cardholder returned or tried to return late goods. "
            "Verifi's 13.6 update says it aligned 13.6's 540-day cap with 13.1 and 13.3, "
            "which implies a 540-day cap here too; [QV] 13.1 does not state one, so max_days "
            "stays None. Third-party gift cards: from Oct 2021 within 120 days of the purchase "
            "date (blog wcenatus/blog-personal, unconfirmed). MCC 4722: wait 30 days from the "
            "merchant's cancellation (same blog, unconfirmed).",
        ),
        notes="A Statement of Dispute is needed if the cardholder disputed 3 or more "
        "transactions at the same merchant for non-receipt within the same 30-day period "
        "([QV] 13.1; support.forte.net). Evidence specific to 13.x was not collected per code.",
    ),
    _condition(
        "13.2",
        "Cancelled Recurring Transaction",
        _days(120, ("[QV] 13.2",)),
        notes="From April 2023 the issuer must give the date the cardholder withdrew "
        "permission and the cancellation details (help.qualpay.com; icba.org). Visa spells "
        '"Cancelled"; Stripe writes "Canceled".',
    ),
    _condition(
        "13.3",
        "Not as Described or Defective Merchandise/Services",
        _days(120, ("justt.ai",), wait_days=15, confidence=_U, note="Wait 15 days after a return."),
    ),
    _condition("13.4", "Counterfeit Merchandise", _NOT_FOUND),
    _condition("13.5", "Misrepresentation", _NOT_FOUND),
    _condition(
        "13.6",
        "Credit Not Processed",
        _days(
            120,
            ("[QV] 13.6", "verifi.com/update-to-dispute-condition-13-6"),
            counted_from=f"{_TPD}, or the Credit Transaction Receipt date",
            wait_days=15,
            max_days=540,
            note="Wait 15 days from the Credit Transaction Receipt date (unless undated). "
            "The 540-day cap from the original sale's processing date applies to disputes "
            "processed on or after 16 Oct 2021 (Verifi).",
        ),
    ),
    _condition(
        "13.7",
        "Cancelled Merchandise/Services",
        _days(
            120,
            ("[QV] 13.7",),
            counted_from=f"{_TPD}, or the date the goods or services were received or expected",
            wait_days=15,
            max_days=540,
            note="Wait 15 days from the return.",
        ),
    ),
    _condition(
        "13.8",
        "Original Credit Transaction Not Accepted",
        _days(120, ("[QV] 13.8",), counted_from="Original Credit Transaction Processing Date"),
    ),
    _condition("13.9", "Non-Receipt of Cash or Load Transaction Value", _NOT_FOUND),
)


def _retrieval(code: str, title: str, category: DisputeCategory) -> ReasonCode:
    return ReasonCode(
        network=Network.VISA,
        code=code,
        title=title,
        category=category,
        family="retrieval",
        flow=None,
        time_limit=TimeLimit.not_found("retrieval request filing window"),
        evidence=(),
        stages=(DisputeStage.INQUIRY,),
        response_window=RULES.response_windows[DisputeStage.INQUIRY],
        confidence=_C,
        sources=("[SCAT]",),
        notes="Retrieval-request code as Stripe lists it. Its category is the closest fit "
        "to the title, not from a source.",
        category_confidence=_I,
    )


_RETRIEVALS = (
    _retrieval("28", "Request for copy bearing signature", DisputeCategory.CONSUMER_DISPUTE),
    _retrieval("30", "Cardholder request due to dispute", DisputeCategory.CONSUMER_DISPUTE),
    _retrieval("33", "Fraud analysis request", DisputeCategory.FRAUD),
    _retrieval("34", "Legal process request", DisputeCategory.CONSUMER_DISPUTE),
)

CODES: tuple[ReasonCode, ...] = _CONDITIONS + _RETRIEVALS
"""Visa dispute conditions 10.1–13.9 (with 12.6.1 and 12.6.2), then retrieval codes."""
