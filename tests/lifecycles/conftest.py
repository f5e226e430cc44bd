"""Each lifecycle test starts with empty per-transition build caches.

`lifecycles._build` keeps, per transition, what it runs to build the next model (`forget`),
and `models._base` the builder of each model class (`_CONSTRUCT`).
Starting every test without it makes each test exercise the code that fills the cache (and
lets a mutation run judge that code: mutmut forks its test processes after a first run
that would otherwise have filled the cache for them).
"""

import pytest

from paysupport.lifecycles import _build
from paysupport.models import _base


@pytest.fixture(autouse=True)
def _fresh_build_caches() -> None:
    _build.forget()
    _base._CONSTRUCT.clear()
