"""Hypothesis stateful tests of every lifecycle, on the public kit (paysupport.testing.stateful).

The kit's machines drive each compiled lifecycle through random event sequences and check
its promises after every step (declared states, terminal states stay terminal, refusals
change nothing, ``can``/``allowed_events`` predict ``fire``, history and replay, money).
Here they are subclassed with the checks only the library's own tests make, as hooks:

- every event is also fired on a python-statemachine instance bound to the same model (the
  class the table was compiled from): it accepts what the table accepts, reaching the same
  model, and refuses what the table refuses, with the same error type, changing nothing;
- at the end of a run, the model and its history survive a JSON round trip and replay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import settings

from paysupport.errors import InvalidTransition
from paysupport.lifecycles import LifecycleMachine, replay
from paysupport.models import Payment, RefundStatus
from paysupport.testing import stateful


class AgreesWithBoundMachine(stateful.LifecycleStateMachine):
    """Fires every event on the bound python-statemachine instance too; JSON round trip."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: LifecycleMachine | None = None
        self.bound_to: Any = None  # the model the bound instance holds

    def _bound(self, model: Any) -> LifecycleMachine:
        if self.bound is None or self.bound_to is not model:
            self.bound = self.lifecycle.bind(model)
            self.bound_to = model
        return self.bound

    def on_transition(self, before: Any, after: Any, event: str) -> None:
        """The bound machine accepts the event and reaches the same model."""
        last = after.history[-1]
        bound = self._bound(before)
        reached = bound.fire(event, now=last.at, actor=last.actor, **last.data)
        assert reached == after, f"python-statemachine reached another model on {event!r}"
        self.bound_to = after

    def on_refusal(
        self,
        model: Any,
        event: str,
        now: datetime,
        data: dict[str, Any],
        actor: str | None,
        error: InvalidTransition,
    ) -> None:
        """The bound machine refuses the event too, with the same error type, unchanged."""
        bound = self._bound(model)
        kept = bound.aggregate
        with pytest.raises(InvalidTransition) as refused:
            bound.fire(event, now=now, actor=actor, **data)
        assert type(refused.value) is type(error), (refused.value, error)
        assert bound.aggregate is kept

    def teardown(self) -> None:
        """The model and its history survive JSON and replay to the same model."""
        if self.model is not None:
            cls = type(self.model)
            restored = cls.model_validate_json(self.model.model_dump_json())
            assert restored == self.model
            assert replay(self.initial, restored.history[len(self.initial.history) :]) == (
                self.model
            )
        super().teardown()


class PaymentRun(AgreesWithBoundMachine, stateful.PaymentLifecycleMachine):
    def check(self, model: Payment) -> None:
        """A captured payment has no succeeded refund (it would be partially refunded)."""
        if model.status.value == "captured":
            assert not any(r.status is RefundStatus.SUCCEEDED for r in model.refunds)


class RefundRun(AgreesWithBoundMachine, stateful.RefundLifecycleMachine):
    pass


class DisputeRun(AgreesWithBoundMachine, stateful.DisputeLifecycleMachine):
    pass


class RecoveryRun(AgreesWithBoundMachine, stateful.RecoveryLifecycleMachine):
    pass


class CaseRun(AgreesWithBoundMachine, stateful.CaseLifecycleMachine):
    pass


# Binding python-statemachine is slow: a quarter of the profile's examples (the deep
# profile still scales them).
_PROFILE = settings()
_BOUND = settings(_PROFILE, max_examples=max(20, _PROFILE.max_examples // 4))
TestPaymentLifecycle = stateful.as_test_case(PaymentRun, settings=_BOUND)
TestRefundLifecycle = stateful.as_test_case(RefundRun, settings=_BOUND)
TestDisputeLifecycle = stateful.as_test_case(DisputeRun, settings=_BOUND)
TestRecoveryLifecycle = stateful.as_test_case(RecoveryRun, settings=_BOUND)
TestCaseLifecycle = stateful.as_test_case(CaseRun, settings=_BOUND)
