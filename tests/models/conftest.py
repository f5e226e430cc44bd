from __future__ import annotations

import pytest

from paysupport.models import Capture, Payment, _base, dispute
from tests.models._support import NOW, eur


@pytest.fixture(autouse=True)
def _fresh_model_caches() -> None:
    """Each test fills the caches it reads (so it runs the code filling them; see
    tests/lifecycles/conftest.py for why a mutation run needs this)."""
    _base._CONSTRUCT.clear()
    dispute._STAGE_FITS.clear()


@pytest.fixture
def captured() -> Payment:
    """A 100 EUR authorization with 60 EUR captured."""
    return Payment(
        id="pay_1",
        merchant_id="m_1",
        customer_id="cus_1",
        amount=eur("100"),
        status="captured",
        created_at=NOW,
        captures=[Capture(id="cap_1", amount=eur("60"), captured_at=NOW)],
    )
