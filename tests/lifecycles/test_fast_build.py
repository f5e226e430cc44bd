"""``fire`` builds the next model on the fast path (`PaysupportModel.evolve_trusted`).

The engine copies its own values (state fields from the compiled table, the history entry,
the version), validates the effect's changes, and re-runs only the model rules that read a
changed field. Each accepted event must give exactly the model a full validation of all
its fields gives; each event refused for a model rule must be one a full validation
refuses, naming the same rules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Self

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statemachine import State

from paysupport.errors import DeadlinePassed, InvalidTransition, ModelValidationError
from paysupport.lifecycles import dispute, payment, refund
from paysupport.lifecycles._engine import MODEL_RULE, Lifecycle, LifecycleMachine, stringify
from paysupport.models import Dispute, LifecycleEvent, PaysupportModel
from paysupport.models._base import _violations, model_rule, rule_error
from paysupport.testing import strategies as gen
from tests.lifecycles._support import at


def full_validation(cls: Any, data: Any) -> Any:
    """``cls`` validated from ``data`` by its full pydantic schema (no fast path)."""
    try:
        return cls.__pydantic_validator__.validate_python(data)
    except pydantic.ValidationError as exc:
        raise ModelValidationError(cls.__name__, _violations(exc)) from None


_DATA: dict[str, st.SearchStrategy[Any]] = {
    "due_by": st.sampled_from(["2026-12-30T00:00:00+00:00", "2026-11-01T00:00:00+00:00"]),
    "reason_code": st.sampled_from(["13.1", " 10.4", "4853", "4808", "c08", "99.9"]),
    "stage": st.sampled_from(["chargeback", "pre_arbitration", "arbitration"]),
    "status": st.sampled_from(["needs_response", "under_review"]),
    "amount": st.sampled_from(["0.01 EUR", "5.00 EUR", "100000.00 EUR", "5.00 USD"]),
    "refund_id": st.sampled_from(["re_a", "re_b"]),
    "capture_id": st.sampled_from(["cap_a", "cap_b"]),
    "approver": st.sampled_from(["op_1", "op_2"]),
    "failure_reason": st.sampled_from(["declined", "unknown"]),
    "provider_status": st.sampled_from(["failed", "succeeded"]),
}


def _full(model: Any, fields: dict[str, Any]) -> Any:
    data = {name: getattr(model, name) for name in type(model).model_fields}
    data.update(fields)
    return full_validation(type(model), data)


STATS = {"accepted": 0}


def _fire(
    lc: Lifecycle[Any], model: Any, event: str, now: Any, actor: Any, values: dict[str, str]
) -> tuple[Any, InvalidTransition | None]:
    try:
        return lc.fire(model, event, now=now, actor=actor, **values), None
    except InvalidTransition as exc:
        return None, exc


def _broken(model: Any, fields: dict[str, Any]) -> set[str]:
    try:
        _full(model, fields)
    except ModelValidationError as exc:
        return {v.rule for v in exc.violations}
    return set()


def _run(lc: Lifecycle[Any], model: Any, data: st.DataObject) -> None:
    now = model.history[-1].at if model.history else data.draw(st.just(gen.DEFAULT_NOW))
    for _ in range(data.draw(st.integers(1, 6))):
        now = now + timedelta(hours=data.draw(st.integers(0, 24 * 40)))
        keys = data.draw(st.lists(st.sampled_from(sorted(_DATA)), max_size=3, unique=True))
        values = stringify({k: data.draw(_DATA[k]) for k in keys})
        actor = data.draw(st.sampled_from([None, "op_1", "op_2"]))
        allowed = lc.allowed_events(model, now=now, actor=actor, **values)
        event = data.draw(st.sampled_from(allowed or lc.events))
        try:
            tr, changes = lc.step(model, event, now, values, actor)
        except (InvalidTransition, DeadlinePassed):
            continue  # refused before anything is built: not this test's concern
        fired, refusal = _fire(lc, model, event, now, actor, values)
        if refusal is not None:
            assert refusal.code == MODEL_RULE, refusal
            broken = _broken(model, {**tr.changes, **changes})
            assert broken, f"fire refused what a full validation accepts: {refusal}"
            assert all(rule in str(refusal) for rule in broken), (refusal, broken)
            continue
        STATS["accepted"] += 1
        full = _full(
            model,
            {
                **tr.changes,
                **changes,
                "history": fired.history,
                "version": model.version + 1,
            },
        )
        assert fired == full
        assert repr(fired) == repr(full)
        model = fired


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@_SETTINGS
@given(data=st.data())
def test_dispute_fire_agrees_with_full_validation(data: st.DataObject) -> None:
    _run(dispute, data.draw(gen.disputes()), data)


@_SETTINGS
@given(data=st.data())
def test_payment_fire_agrees_with_full_validation(data: st.DataObject) -> None:
    _run(payment, data.draw(gen.payments()), data)


@_SETTINGS
@given(data=st.data())
def test_refund_fire_agrees_with_full_validation(data: st.DataObject) -> None:
    _run(refund, data.draw(gen.refunds()), data)


# --------------------------------------------------------------------------- decided rules
class Job(PaysupportModel):
    """A model whose rules read only its state: one refuses a state, one writes a field."""

    status: str = "open"
    label: str = "OPEN"
    history: tuple[LifecycleEvent, ...] = ()
    version: int = 0

    @model_rule
    def _not_stuck(self) -> Self:
        if self.status == "stuck":
            raise rule_error("status", "not_stuck", "a job cannot be stuck")
        return self

    @model_rule
    def _label_follows_status(self) -> Self:
        object.__setattr__(self, "label", self.status.upper())
        return self


class JobMachine(LifecycleMachine):
    open = State("Open", value="open", initial=True)
    done = State("Done", value="done", final=True)
    stuck = State("Stuck", value="stuck", final=True)
    finish = open.to(done)
    jam = open.to(stuck)
    lifecycle_name = "job"


JOBS: Lifecycle[Job] = Lifecycle(JobMachine)


def test_rules_decided_by_the_state_run_until_they_pass_and_change_nothing() -> None:
    # Every fire gives what a full validation gives: a rule reading only the state that
    # refuses it refuses every time; one that writes a field keeps running.
    for _ in range(3):
        done = JOBS.fire(Job(), "finish", now=at(1))
        assert done.label == "DONE"
        assert done == _full(Job(), {"status": "done", "history": done.history, "version": 1})
        with pytest.raises(InvalidTransition) as caught:
            JOBS.fire(Job(), "jam", now=at(1))
        assert caught.value.code == MODEL_RULE
        assert "not_stuck" in str(caught.value)


def test_models_given_other_fields_keep_their_own_through_one_transition() -> None:
    # A kept step remembers the fields-set it last saw: disputes given other fields, taking
    # turns through one transition, each end with theirs plus what the event writes.
    base = {
        "id": "dp_1",
        "payment_id": "pay_1",
        "network": "visa",
        "reason_code": "13.1",
        "amount": "25.00 EUR",
        "opened_at": at(0),
        "due_by": at(30 * 24),
    }
    bare = dispute.fire(Dispute(**base), "submit_evidence", now=at(1)).model_fields_set
    noted = Dispute(**base, note="called the bank")
    for model in (Dispute(**base), noted, Dispute(**base), noted):
        moved = dispute.fire(model, "submit_evidence", now=at(1))
        written = {"stage", "status", "history", "version", "evidence_submitted_at"}
        assert moved.model_fields_set == model.model_fields_set | written
        assert ("note" in moved.model_fields_set) is (model is noted)
        assert moved == _full(model, {"status": moved.status, **_written(moved)})
    assert bare == set(base) | {"stage", "status", "history", "version", "evidence_submitted_at"}


def _written(moved: Any) -> dict[str, Any]:
    return {
        "history": moved.history,
        "version": moved.version,
        "evidence_submitted_at": moved.evidence_submitted_at,
    }
