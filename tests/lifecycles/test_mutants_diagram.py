"""Diagrams: the Graphviz DOT text in full, and the labels of a stage's statuses.

Written against the mutants that survived ``scripts/mutation.py lifecycles`` (docs/testing.md):
the DOT writer was checked only by its first and last line, and a stage picture only on the
dispute's labels (``"Stage: status"``), where several ways of cutting a label agree.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from statemachine import State

from paysupport.errors import ValidationFailed
from paysupport.lifecycles import LifecycleMachine, compiled, diagram, dispute, guard, payment


@guard()
def checked(model: object, now: datetime, data: object, actor: str | None) -> str | None:
    """Always passes (a named guard for the label)."""
    return None


class Tiny(LifecycleMachine):
    """Three states; two events between the same two states; quotes in a label."""

    a = State('Start "A"', initial=True)
    b = State("Mid\\way")
    c = State("Done", final=True)
    go = a.to(b, cond=checked)
    also = a.to(b)
    end = b.to(c)

    lifecycle_name = "tiny"


def test_the_dot_text_of_a_small_machine() -> None:
    assert diagram(Tiny, "dot") == "\n".join(
        [
            "digraph tiny {",
            "    rankdir=TB;",
            '    node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
            '    edge [fontname="Helvetica", fontsize=10];',
            '    __start [shape=point, width=0.15, label=""];',
            '    a [label="Start \\"A\\""];',
            '    b [label="Mid\\\\way"];',
            '    c [label="Done", peripheries=2];',
            "    __start -> a;",
            '    a -> b [label="go [checked]\\nalso"];',
            '    b -> c [label="end"];',
            "}",
            "",
        ]
    )


def test_the_dot_overview_ends_final_stages_in_one_end_node() -> None:
    lines = diagram("dispute", "dot").splitlines()
    assert '    __end [shape=doublecircle, width=0.12, label=""];' in lines
    assert "    chargeback -> __end;" in lines
    assert "    arbitration -> __end;" in lines
    assert not any(line.startswith("    __end ->") for line in lines)
    prefix = '    chargeback -> pre_arbitration [label="'
    edge = next(line for line in lines if line.startswith(prefix))
    events = edge.removeprefix(prefix).removesuffix('"];').split("\\n")  # one per line
    assert sorted(events) == ["lose", "open_pre_arbitration", "win"]


def test_a_machine_without_final_edges_has_no_end_node() -> None:
    assert "__end" not in diagram(Tiny, "dot")
    assert "__end" not in diagram("payment", "dot")


class Staged(LifecycleMachine):
    """A staged machine (values ``stage:status``) whose labels are not the dispute's."""

    a = State("Stage one: first: step", value="one:a", initial=True)
    b = State("Plain", value="one:b:c", final=True)
    c = State("Two: x", value="two:x-y")
    go = a.to(c)
    back = c.to(b)

    lifecycle_name = "staged"


def test_a_stage_picture_keeps_what_follows_the_first_colon() -> None:
    lines = diagram(Staged, stage="one").splitlines()
    assert '    state "First: step" as one_a' in lines
    assert '    state "Plain" as one_b_c' in lines
    assert "    one_a --> two : go" in lines
    assert "    two --> one_b_c : back" in lines
    assert '    state "Two: x" as two_x_y' in diagram(Staged, stage="all").splitlines()


def test_the_overview_splits_a_state_at_its_first_colon() -> None:
    lines = diagram(Staged).splitlines()
    assert lines[2:4] == ['    state "One: a, b:c" as one', '    state "Two: x-y" as two']
    assert "    one --> [*]" in lines
    assert "    two --> [*]" not in lines  # no final state in stage two
    assert diagram(Staged, "dot").startswith("digraph staged_stages {")
    assert diagram("dispute", "dot").startswith("digraph dispute_stages {")


def test_the_lifecycle_method_draws_mermaid_by_default_and_passes_the_stage() -> None:
    assert payment.diagram() == diagram("payment")
    assert dispute.diagram("mermaid", "chargeback") == diagram("dispute", stage="chargeback")
    assert compiled(Tiny).diagram("dot") == diagram(Tiny, "dot")


def test_diagram_refusals_name_the_field_and_the_rule() -> None:
    with pytest.raises(ValidationFailed) as exc:
        diagram("payment", "svg")
    assert (exc.value.field, exc.value.rule) == ("format", "diagram_format")
    with pytest.raises(ValidationFailed) as exc:
        diagram("payment", stage="chargeback")
    assert (exc.value.field, exc.value.rule) == ("stage", "diagram_stage")
    with pytest.raises(ValidationFailed) as exc:
        diagram("dispute", stage="representment")
    assert (exc.value.field, exc.value.rule) == ("stage", "diagram_stage")
    assert exc.value.message == (
        "unknown stage 'representment'; known: inquiry, chargeback, pre_arbitration, "
        "arbitration, all"
    )
