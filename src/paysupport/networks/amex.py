"""American Express chargeback codes and numeric inquiry codes ([AXN], [SCAT], [AXDRG19]).

Amex is a closed loop: it may first send an inquiry (a 3-digit numeric code, reply within 20
days) and then charge back (a lettered code), or charge back upfront. There is no arbitration
([AXN] citing MRG §11.3). DRG groups map to `DisputeCategory`: AUTH, CMD (Card Member
Disputes), FRAUD and PROC one to one; INQ (M01, R03, R13: chargebacks that close an inquiry)
to ``CONSUMER_DISPUTE`` as the closest fit; PROG (chargeback programs) to ``FRAUD``, the
category Stripe files all of them under. Titles marked ¹ in the notes come from the 2019 DRG
table of contents ([AXDRG19], sentence case); compare titles case-insensitively.
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
_TOC = "[AXDRG19] TOC"

FAMILIES = (
    "AUTH Authorization (A01, A02, A08)",
    "CMD Card Member Disputes (C02–C32, M10, M49)",
    "FRAUD (F10–F31)",
    "INQ Inquiry/Misc (M01, R03, R13)",
    "PROC Processing Errors (P01–P23)",
    "PROG Chargeback Programs (FR2, FR4, FR6; FR5 unconfirmed)",
    "inquiry (3-digit codes 004–693)",
)
"""Hints listed when an Amex code is unknown."""

_CATEGORY = {
    "AUTH": DisputeCategory.AUTHORIZATION,
    "CMD": DisputeCategory.CONSUMER_DISPUTE,
    "FRAUD": DisputeCategory.FRAUD,
    "INQ": DisputeCategory.CONSUMER_DISPUTE,
    "PROC": DisputeCategory.PROCESSING_ERROR,
    "PROG": DisputeCategory.FRAUD,
    "unconfirmed": DisputeCategory.FRAUD,
}
_CATEGORY_NOTE = {
    "INQ": "INQ group: the chargeback closes an inquiry (M01 merchant agreed, R03 incomplete "
    "reply, R13 no or late reply); the underlying reason is the inquiry's. Category "
    "CONSUMER_DISPUTE is the closest fit, not from a source.",
    "PROG": "PROG group (chargeback program); category FRAUD follows Stripe, which files "
    "FR2, FR4, FR5 and FR6 as fraudulent.",
}

RULES = NetworkRules(
    network=Network.AMEX,
    stages=(_S.INQUIRY, _S.CHARGEBACK),
    response_windows=MappingProxyType(
        {
            _S.INQUIRY: TimeLimit(
                20,
                "inquiry",
                sources=("[AXN] DRG p.12", "[AXN] MRG §11.8"),
                note='The merchant must "respond within 20 days".',
            ),
            _S.CHARGEBACK: TimeLimit(
                20,
                "date of the chargeback",
                sources=("[AXN] MRG §11.4",),
                note='Chargeback Reversal request "no later than twenty (20) days after the '
                'date of the Chargeback".',
            ),
        }
    ),
    filing_windows=MappingProxyType(
        {
            _S.CHARGEBACK: TimeLimit(
                120,
                "transaction date",
                sources=("[AXN] DRG p.4",),
                note="Cardmember filing window, with exceptions (not received, "
                'returned/cancelled, re-disputes); "limited to just 2 disputes per charge in '
                'most cases".',
            ),
        }
    ),
    sources=("[AXN] DRG pp.4, 59-61", "[AXN] MRG §11.3", "[AXN] MOG §10.2-10.3"),
    notes=(
        "No arbitration in the DRG, MRG or MOG. Inquiry outcomes: sufficient reply resolves "
        "the case; merchant agrees -> M01; incomplete reply -> R03; no or late reply -> R13. "
        "Amex may charge back upfront without an inquiry. OptBlue: the merchant's MSP handles "
        "disputes and sets the reply windows."
    ),
)
"""Amex's stages and stage windows."""

_WINDOW = RULES.filing_windows[_S.CHARGEBACK]
_EXCEPTION = TimeLimit.not_found(
    "Amex's 120-day Cardmember window has exceptions for not-received and "
    "returned/cancelled disputes; the exception's window was not found.",
    sources=_WINDOW.sources,
)
# Codes whose title falls under the exceptions of the 120-day Cardmember window.
_EXCEPTIONS = frozenset({"C04", "C05", "C08", "C18", "C28", "004", "021", "154", "155", "158"})


def _time_limit(code: str, group: str) -> TimeLimit:
    if code in _EXCEPTIONS:
        return _EXCEPTION
    if group == "INQ":
        return TimeLimit.not_found("INQ chargebacks follow the inquiry's 20-day reply window.")
    if group in {"PROG", "unconfirmed"}:
        return TimeLimit.not_found("chargeback program window not found")
    return _WINDOW


# Groups whose category the library chose (closest fit to the title), not a source.
_INFERRED_GROUPS = frozenset({"INQ", "inquiry"})


def _code(
    code: str,
    title: str,
    group: str,
    *,
    sources: tuple[str, ...] = (_TOC,),
    confidence: Confidence = _C,
    notes: str = "",
) -> ReasonCode:
    inquiry = group == "inquiry"
    stage = _S.INQUIRY if inquiry else _S.CHARGEBACK
    extra = _CATEGORY_NOTE.get(group, "")
    return ReasonCode(
        network=Network.AMEX,
        code=code,
        title=title,
        category=_category(code, group),
        family=group,
        flow=None,
        time_limit=_time_limit(code, group),
        evidence=(),
        stages=(stage,),
        response_window=RULES.response_windows[stage],
        confidence=confidence,
        sources=(*sources, "[AXN]") if "[AXN]" not in sources else sources,
        notes=" ".join(part for part in (notes, extra) if part),
        category_confidence=_I if group in _INFERRED_GROUPS else _C,
    )


_INQUIRY_CATEGORY = {
    "062": DisputeCategory.PROCESSING_ERROR,
    "173": DisputeCategory.PROCESSING_ERROR,
    "680": DisputeCategory.PROCESSING_ERROR,
    "193": DisputeCategory.FRAUD,
}


def _category(code: str, group: str) -> DisputeCategory:
    if group == "inquiry":
        return _INQUIRY_CATEGORY.get(code, DisputeCategory.CONSUMER_DISPUTE)
    return _CATEGORY[group]


_SCAT_AXN = ("[SCAT]", "[AXN]")

_CHARGEBACKS = (
    _code(
        "A01",
        "Charge amount exceeds authorization amount",
        "AUTH",
        notes='Stripe files A01 under "Credit not processed", an odd fit for an '
        "authorization code; kept as Stripe's table has it.",
    ),
    _code("A02", "No Valid Authorization", "AUTH", sources=_SCAT_AXN),
    _code("A08", "Authorization Approval Expired", "AUTH", sources=_SCAT_AXN),
    _code("C02", "Credit Not Processed", "CMD", sources=_SCAT_AXN),
    _code("C04", "Goods/services returned or refused", "CMD"),
    _code("C05", "Goods/services canceled", "CMD"),
    _code("C08", "Goods/services not received or only partially received", "CMD"),
    _code("C14", "Paid by other means", "CMD"),
    _code("C18", '"No show" or CARDeposit canceled', "CMD"),
    _code(
        "C28",
        "Canceled recurring billing",
        "CMD",
        notes='[AXN]: the 2024 title also bundles "Not as Described/Defective/Damaged".',
    ),
    _code("C31", "Goods/services not as described", "CMD"),
    _code("C32", "Goods/services damaged or defective", "CMD"),
    _code("M10", "Vehicle rental — capital damages", "CMD"),
    _code("M49", "Vehicle Rental – Theft or Loss of Use", "CMD", sources=("[AXN]",)),
    _code("F10", "Missing imprint", "FRAUD"),
    _code(
        "F14",
        "Multiple ROCs",
        "FRAUD",
        sources=("[AXN]", "chargebackkit.app", "[ANT]"),
        confidence=_U,
        notes='Title conflict: "Multiple ROCs" ([AXN] 2024 DRG; chargebackkit.app) vs '
        '"Missing signature" ([ANT], older). Not in the 2019 TOC.',
    ),
    _code(
        "F24",
        "No Card Member authorization",
        "FRAUD",
        notes='[SCAT] titles it "Multiple ROCs", probably a Stripe error (see F14).',
    ),
    _code("F29", "Card Not Present", "FRAUD"),
    _code("F30", "EMV Counterfeit", "FRAUD"),
    _code("F31", "EMV lost/stolen/non-received", "FRAUD"),
    _code("FR2", "Fraud Full Recourse Program", "PROG", sources=_SCAT_AXN),
    _code("FR4", "Immediate Chargeback Program", "PROG", sources=_SCAT_AXN),
    _code(
        "FR6",
        "Partial Immediate Chargeback Program",
        "PROG",
        sources=_SCAT_AXN,
        notes='Thresholds "up to $20, $25, $50, $100 or $250" ([AXN]).',
    ),
    _code(
        "FR5",
        "Immediate Chargeback Program",
        "unconfirmed",
        sources=("[SCAT]",),
        confidence=_U,
        notes="Listed by [SCAT] only; its DRG group is unknown. Category FRAUD follows "
        "Stripe's table.",
    ),
    _code("M01", "Chargeback Authorization", "INQ", sources=_SCAT_AXN),
    _code("R03", "Insufficient reply", "INQ"),
    _code("R13", "No Reply", "INQ", sources=_SCAT_AXN),
    _code("P01", "Unassigned Card Number", "PROC", sources=_SCAT_AXN),
    _code("P03", "Credit Processed as Charge", "PROC", sources=_SCAT_AXN),
    _code("P04", "Charge Processed as Credit", "PROC", sources=_SCAT_AXN),
    _code("P05", "Incorrect Charge Amount", "PROC", sources=_SCAT_AXN),
    _code("P07", "Late Submission", "PROC", sources=_SCAT_AXN),
    _code("P08", "Duplicate Charge", "PROC", sources=_SCAT_AXN),
    _code("P22", "Non-Matching Card Number", "PROC", sources=_SCAT_AXN),
    _code("P23", "Currency Discrepancy", "PROC", sources=_SCAT_AXN),
)

_INQUIRY_NOTE = "Category is the closest fit to the title, not from a source."
_NK = '"No Knowledge" is non-fraud; 193 is the fraud intake ([AXN]). '


def _inquiry(code: str, title: str, notes: str = "") -> ReasonCode:
    return _code(code, title, "inquiry", notes=notes + _INQUIRY_NOTE)


_INQUIRIES = (
    _inquiry("004", "Not Received"),
    _inquiry("021", "Canceled"),
    _inquiry("024", "Damaged / Defective"),
    _inquiry("059", "Damaged / Defective"),
    _inquiry("062", "Credit Posted As Charge"),
    _inquiry("063", "Dissatisfied"),
    _inquiry("127", "No Knowledge", f"[AXN] (DRG 2024): No Knowledge – Card Present. {_NK}"),
    _inquiry("154", "Canceled"),
    _inquiry("155", "Not Received"),
    _inquiry("158", "Return"),
    _inquiry("173", "Duplicate/Multiple Billing"),
    _inquiry("175", "Requests Credit"),
    _inquiry("176", "No Knowledge", f"[AXN] (DRG 2024): No Knowledge – Card Not Present. {_NK}"),
    _inquiry("193", "Fraud"),
    _inquiry("680", "Overcharge"),
    _inquiry("684", "Paid Direct"),
    _inquiry(
        "691",
        "Signed support and/or Itemization",
        'A request for itemization, "not a dispute" ([AXN]). ',
    ),
    _inquiry("693", "Vehicle Rental and capital damages"),
)

CODES: tuple[ReasonCode, ...] = _CHARGEBACKS + _INQUIRIES
"""Amex lettered chargeback codes (§3.2), then numeric inquiry codes (§3.3)."""
