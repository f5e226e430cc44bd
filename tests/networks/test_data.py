"""The catalogue data files: every record loads, validates, cites resolvable sources."""

import dataclasses
import json
import pathlib
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

import paysupport.networks as networks
from paysupport.errors import ValidationFailed
from paysupport.networks import (
    Confidence,
    DeclineCode,
    Network,
    ReasonCode,
    RetryAction,
    _data,
    decline_codes,
    network_rules,
    reason_codes,
)
from paysupport.networks.sources import source_of
from paysupport.providers import stripe_declines

DATA = resources.files("paysupport.networks").joinpath("data")
FILES = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".json"))
# Stripe's decline codes: same reader and record schema, shipped by the providers package.
STRIPE_FILE = resources.files("paysupport.providers").joinpath("data", "stripe_declines.json")


def _raw(name: str) -> dict[str, Any]:
    found = STRIPE_FILE if name == STRIPE_FILE.name else DATA.joinpath(name)
    parsed: dict[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    return parsed


def _sources(value: object) -> Iterator[str]:
    # Every "sources" list anywhere in a file, nested records included.
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sources":
                yield from item
            else:
                yield from _sources(item)
    elif isinstance(value, list):
        for item in value:
            yield from _sources(item)


def test_one_file_per_catalogue_and_every_file_is_read() -> None:
    assert FILES == [
        "amex.json",
        "discover.json",
        "evidence.json",
        "iso8583.json",
        "mastercard.json",
        "merchant_advice_codes.json",
        "monitoring.json",
        "retry_limits.json",
        "visa.json",
    ]  # Stripe's decline codes are Stripe's vocabulary: providers/data/stripe_declines.json
    # Touch every public table; the loader's cache then holds every file.
    tables = (
        networks.advice.MERCHANT_ADVICE_CODES,
        networks.advice.RETRY_LIMITS,
        networks.evidence.VISA_CE3,
    )
    tables += (networks.monitoring.MONITORING_THRESHOLDS, networks.evidence.STRIPE_EVIDENCE_FIELDS)
    assert all(tables) and reason_codes() and decline_codes()
    assert _data.load.cache_info().currsize == len(FILES)


def test_count_per_network_matches_the_files() -> None:
    counted = Counter(rc.network for rc in reason_codes())
    for network in Network:
        assert counted[network] == len(_raw(f"{network.value}.json")["codes"]), network
    # A record lost or added by accident fails here (change the figures with the data).
    assert dict(counted) == {
        Network.VISA: 29,
        Network.MASTERCARD: 29,
        Network.AMEX: 53,
        Network.DISCOVER: 50,
    }
    assert Counter(dc.scheme for dc in decline_codes()) == {"iso8583": 42}
    assert Counter(dc.scheme for dc in stripe_declines()) == {"stripe": 50}


def test_every_record_is_the_library_record_type_with_source_and_confidence() -> None:
    for rc in reason_codes():
        assert type(rc) is ReasonCode
        assert rc.sources and isinstance(rc.confidence, Confidence)
        assert isinstance(rc.category_confidence, Confidence)
    for dc in (*decline_codes(), *stripe_declines()):
        assert type(dc) is DeclineCode
        assert dc.sources and isinstance(dc.confidence, Confidence)
    for table in (
        networks.advice.MERCHANT_ADVICE_CODES,
        networks.advice.RETRY_LIMITS,
        networks.monitoring.MONITORING_THRESHOLDS,
    ):
        for record in table:
            assert dataclasses.is_dataclass(record) and record.sources, record


def test_category_confidence_and_network_are_explicit_in_the_files() -> None:
    for network in Network:
        for row in _raw(f"{network.value}.json")["codes"]:
            assert {"sources", "confidence", "category_confidence", "network"} <= set(row)
    for name in ("iso8583.json", "stripe_declines.json"):
        for row in _raw(name)["codes"]:
            assert {"sources", "confidence", "network"} <= set(row), row["code"]


@pytest.mark.parametrize("name", [*FILES, STRIPE_FILE.name])
def test_every_tag_in_every_file_resolves_to_a_public_source(name: str) -> None:
    entries = set(_sources(_raw(name)))
    unresolved = {e for e in entries if e.startswith("[") and source_of(e) is None}
    assert not unresolved
    # No source is a note file of ours or a path on a machine.
    assert not {
        e for e in entries if re.search(r"/work/|shared/domain|disputes\.md|payments\.md", e)
    }


def test_derived_iso_actions_follow_the_visa_category_they_name() -> None:
    derived = {1: RetryAction.DO_NOT_RETRY, 2: RetryAction.RETRY_LATER}
    derived |= {3: RetryAction.FIX_DATA, 4: RetryAction.CONTACT_ISSUER}
    checked = 0
    for dc in decline_codes():
        said = re.search(r"Action derived from Visa category (\d)\.", dc.notes)
        if said:
            assert dc.visa_category is not None and dc.visa_category.value == int(said.group(1))
            assert dc.action is derived[int(said.group(1))], dc.code
            checked += 1
    assert checked >= 20


def test_windows_named_by_reference_are_the_rules_windows() -> None:
    for network in Network:
        rules = network_rules(network)
        for rc in reason_codes(network):
            assert rc.response_window == rules.response_windows[rc.stages[0]], rc.key


def _error(name: str, where: str, kind: object, raw: object) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        _data.read_value(name, where, kind, raw)
    assert isinstance(caught.value, _data.CatalogueDataError)
    return caught.value


def _visa_row() -> dict[str, Any]:
    raw = _raw("visa.json")
    row: dict[str, Any] = raw["codes"][3]
    assert row["code"] == "10.4"
    # The file names the shared chargeback window; the record itself holds the window.
    assert row["response_window"] == "@response_windows.chargeback"
    return dict(row, response_window=raw["rules"]["response_windows"]["chargeback"])


def test_an_unknown_key_is_refused_naming_file_record_and_field() -> None:
    row = _visa_row()
    row["time_limit"] = dict(row["time_limit"], dayz=120)
    err = _error("visa.json", "codes[3] '10.4'", ReasonCode, row)
    assert err.field == "visa.json: codes[3] '10.4'.time_limit.dayz"
    assert err.rule == "catalogue_unknown_key"


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("category", "fraudulent", "catalogue_enum"),
        ("confidence", None, "catalogue_enum"),
        ("stages", "chargeback", "catalogue_type"),
        ("deprecated", 1, "catalogue_type"),
        ("title", 7, "catalogue_type"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_field(field: str, value: object, rule: str) -> None:
    row = dict(_visa_row(), **{field: value})
    err = _error("visa.json", "codes[3] '10.4'", ReasonCode, row)
    assert (err.field, err.rule) == (f"visa.json: codes[3] '10.4'.{field}", rule)


def test_a_missing_key_is_refused() -> None:
    row = _visa_row()
    del row["sources"]
    err = _error("visa.json", "codes[3] '10.4'", ReasonCode, row)
    assert (err.field, err.rule) == ("visa.json: codes[3] '10.4'.sources", "catalogue_missing_key")


def test_numbers_are_exact_and_typed() -> None:
    threshold = _raw("monitoring.json")["thresholds"][0]
    kind = type(networks.monitoring.MONITORING_THRESHOLDS[0])
    for value in (0.007, True, "7%"):
        err = _error("monitoring.json", "thresholds[0]", kind, dict(threshold, ratio_min=value))
        assert err.field.endswith(".ratio_min")
    days = _visa_row()["time_limit"]
    for value in (True, 120.0, "120"):
        err = _error(
            "visa.json", "codes[3]", type(reason_codes()[0].time_limit), dict(days, days=value)
        )
        assert err.field.endswith(".days")


def test_an_unknown_reference_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    row = dict(_raw("visa.json")["codes"][3], response_window="@response_windows.nowhere")
    monkeypatch.setattr(_data, "load", lambda name: {"codes": [row]})
    with pytest.raises(ValidationFailed) as caught:
        _data.read_records("visa.json", "codes", ReasonCode, refs={})
    assert caught.value.field == "visa.json: codes[0] '10.4'.response_window"
    assert caught.value.rule == "catalogue_reference"


def test_importing_networks_reads_no_data_file() -> None:
    code = (
        "import paysupport.networks, paysupport.networks._data as d; "
        "print(d.load.cache_info().currsize); "
        "paysupport.networks.reason_code('visa', '13.1'); "
        "print(d.load.cache_info().currsize)"
    )
    src = pathlib.Path(networks.__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src)},
    ).stdout.split()
    assert out == ["0", "1"]
