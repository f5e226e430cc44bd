"""SyntheticCases: each case is its template under its own id (copied from a blueprint)."""

from __future__ import annotations

import attrs
from backtest_support import T0

from paysupport.analytics.backtest import SyntheticCases
from paysupport.analytics.backtest._synthetic import _templates


def test_a_synthetic_case_is_its_template_evolved_to_its_id():
    source = SyntheticCases(400, seed=3, start=T0, templates=6)
    pool = _templates(3, T0, source.days, 6)
    for case in source.cases(0, len(source)):
        kin = pool[str(case.kind)]
        same = [
            t
            for t in kin
            if all(
                getattr(t, a.name) is getattr(case, a.name)
                for a in attrs.fields(type(t))
                if a.name != "id"
            )
        ]
        assert len(same) >= 1, case.id
        assert attrs.evolve(same[0], id=case.id) == case
        assert case.id[0] == str(case.kind)[0] and type(case) is type(same[0])
