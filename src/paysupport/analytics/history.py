"""``History``: what happened in a merchant portfolio, as three checked columnar tables.

``events`` holds one row per thing that happened (authorisation attempt, capture, refund,
dispute, fraud report), ``merchants`` who the merchants are (segment, market, MCC) and
``cases`` the support cases operators worked. Build one from pandas, polars or pyarrow
frames with `History.from_frames`, or from the library's models with
`History.from_portfolio`. Every column is checked at the door; an error names the
table, the column and the first offending row (``events.amount_minor[17]``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import polars as pl

from paysupport.analytics._frames import (
    RowRule,
    check_in,
    check_not_null,
    check_rows,
    fail_at,
    first_row,
    in_rule,
    to_polars,
)
from paysupport.errors import MissingExchangeRate, PaysupportError, ValidationFailed
from paysupport.models import ClaimKind, MerchantSegment, Tier
from paysupport.models.dispute import DisputeStatus
from paysupport.models.refund import RefundReason
from paysupport.money import currencies, currency
from paysupport.networks import Network

__all__ = [
    "CASE_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "FRAUD_TYPES",
    "MERCHANT_COLUMNS",
    "History",
]

UTC_US = pl.Datetime("us", "UTC")
_CAT = pl.Categorical()
"""Low-cardinality text columns are stored as categoricals (4 bytes a row, not 16); their
values are the same strings."""

EVENT_KINDS = ("authorization", "capture", "refund", "dispute", "fraud_report")
"""The kinds of event, in a payment's usual order."""

FRAUD_TYPES = ("tc40", "safe", "efw")
"""Fraud reports: Visa TC40, Mastercard SAFE, an early fraud warning (Stripe ``radar``)."""

NETWORKS = tuple(n.value for n in Network)

EVENT_COLUMNS: Mapping[str, tuple[pl.DataType, bool, str]] = MappingProxyType(
    {
        "event_id": (pl.String(), True, "unique id (a dispute's id for dispute rows)"),
        "payment_id": (pl.String(), True, "the payment the event belongs to"),
        "merchant_id": (_CAT, True, "a merchant of the merchants table"),
        "kind": (pl.Enum(EVENT_KINDS), True, "authorization, capture, refund, dispute, ..."),
        "at": (UTC_US, True, "when it happened (timezone-aware; stored in UTC)"),
        "amount_minor": (pl.Int64(), True, "amount in ISO 4217 minor units, >= 0"),
        "currency": (_CAT, True, "ISO 4217 code"),
        "network": (pl.Enum(NETWORKS), True, "visa, mastercard, amex or discover"),
        "card_present": (pl.Boolean(), True, "card present (False: e-commerce, MOTO)"),
        "approved": (pl.Boolean(), False, "authorization: approved (True) or declined"),
        "decline_code": (_CAT, False, "declined authorization: ISO 8583 response code"),
        "merchant_advice_code": (_CAT, False, "Mastercard merchant advice code"),
        "reason_code": (_CAT, False, "dispute: the network's reason code"),
        "outcome": (_CAT, False, "dispute: a DisputeStatus value (won, lost, ...)"),
        "fraud_type": (_CAT, False, "fraud_report: tc40, safe or efw"),
        "refund_reason": (_CAT, False, "refund: a RefundReason value"),
        "risk_score": (pl.Float64(), False, "authorization: fraud score in [0, 1]"),
    }
)
"""Column -> (dtype, required, meaning) of ``History.events``."""

MERCHANT_COLUMNS: Mapping[str, tuple[pl.DataType, bool, str]] = MappingProxyType(
    {
        "merchant_id": (pl.String(), True, "unique id"),
        "name": (pl.String(), False, "display name (defaults to the id)"),
        "segment": (pl.String(), True, "small, medium, enterprise or vip"),
        "market": (pl.String(), True, "ISO 3166-1 alpha-2 country"),
        "mcc": (pl.String(), False, "merchant category code, 4 digits"),
    }
)
"""Column -> (dtype, required, meaning) of ``History.merchants``."""

CASE_COLUMNS: Mapping[str, tuple[pl.DataType, bool, str]] = MappingProxyType(
    {
        "case_id": (pl.String(), True, "unique id"),
        "merchant_id": (pl.String(), False, "the merchant the case is about"),
        "payment_id": (pl.String(), False, "the payment the case is about"),
        "claim": (pl.String(), True, "a ClaimKind value"),
        "operator_id": (pl.String(), True, "who handled it"),
        "tier": (pl.String(), True, "junior, middle or senior"),
        "opened_at": (UTC_US, True, "when it was opened"),
        "first_action_at": (UTC_US, False, "first operator action"),
        "resolved_at": (UTC_US, False, "when it was resolved"),
        "sla_due_at": (UTC_US, False, "when the SLA fell due"),
        "escalated": (pl.Boolean(), True, "escalated to a higher tier"),
        "approval_requested": (pl.Boolean(), True, "the operator asked for an approval"),
        "approval_granted": (pl.Boolean(), False, "the approval, when one was asked"),
        "reopened": (pl.Boolean(), True, "reopened after being resolved"),
    }
)
"""Column -> (dtype, required, meaning) of ``History.cases``."""

_DISPUTE_OUTCOMES = tuple(s.value for s in DisputeStatus)
_CURRENCY_CODES = tuple(c.code for c in currencies())


@dataclass(frozen=True, slots=True, eq=False)
class History:
    """A checked portfolio history: ``events``, ``merchants``, ``cases`` and USD rates.

    Build it with `from_frames` or `from_portfolio` (or
    [`synthetic`][paysupport.analytics.synthetic]); the constructor trusts its arguments.

    Attributes:
        events: one row per event; columns and dtypes in `EVENT_COLUMNS`.
        merchants: one row per merchant; `MERCHANT_COLUMNS`.
        cases: one row per support case (may be empty); `CASE_COLUMNS`.
        usd_rates: US dollars per one major unit of each currency, as the caller passed
            them; used for amount floors (VFMP, EFM) and to compare amounts across
            currencies. USD itself is 1.
    """

    events: pl.DataFrame
    merchants: pl.DataFrame
    cases: pl.DataFrame
    usd_rates: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_frames(
        cls,
        events: Any,
        merchants: Any,
        cases: Any = None,
        *,
        usd_rates: Mapping[str, Decimal | str | int] | None = None,
    ) -> History:
        """Check and normalise pandas, polars or pyarrow frames into a ``History``.

        Args:
            events: the events table (columns in
                [`EVENT_COLUMNS`][paysupport.analytics.history.EVENT_COLUMNS]).
            merchants: the merchants table (see `MERCHANT_COLUMNS`).
            cases: the support cases (see `CASE_COLUMNS`), or None for none.
            usd_rates: US dollars per one major unit, by currency code (exact values:
                ``Decimal`` or strings; floats are refused).

        Raises:
            ValidationFailed: a column is missing or mistyped, or a row breaks a rule; the
                error's ``field`` is ``table.column[row]``.
        """
        merchant_df = _normalise(to_polars(merchants, "merchants"), "merchants", MERCHANT_COLUMNS)
        merchant_df = _check_merchants(merchant_df)
        event_df = _check_events(
            _normalise(to_polars(events, "events"), "events", EVENT_COLUMNS), merchant_df
        )
        if cases is None:
            case_df = pl.DataFrame(schema={k: v[0] for k, v in CASE_COLUMNS.items()})
        else:
            case_df = _check_cases(_normalise(to_polars(cases, "cases"), "cases", CASE_COLUMNS))
        return cls(event_df, merchant_df, case_df, _check_rates(usd_rates or {}))

    @classmethod
    def from_portfolio(
        cls, portfolio: Any, *, usd_rates: Mapping[str, Decimal | str | int] | None = None
    ) -> History:
        """Build a ``History`` from a [`Portfolio`][paysupport.models.Portfolio]'s records.

        Each payment gives an approved authorisation, its captures, its succeeded refunds,
        its disputes (outcome = the dispute's status) and its early fraud warning; each
        payment failure gives a declined authorisation. Payments on a card of another brand
        are left out (the monitoring programs are per network). Card presence is not in the
        models: every row is card-not-present.
        """
        from paysupport.analytics._from_models import portfolio_frames

        events, merchants, cases = portfolio_frames(portfolio)
        return cls.from_frames(events, merchants, cases, usd_rates=usd_rates)

    def usd_per_minor(self, codes: list[str]) -> dict[str, float]:
        """US dollars per minor unit of each code (for ratios and floors, not bookkeeping).

        Raises:
            MissingExchangeRate: a code has no rate in `usd_rates`.
        """
        out: dict[str, float] = {}
        for code in codes:
            rate = Decimal(1) if code == "USD" else self.usd_rates.get(code)
            if rate is None:
                raise MissingExchangeRate(
                    f"usd_rates[{code}]",
                    "rate_required",
                    f"no USD rate for {code}: pass usd_rates to compare amounts across "
                    "currencies and to check the programs' USD amount floors",
                )
            out[code] = float(rate / (Decimal(10) ** currency(code).exponent))
        return out

    @property
    def span(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The first and last event times, or None when there are no events."""
        if self.events.is_empty():
            return None
        lo, hi = self.events.select(
            pl.col("at").min().alias("lo"), pl.col("at").max().alias("hi")
        ).row(0)
        return lo, hi

    def __repr__(self) -> str:
        return (
            f"History({self.events.height} events, {self.merchants.height} merchants, "
            f"{self.cases.height} cases)"
        )


def _normalise(
    df: pl.DataFrame, table: str, columns: Mapping[str, tuple[pl.DataType, bool, str]]
) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    for name, (dtype, required, _) in columns.items():
        if name not in df.columns:
            if required:
                raise fail_at(table, name, None, "missing_column", f"{table} needs {name}")
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        exprs.append(_cast(df, table, name, dtype))
    return df.select(exprs)


def _cast(df: pl.DataFrame, table: str, name: str, dtype: pl.DataType) -> pl.Expr:
    source = df.schema[name]
    if source == pl.Null:
        return pl.col(name).cast(dtype)
    if isinstance(dtype, pl.Datetime):
        if not isinstance(source, pl.Datetime) or source.time_zone is None:
            row = first_row(df, pl.col(name).is_not_null())
            raise fail_at(table, name, row, "tz_aware", "needs timezone-aware datetimes")
        return pl.col(name).dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if dtype == pl.Int64 and not source.is_integer():
        row = first_row(df, pl.col(name).is_not_null())
        raise fail_at(
            table, name, row, "no_float", f"amounts are integer minor units, got {source}"
        )
    if isinstance(dtype, pl.Enum):
        check_in(df, table, name, dtype.categories.to_list(), f"known_{name}")
        return pl.col(name).cast(pl.String).cast(dtype)
    if dtype == _CAT:
        if source == _CAT:
            return pl.col(name)
        if isinstance(source, (pl.Categorical, pl.Enum)):
            return pl.col(name).cast(pl.String).cast(dtype)
        if source != pl.String:
            row = first_row(df, pl.col(name).is_not_null())
            raise fail_at(table, name, row, "dtype", f"{name} holds text, got {source}")
        return pl.col(name).cast(dtype)
    cast = pl.col(name).cast(dtype, strict=False)
    try:
        row = first_row(df, pl.col(name).is_not_null() & cast.is_null())
    except pl.exceptions.PolarsError:  # no cast from this dtype at all (text to booleans)
        row = first_row(df, pl.col(name).is_not_null())
        raise fail_at(table, name, row, "dtype", f"{name} holds {dtype}, got {source}") from None
    if row is not None:
        raise fail_at(table, name, row, "dtype", f"{df[name][row]!r} is not {dtype}")
    return cast


def _check_merchants(df: pl.DataFrame) -> pl.DataFrame:
    t = "merchants"
    check_not_null(df, t, ("merchant_id", "segment", "market"))
    _unique(df, t, "merchant_id")
    check_in(df, t, "segment", [s.value for s in MerchantSegment], "known_segment")
    _pattern(df, t, "market", r"^[A-Z]{2}$", "iso3166_alpha2")
    _pattern(df, t, "mcc", r"^\d{4}$", "four_digits")
    return df.with_columns(pl.col("name").fill_null(pl.col("merchant_id")))


def _check_events(df: pl.DataFrame, merchants: pl.DataFrame) -> pl.DataFrame:
    t = "events"
    required = [k for k, v in EVENT_COLUMNS.items() if v[1]]
    check_not_null(df, t, required)
    _unique(df, t, "event_id")
    kind = pl.col("kind")
    rules = [
        RowRule("amount_minor", "non_negative", pl.col("amount_minor") < 0, "amounts are >= 0"),
        in_rule("currency", _CURRENCY_CODES, "iso4217"),
        in_rule("merchant_id", merchants["merchant_id"].to_list(), "known_merchant"),
        *(
            RowRule(
                column,
                "required",
                (kind == of_kind) & pl.col(column).is_null(),
                f"a {of_kind} row needs {column}",
            )
            for column, of_kind in (
                ("approved", "authorization"),
                ("reason_code", "dispute"),
                ("outcome", "dispute"),
                ("fraud_type", "fraud_report"),
            )
        ),
        in_rule("outcome", _DISPUTE_OUTCOMES, "dispute_status"),
        in_rule("fraud_type", FRAUD_TYPES, "fraud_type"),
        in_rule("refund_reason", [r.value for r in RefundReason], "refund_reason"),
        RowRule(
            "risk_score",
            "unit_interval",
            (pl.col("risk_score") < 0) | (pl.col("risk_score") > 1),
            "scores are in [0, 1]",
        ),
    ]
    check_rows(df, t, rules)
    return df


def _check_cases(df: pl.DataFrame) -> pl.DataFrame:
    t = "cases"
    check_not_null(df, t, [k for k, v in CASE_COLUMNS.items() if v[1]])
    _unique(df, t, "case_id")
    check_in(df, t, "claim", [c.value for c in ClaimKind], "claim_kind")
    check_in(df, t, "tier", [x.value for x in Tier], "tier")
    for column in ("first_action_at", "resolved_at"):
        row = first_row(df, pl.col(column) < pl.col("opened_at"))
        if row is not None:
            raise fail_at(t, column, row, "after_opened", f"{column} is before opened_at")
    return df


def _unique(df: pl.DataFrame, table: str, column: str) -> None:
    if df[column].n_unique() != df.height:
        row = first_row(df, pl.col(column).is_duplicated()) or 0
        raise fail_at(table, column, row, "unique", f"{df[column][row]!r} is repeated")


def _pattern(df: pl.DataFrame, table: str, column: str, pattern: str, rule: str) -> None:
    row = first_row(df, ~pl.col(column).str.contains(pattern))
    if row is not None:
        raise fail_at(table, column, row, rule, f"{df[column][row]!r} does not match {pattern}")


def _check_rates(rates: Mapping[str, Decimal | str | int]) -> Mapping[str, Decimal]:
    out: dict[str, Decimal] = {}
    for code, rate in rates.items():
        where = f"usd_rates[{code}]"
        if isinstance(rate, (float, bool)):
            raise ValidationFailed(where, "no_float", "rates are exact: pass a Decimal or str")
        try:
            value = Decimal(rate)
            key = currency(code).code
        except PaysupportError:
            raise
        except ArithmeticError as exc:
            raise ValidationFailed(where, "decimal", f"{rate!r} is not a number") from exc
        if not value.is_finite() or value <= 0:
            raise ValidationFailed(where, "positive", "a rate is a positive number")
        out[key] = value
    return MappingProxyType(out)
