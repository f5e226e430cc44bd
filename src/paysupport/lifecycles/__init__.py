"""Lifecycles: what may happen next to each aggregate, as explicit state machines.

Each lifecycle is declared once as a python-statemachine class (``PaymentMachine``,
``RefundMachine``, ``DisputeMachine``, ``RecoveryMachine``, ``CaseMachine``) and compiled
once into a table. Use the compiled objects for work::

    payment = lifecycles.payment.fire(payment, "capture", now=now, amount=Money.of("60", "EUR"))

`Lifecycle.fire` returns a new model (status, history + one event, version + 1) and
leaves the input alone; a refused event raises
[`InvalidTransition`][paysupport.errors.InvalidTransition] (or
`DeadlinePassed`) and changes nothing. `replay` rebuilds a
model from its history. ``Lifecycle.bind(model)`` gives a python-statemachine instance for
notebooks, and `diagram` draws a lifecycle from its compiled definition (Mermaid or
DOT; the dispute lifecycle as a stage overview or one stage at a time).

A refusal's ``code`` says which rule refused (a guard's code such as ``four_eyes`` or
``before_due_by``, or the engine's ``unknown_event``, ``not_allowed``, ``final_state``,
``out_of_order``, ``model_rule``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from paysupport.errors import NotFound
from paysupport.lifecycles._case import REOPEN_WINDOW as REOPEN_WINDOW
from paysupport.lifecycles._case import CaseMachine, case
from paysupport.lifecycles._diagram import render as _render
from paysupport.lifecycles._dispute import (
    DisputeMachine,
    dispute,
    dispute_event_for,
    dispute_state,
)
from paysupport.lifecycles._engine import (
    CompiledTransition,
    Lifecycle,
    LifecycleMachine,
    compiled,
    guard,
)
from paysupport.lifecycles._payment import PaymentMachine, payment
from paysupport.lifecycles._recovery import RecoveryMachine, hard_decline_reason, recovery
from paysupport.lifecycles._refund import RefundMachine, refund, same_person
from paysupport.models.case import SupportCase
from paysupport.models.dispute import Dispute
from paysupport.models.failure import PaymentFailure
from paysupport.models.history import LifecycleEvent
from paysupport.models.payment import Payment
from paysupport.models.refund import Refund

__all__ = [
    "CaseMachine",
    "CompiledTransition",
    "DisputeMachine",
    "Lifecycle",
    "LifecycleMachine",
    "PaymentMachine",
    "RecoveryMachine",
    "RefundMachine",
    "case",
    "compiled",
    "diagram",
    "dispute",
    "dispute_event_for",
    "dispute_state",
    "guard",
    "hard_decline_reason",
    "lifecycle_for",
    "payment",
    "recovery",
    "refund",
    "replay",
    "same_person",
]

#: Every lifecycle by name, in the order the docs present them.
LIFECYCLES: dict[str, Lifecycle[Any]] = {
    "payment": payment,
    "refund": refund,
    "dispute": dispute,
    "recovery": recovery,
    "case": case,
}

_BY_MODEL: dict[type[Any], Lifecycle[Any]] = {
    Payment: payment,
    Refund: refund,
    Dispute: dispute,
    PaymentFailure: recovery,
    SupportCase: case,
}

M = TypeVar("M")


def lifecycle_for(model: Any) -> Lifecycle[Any]:
    """The lifecycle of a model (or model class): ``lifecycle_for(payment) is payment``.

    Raises:
        NotFound: the model is not an aggregate with a lifecycle (field ``model``).
    """
    cls = model if isinstance(model, type) else type(model)
    for klass in cls.__mro__:
        found = _BY_MODEL.get(klass)
        if found is not None:
            return found
    raise NotFound("lifecycle", cls.__name__, "model")


def replay(initial: M, history: Iterable[LifecycleEvent]) -> M:
    """Rebuild a model by firing its recorded events again from ``initial``.

    ``replay(created, model.history) == model`` for any model built by the lifecycles.

    Raises:
        InvalidTransition: an event is refused or lands elsewhere than the history says.
    """
    rebuilt: M = lifecycle_for(initial).replay(initial, history)
    return rebuilt


def diagram(
    lifecycle: str | Lifecycle[Any] | type[LifecycleMachine],
    format: str = "mermaid",
    stage: str | None = None,
) -> str:
    """Draw a lifecycle from its compiled definition: ``format`` ``"mermaid"`` or ``"dot"``.

    Args:
        lifecycle: a name in `LIFECYCLES` (``"dispute"``), a compiled lifecycle, or a
            machine class.
        format: ``"mermaid"`` (``stateDiagram-v2`` text) or ``"dot"`` (Graphviz).
        stage: dispute only: ``None`` for the stage-level overview, a stage
            (``"chargeback"``) for that stage's statuses, ``"all"`` for the whole machine.

    Raises:
        NotFound: no lifecycle of that name.
        ValidationFailed: an unknown format or stage.
    """
    if isinstance(lifecycle, str):
        found = LIFECYCLES.get(lifecycle)
        if found is None:
            raise NotFound("lifecycle", lifecycle, "lifecycle")
        lc = found
    elif isinstance(lifecycle, Lifecycle):
        lc = lifecycle
    else:
        lc = compiled(lifecycle)
    return _render(lc, format, stage)
