"""The refund lifecycle records what the provider said: the mutants' survivors.

Written against the mutants `scripts/mutation.py lifecycles` left alive in _refund.py: the
provider's name, reference and status given with an event are kept on the refund (and an
absent or empty one keeps the value it had).
"""

from __future__ import annotations

import pytest

from paysupport.lifecycles import refund
from tests.lifecycles._support import at, make_refund

PROVIDER = {"provider": "stripe", "provider_reference": "re_123", "provider_status": "pending"}


@pytest.mark.parametrize(
    ("before", "event"),
    [((), "submit"), ((), "succeed"), (("submit_timed_out",), "confirm_pending")],
)
def test_the_providers_answer_is_recorded(before: tuple[str, ...], event: str) -> None:
    r = make_refund()
    for i, earlier in enumerate(before):
        r = refund.fire(r, earlier, now=at(i + 1))
    r = refund.fire(r, event, now=at(5), **PROVIDER)
    assert (r.provider, r.provider_reference, r.provider_status) == ("stripe", "re_123", "pending")


def test_a_later_answer_without_a_reference_keeps_the_one_recorded() -> None:
    r = refund.fire(make_refund(), "submit", now=at(1), **PROVIDER)
    r = refund.fire(r, "succeed", now=at(2), provider_status="succeeded", provider_reference="")
    assert (r.provider, r.provider_reference, r.provider_status) == (
        "stripe",
        "re_123",
        "succeeded",
    )
