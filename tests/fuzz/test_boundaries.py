"""Fuzz every boundary that takes outside data: only PaysupportError may escape.

Each target gets mangled real payloads (the provider fixtures, the bundled sample's models)
and arbitrary JSON. The CI run is short and derandomized; `python scripts/fuzz.py` runs each
target for minutes (docs/testing.md, "Fuzzing").
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paysupport import cli
from paysupport.analytics import synthetic
from paysupport.errors import PaysupportError
from paysupport.models import Dispute, Payment, Portfolio, Refund, SupportCase
from paysupport.money import Money, currency
from paysupport.providers import (
    dispute_from_adyen,
    dispute_from_stripe,
    event_from_adyen,
    event_from_stripe,
    from_provider_amount,
    payment_from_charge,
    payment_from_payment_intent,
    refund_from_stripe,
)
from paysupport.sample import load as load_sample
from paysupport.testing.fuzz import FuzzCrash, fuzz, json_values, mutated, only_typed_errors
from paysupport.workflows import apply_provider_event

FIXTURES = Path(__file__).parents[1] / "providers" / "fixtures"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _fixtures(provider: str, prefix: str = "") -> list[dict[str, Any]]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((FIXTURES / provider).glob(f"{prefix}*.json"))
    ]


def _adyen_items() -> list[dict[str, Any]]:
    items = []
    for payload in _fixtures("adyen"):
        items.extend(payload.get("notificationItems", [payload]))
    return items


def _inputs(samples: list[dict[str, Any]]) -> st.SearchStrategy[Any]:
    assert samples, "every target is fuzzed from at least one real payload"
    return st.one_of(st.sampled_from(samples).flatmap(mutated), json_values())


SAMPLE, SAMPLE_NOW = load_sample()
PAYMENT = SAMPLE.payments[0]


def _apply_stripe(payload: Any) -> object:
    event = event_from_stripe(payload, strict=False)
    return apply_provider_event(PAYMENT, event, now=NOW)


def _apply_adyen(payload: Any) -> object:
    event = event_from_adyen(payload, strict=False)
    return apply_provider_event(PAYMENT, event, now=NOW)


def _dumps(models: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(m.model_dump_json()) for m in models]


_STRIPE_EVENTS = _fixtures("stripe", "event_")
_STRIPE_OBJECTS = [p for p in _fixtures("stripe") if p.get("object") != "event"]

TARGETS: dict[str, tuple[Callable[[Any], object], st.SearchStrategy[Any]]] = {
    "event_from_stripe": (event_from_stripe, _inputs(_STRIPE_EVENTS)),
    "event_from_stripe(strict=False)": (
        lambda p: event_from_stripe(p, strict=False),
        _inputs(_STRIPE_EVENTS),
    ),
    "payment_from_charge": (
        lambda p: payment_from_charge(p, merchant_id="m_1"),
        _inputs([p for p in _STRIPE_OBJECTS if p.get("object") == "charge"]),
    ),
    "payment_from_payment_intent": (
        lambda p: payment_from_payment_intent(p, merchant_id="m_1"),
        _inputs([p for p in _STRIPE_OBJECTS if p.get("object") == "payment_intent"]),
    ),
    "refund_from_stripe": (
        refund_from_stripe,
        _inputs([p for p in _STRIPE_OBJECTS if p.get("object") == "refund"]),
    ),
    "dispute_from_stripe": (
        dispute_from_stripe,
        _inputs([p for p in _STRIPE_OBJECTS if p.get("object") == "dispute"]),
    ),
    "event_from_adyen": (event_from_adyen, _inputs(_adyen_items())),
    "event_from_adyen(strict=False)": (
        lambda p: event_from_adyen(p, strict=False),
        _inputs(_adyen_items()),
    ),
    "dispute_from_adyen": (dispute_from_adyen, _inputs(_adyen_items())),
    "apply_provider_event(stripe)": (_apply_stripe, _inputs(_STRIPE_EVENTS)),
    "apply_provider_event(adyen)": (_apply_adyen, _inputs(_adyen_items())),
    "Payment.model_validate": (Payment.model_validate, _inputs(_dumps(list(SAMPLE.payments)))),
    "Dispute.model_validate": (
        Dispute.model_validate,
        _inputs(_dumps([d for p in SAMPLE.payments for d in p.disputes])),
    ),
    "Refund.model_validate": (
        Refund.model_validate,
        _inputs(_dumps([r for p in SAMPLE.payments for r in p.refunds])),
    ),
    "SupportCase.model_validate": (
        SupportCase.model_validate,
        _inputs(_dumps(list(SAMPLE.cases))),
    ),
    "Portfolio.model_validate": (Portfolio.model_validate, _inputs(_dumps([SAMPLE]))),
    "Payment.model_validate_json": (
        lambda p: Payment.model_validate_json(json.dumps(p)),
        _inputs(_dumps(list(SAMPLE.payments))),
    ),
    "Money.parse": (Money.parse, st.one_of(st.text(max_size=20), json_values())),
    "Money.of": (
        lambda p: Money.of(p.get("amount"), p.get("currency")) if isinstance(p, dict) else None,
        st.fixed_dictionaries({"amount": json_values(4), "currency": json_values(4)}),
    ),
    "currency": (currency, st.one_of(st.text(max_size=5), json_values())),
    "from_provider_amount": (
        lambda p: from_provider_amount(p.get("amount"), p.get("code"), p.get("provider")),
        st.fixed_dictionaries(
            {
                "amount": json_values(2),
                "code": st.one_of(st.sampled_from(["EUR", "JPY", "ISK", "KWD"]), json_values(2)),
                "provider": st.one_of(st.sampled_from(["stripe", "adyen"]), json_values(2)),
            }
        ),
    ),
}


# ---------------------------------------------------------------------------------- the CLI
# The command line reads outside data too: portfolio and case files, events and merchants
# tables, codes and times typed by a person. Its contract is an exit status: 0, or 2 with a
# one-line error the user can act on; 1 ("bug: ...") is the untyped crash fuzzing looks for.


class RefusedByCli(PaysupportError):
    """The command refused its input with exit status 2 (a typed refusal, for the count)."""


_WORKDIR = Path(tempfile.mkdtemp(prefix="paysupport-fuzz-"))


def _cli(argv: list[str]) -> None:
    """Run one command line quietly; exit 2 is a typed refusal, anything but 0 or 2 a crash."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    if status == 2:
        raise RefusedByCli(err.getvalue().strip())
    if status != 0:
        raise RuntimeError(f"exit status {status}: {err.getvalue().strip()}")


def _write(name: str, text: str) -> str:
    path = _WORKDIR / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _text(value: Any) -> str:
    """A JSON value as a file's text: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _cli_report(payload: Any) -> None:
    _cli(["report", _write("portfolio.json", _text(payload)), "--format", "json"])


def _cli_triage(lines: list[Any]) -> None:
    text = "\n".join(_text(line) for line in lines)
    _cli(["triage", _write("cases.jsonl", text), "--now", SAMPLE_NOW.isoformat()])


def _csv(table: Any) -> str:
    """A mangled ``{column: [cells]}`` table as CSV (columns of any length, cells of any type)."""
    if not isinstance(table, dict):
        return _text(table)
    columns = [str(c) for c in table]
    cells = [v if isinstance(v, list) else [v] for v in table.values()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in range(max((len(c) for c in cells), default=0)):
        writer.writerow(["" if i >= len(c) or c[i] is None else _text(c[i]) for c in cells])
    return out.getvalue()


def _cli_health(tables: dict[str, Any]) -> None:
    events = _write("events.csv", _csv(tables.get("events")))
    merchants = _write("merchants.csv", _csv(tables.get("merchants")))
    rates = [
        a for code, rate in _HISTORY.usd_rates.items() for a in ("--usd-rate", f"{code}={rate}")
    ]
    _cli(["health", "--events", events, "--merchants", merchants, *rates, "--format", "json"])


def _cli_lookup(words: list[str]) -> None:
    _cli([*words, "--format", "json"])


_HISTORY = synthetic(1, n_payments=30, n_merchants=3)


def _columns(frame: Any) -> dict[str, list[Any]]:
    return json.loads(json.dumps(frame.to_dict(as_series=False), default=str))


_TABLES = {"events": _columns(_HISTORY.events), "merchants": _columns(_HISTORY.merchants)}
_PORTFOLIO = {**_dumps([SAMPLE])[0], "now": SAMPLE_NOW.isoformat()}
_CASE_LINES = [
    {"case": case, "payments": _dumps(list(SAMPLE.payments[:2]))} for case in _dumps(SAMPLE.cases)
]


def _typed(known: list[str]) -> st.SearchStrategy[str]:
    """A word a person types: mostly a known one, sometimes anything."""
    return st.one_of(st.sampled_from(known), st.sampled_from(known), st.text(max_size=8))


_NETWORK = _typed(["visa", "mastercard", "amex", "discover", "Visa", ""])
_CODE = _typed(["10.4", "13.1", "4837", "4853", "F29", "05", "51", "14", "do_not_honor"])
_LOOKUPS = st.one_of(
    st.tuples(st.just("reason-code"), _NETWORK, _CODE).map(list),
    st.tuples(st.just("decline"), _CODE).map(list),
    st.tuples(st.just("decline"), _CODE, st.just("--network"), _NETWORK).map(list),
    st.tuples(st.just("decline"), _CODE, st.just("--provider"), _typed(["stripe"])).map(list),
    st.tuples(
        st.just("decline"), _CODE, st.just("--network"), _NETWORK, st.just("--advice"), _CODE
    ).map(list),
    st.lists(st.text(max_size=8), max_size=4),
)

TARGETS.update(
    {
        "cli report (portfolio file)": (_cli_report, _inputs([_PORTFOLIO])),
        "cli triage (case lines)": (
            _cli_triage,
            st.lists(st.sampled_from(_CASE_LINES).flatmap(mutated) | json_values(6), max_size=3),
        ),
        "cli health (events and merchants tables)": (_cli_health, mutated(_TABLES, depth=3)),
        "cli lookups (codes typed by a person)": (
            _cli_lookup,
            _LOOKUPS,
        ),
    }
)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_only_typed_errors_escape(name: str) -> None:
    function, inputs = TARGETS[name]

    @FAST
    @given(inputs)
    def run(value: Any) -> None:
        only_typed_errors(function, value, target=name)

    run()


def test_fuzz_reports_inputs_and_typed_refusals() -> None:
    report = fuzz("Money.parse", Money.parse, st.text(max_size=10), max_examples=50)
    assert report.inputs >= 50
    assert report.typed_errors > 0
    assert not report.crashes
    assert "no crash" in str(report)


def test_fuzz_finds_an_untyped_crash_and_names_it() -> None:
    def fragile(payload: Any) -> None:
        if isinstance(payload, dict):
            payload["amount"]  # a bare KeyError: the defect fuzzing is for

    report = fuzz("fragile", fragile, json_values(), max_examples=200, derandomize=True)
    assert len(report.crashes) == 1
    crash = report.crashes[0]
    assert isinstance(crash.error, KeyError)
    assert "fragile raised KeyError" in str(crash)


def test_only_typed_errors_passes_results_and_typed_refusals_through() -> None:
    assert only_typed_errors(lambda p: p * 2, 21) == 42

    def refuse(_: object) -> None:
        raise PaysupportError("no")

    assert only_typed_errors(refuse, None) is None
    with pytest.raises(FuzzCrash):
        only_typed_errors(lambda p: p["x"], {})


def test_mutated_keeps_the_original_among_its_draws() -> None:
    original = {"a": 1, "b": {"c": "x"}}
    seen: list[Any] = []

    @settings(max_examples=40, database=None, derandomize=True)
    @given(mutated(original))
    def collect(value: Any) -> None:
        seen.append(value)

    collect()
    assert original in seen
    assert any(v != original for v in seen)
