import dataclasses
import pickle
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paysupport.errors import UnknownNetwork, UnknownReasonCode
from paysupport.networks import (
    Confidence,
    DisputeCategory,
    DisputeStage,
    Network,
    NetworkRules,
    ReasonCode,
    network_rules,
    reason_code,
    reason_codes,
)
from paysupport.networks.declines import decline_codes
from paysupport.networks.monitoring import MONITORING_THRESHOLDS
from paysupport.networks.sources import source_of

ALL = reason_codes()


@pytest.mark.parametrize(
    ("network", "code", "category"),
    [
        ("visa", "13.1", DisputeCategory.CONSUMER_DISPUTE),
        ("visa", "10.4", DisputeCategory.FRAUD),
        ("mastercard", "4853", DisputeCategory.CONSUMER_DISPUTE),
        ("mastercard", "4834", DisputeCategory.PROCESSING_ERROR),
        ("mastercard", "4837", DisputeCategory.FRAUD),
        ("mastercard", "4808", DisputeCategory.AUTHORIZATION),
        ("amex", "C08", DisputeCategory.CONSUMER_DISPUTE),
        ("amex", "A08", DisputeCategory.AUTHORIZATION),
        ("discover", "UA02", DisputeCategory.FRAUD),
        ("discover", "7030", DisputeCategory.FRAUD),
    ],
)
def test_table_lookups(network: str, code: str, category: DisputeCategory) -> None:
    rc = reason_code(network, code)
    assert rc.network is Network.parse(network)
    assert rc.code == code
    assert rc.category is category


@pytest.mark.parametrize(
    ("network", "code", "expected"),
    [
        ("amex", "c08", "C08"),
        ("AMEX", " C08 ", "C08"),
        ("discover", "ua02", "UA02"),
        ("Discover", "u a 0 2", "UA02"),
        ("visa", " 13.1\n", "13.1"),
        (Network.MASTERCARD, "4853 ", "4853"),
        ("American Express", "r13", "R13"),
    ],
)
def test_lookup_ignores_case_and_whitespace(
    network: str | Network, code: str, expected: str
) -> None:
    assert reason_code(network, code).code == expected


def test_unknown_code_lists_the_network_families() -> None:
    with pytest.raises(UnknownReasonCode) as info:
        reason_code("visa", "14.1")
    err = info.value
    assert err.code == "14.1"
    assert "10 Fraud (10.1–10.5)" in err.known
    assert "10 Fraud (10.1–10.5)" in str(err)
    assert isinstance(err, LookupError)


@pytest.mark.parametrize("network", list(Network))
def test_every_network_lists_families_on_unknown_code(network: Network) -> None:
    with pytest.raises(UnknownReasonCode) as info:
        reason_code(network, "nope")
    assert len(info.value.known) >= 3


def test_unknown_network_raises() -> None:
    with pytest.raises(UnknownNetwork):
        reason_code("jcb", "13.1")
    with pytest.raises(UnknownNetwork):
        reason_codes("unionpay")


def test_listing_is_ordered_and_filterable() -> None:
    assert tuple(rc for net in Network for rc in reason_codes(net)) == ALL
    fraud = reason_codes(category=DisputeCategory.FRAUD)
    assert fraud and all(rc.is_fraud for rc in fraud)
    visa_fraud = reason_codes("visa", category=DisputeCategory.FRAUD)
    assert [rc.code for rc in visa_fraud] == ["10.1", "10.2", "10.3", "10.4", "10.5", "33"]
    arbitration = reason_codes(stage=DisputeStage.ARBITRATION)
    assert {rc.network for rc in arbitration} == {Network.VISA, Network.MASTERCARD}


def test_network_rules_for_every_network() -> None:
    for network in Network:
        rules = network_rules(network)
        assert rules.network is network
        assert rules.stages[0] is DisputeStage.INQUIRY
        assert set(rules.response_windows) <= set(rules.stages)
        assert set(rules.filing_windows) <= set(rules.stages)


# --- integrity properties -------------------------------------------------------------


def test_codes_unique_per_network() -> None:
    counts = Counter(rc.key for rc in ALL)
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_record_has_a_source() -> None:
    assert [rc.key for rc in ALL if not rc.sources] == []


def test_every_time_limit_has_days_or_is_explicitly_not_found() -> None:
    for rc in ALL:
        for limit in (rc.time_limit, rc.response_window):
            if limit.confidence is Confidence.NOT_FOUND:
                assert limit.days is None, rc.key
            else:
                assert limit.days is not None, rc.key
                assert limit.counted_from, rc.key


def test_confirmed_time_limits_have_sources() -> None:
    for rc in ALL:
        if rc.time_limit.confidence is Confidence.CONFIRMED:
            assert rc.time_limit.sources, rc.key


def test_stages_are_in_forward_order_and_allowed_by_the_network() -> None:
    for rc in ALL:
        ranks = [stage.rank for stage in rc.stages]
        assert ranks == sorted(set(ranks)), rc.key
        assert set(rc.stages) <= set(network_rules(rc.network).stages), rc.key


def test_only_visa_conditions_have_flows() -> None:
    for rc in ALL:
        assert (rc.flow is not None) == (rc.network is Network.VISA and not rc.is_inquiry)


def test_wait_and_cap_are_consistent() -> None:
    for rc in ALL:
        limit = rc.time_limit
        if limit.max_days is not None:
            assert limit.days is not None and limit.max_days >= limit.days


@given(st.sampled_from(ALL))
def test_lookup_returns_the_catalogued_record(rc: ReasonCode) -> None:
    assert reason_code(rc.network, rc.code) is rc
    assert reason_code(rc.network.value.upper(), f" {rc.code.lower()} ") is rc


@given(st.sampled_from(ALL), st.text(max_size=5))
def test_records_are_immutable(rc: ReasonCode, value: str) -> None:
    for field in dataclasses.fields(rc):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(rc, field.name, value)


@given(st.sampled_from(ALL))
def test_records_are_hashable_values(rc: ReasonCode) -> None:
    assert hash(rc) == hash(dataclasses.replace(rc))
    assert rc == dataclasses.replace(rc)


def test_records_pickle_by_value() -> None:
    for network in Network:
        rules = network_rules(network)
        assert pickle.loads(pickle.dumps(rules)) == rules
    for rc in ALL:
        assert pickle.loads(pickle.dumps(rc)) == rc


def test_network_rules_freeze_given_mappings() -> None:
    windows = {
        DisputeStage.CHARGEBACK: network_rules("visa").response_windows[DisputeStage.CHARGEBACK]
    }
    rules = NetworkRules(Network.VISA, (DisputeStage.CHARGEBACK,), windows, {})
    windows.clear()
    assert rules.response_days == {DisputeStage.CHARGEBACK: 30}
    assert hash(rules) == hash(dataclasses.replace(rules))


def test_every_category_chosen_by_the_library_is_marked_inferred() -> None:
    # A record whose notes say the category is a closest fit or an analogy was not read in a
    # source: its category_confidence says so, and no other record claims it.
    records = [rc for n in ("visa", "mastercard", "amex", "discover") for rc in reason_codes(n)]
    said = {rc.key for rc in records if re.search("closest fit|analogy", rc.notes)}
    marked = {rc.key for rc in records if rc.category_confidence is Confidence.INFERRED}
    assert said == marked
    assert len(marked) >= 60  # retrieval/inquiry codes and Discover's unconfirmed codes
    assert reason_code("visa", "33").category_confidence is Confidence.INFERRED
    assert reason_code("visa", "13.1").category_confidence is Confidence.CONFIRMED


def test_every_tagged_source_resolves_to_a_public_source() -> None:
    records = [rc for n in ("visa", "mastercard", "amex", "discover") for rc in reason_codes(n)]
    entries = {
        s
        for rc in records
        for s in (*rc.sources, *rc.time_limit.sources, *rc.response_window.sources)
    }
    entries |= {s for t in MONITORING_THRESHOLDS for s in t.sources}
    entries |= {s for d in decline_codes() for s in d.sources}
    tagged = {e for e in entries if e.startswith("[")}
    assert tagged, "the catalogue cites tagged sources"
    unresolved = {e for e in tagged if source_of(e) is None}
    assert not unresolved
    # No source is a note file of ours or a path on a machine.
    assert not {e for e in entries if re.search(r"/work/|shared/domain|disputes\.md", e)}
