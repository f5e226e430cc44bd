"""``reason_code`` keeps the record found per (network, code) as given; refusals are not kept."""

from __future__ import annotations

import pytest

from paysupport.errors import UnknownReasonCode
from paysupport.networks import Network, _lookup, reason_code


def test_a_second_lookup_is_kept_and_gives_the_same_record():
    first = reason_code("visa", "13.1")
    hits = _lookup._kept.cache_info().hits
    assert reason_code("visa", "13.1") is first
    assert _lookup._kept.cache_info().hits == hits + 1
    assert reason_code(Network.VISA, " 13.1 ") is first
    assert reason_code("amex", "4") is reason_code("amex", "004")


def test_an_unknown_code_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(UnknownReasonCode):
            reason_code("visa", "99.9")
