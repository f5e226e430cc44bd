"""Diagrams drawn from the compiled lifecycles: Mermaid text and Graphviz DOT.

The table a lifecycle compiles from its machine class is the only input, so a diagram
cannot drift from the code. Transitions between the same two states are drawn as one arrow
listing their events (``event [guard, guard]``). The dispute lifecycle is too large to read
as one picture: `render` draws it as a stage-level overview (``stage=None``), one
picture per stage (``stage="chargeback"``: the stage's statuses, with the other stages
collapsed into one box each), or whole (``stage="all"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from paysupport.errors import ValidationFailed
from paysupport.lifecycles._engine import CompiledTransition, Lifecycle
from paysupport.networks import DisputeStage

__all__ = ["FORMATS", "render"]

#: The text formats `render` writes.
FORMATS = ("mermaid", "dot")

_STAGES = {s.value: s for s in DisputeStage}


@dataclass
class _Graph:
    """Nodes (id -> label), the initial and final ones, and merged labelled edges."""

    name: str
    nodes: dict[str, str] = field(default_factory=dict)
    initial: list[str] = field(default_factory=list)
    final: list[str] = field(default_factory=list)
    edges: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def edge(self, source: str, target: str, label: str) -> None:
        labels = self.edges.setdefault((source, target), [])
        if label not in labels:
            labels.append(label)


def _node_id(value: str) -> str:
    return value.replace(":", "_").replace("-", "_")


def _label(tr: CompiledTransition, guards: bool = True) -> str:
    names = [g.__name__ for g in tr.guards]
    return f"{tr.event} [{', '.join(names)}]" if guards and names else tr.event


def _state_labels(lc: Lifecycle[Any]) -> dict[str, str]:
    return {str(s.value): str(s.name) for s in lc.machine_class.states}


def _whole(lc: Lifecycle[Any]) -> _Graph:
    g = _Graph(lc.name)
    labels = _state_labels(lc)
    for value in lc.states:
        g.nodes[_node_id(value)] = labels[value]
    if lc.initial_state is not None:
        g.initial.append(_node_id(lc.initial_state))
    g.final.extend(_node_id(v) for v in lc.states if v in lc.terminal_states)
    for tr in lc.transitions():
        g.edge(_node_id(tr.source), _node_id(tr.target), _label(tr))
    return g


def _stage_of(value: str) -> str:
    return value.split(":", 1)[0]


def _stage_title(stage: str) -> str:
    return stage.replace("_", "-").capitalize()


def _overview(lc: Lifecycle[Any]) -> _Graph:
    g = _Graph(f"{lc.name}_stages")
    statuses: dict[str, list[str]] = {}
    for value in lc.states:
        stage, status = value.split(":", 1)
        statuses.setdefault(stage, []).append(status.replace("_", " "))
    for stage, names in statuses.items():
        g.nodes[stage] = f"{_stage_title(stage)}: {', '.join(names)}"
    g.initial.extend(["inquiry", "chargeback"])
    for tr in lc.transitions():
        a, b = _stage_of(tr.source), _stage_of(tr.target)
        if a != b:
            g.edge(a, b, tr.event)
    for value in lc.states:
        if value in lc.terminal_states:
            g.edge(_stage_of(value), "[*]", "")
    return g


def _one_stage(lc: Lifecycle[Any], stage: str) -> _Graph:
    g = _Graph(f"{lc.name}_{stage}")
    labels = _state_labels(lc)
    mine = [v for v in lc.states if _stage_of(v) == stage]
    for value in mine:
        g.nodes[_node_id(value)] = labels[value].split(": ", 1)[-1].capitalize()
    if stage in ("inquiry", "chargeback"):
        g.initial.append(_node_id(f"{stage}:needs_response"))
    g.final.extend(_node_id(v) for v in mine if v in lc.terminal_states)
    for tr in lc.transitions():
        a, b = _stage_of(tr.source), _stage_of(tr.target)
        if a == stage and b == stage:
            g.edge(_node_id(tr.source), _node_id(tr.target), _label(tr))
        elif a == stage:
            g.nodes.setdefault(b, f"{_stage_title(b)} stage")
            g.edge(_node_id(tr.source), b, tr.event)
        elif b == stage:
            g.nodes.setdefault(a, f"{_stage_title(a)} stage")
            g.edge(a, _node_id(tr.target), tr.event)
    return g


# ---------------------------------------------------------------------- writers
def _mermaid(g: _Graph) -> str:
    lines = ["stateDiagram-v2", "    direction TB"]
    lines += [f'    state "{label}" as {node}' for node, label in g.nodes.items()]
    lines += [f"    [*] --> {node}" for node in g.initial]
    lines += [f"    {node} --> [*]" for node in g.final]
    for (a, b), labels in g.edges.items():
        text = " / ".join(x for x in labels if x)  # Mermaid ends a statement at ";"
        lines.append(f"    {a} --> {b}" + (f" : {text}" if text else ""))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _dot(g: _Graph) -> str:
    lines = [
        f"digraph {g.name} {{",
        "    rankdir=TB;",
        '    node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    if g.initial:
        lines.append('    __start [shape=point, width=0.15, label=""];')
    if any(b == "[*]" for _, b in g.edges):
        lines.append('    __end [shape=doublecircle, width=0.12, label=""];')
    for node, label in g.nodes.items():
        extra = ", peripheries=2" if node in g.final else ""
        lines.append(f"    {node} [label={_quote(label)}{extra}];")
    lines += [f"    __start -> {node};" for node in g.initial]
    for (a, b), labels in g.edges.items():
        text = "\n".join(x for x in labels if x)
        target = "__end" if b == "[*]" else b
        lines.append(f"    {a} -> {target}" + (f" [label={_quote(text)}];" if text else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(lc: Lifecycle[Any], fmt: str = "mermaid", stage: str | None = None) -> str:
    """Draw a compiled lifecycle as Mermaid ``stateDiagram-v2`` text or Graphviz DOT.

    Args:
        lc: the lifecycle.
        fmt: ``"mermaid"`` or ``"dot"``.
        stage: dispute lifecycle only: ``None`` for the stage-level overview, a stage name
            (``"chargeback"``) for that stage, ``"all"`` for every state at once. Other
            lifecycles are drawn whole and take ``None`` only.

    Raises:
        ValidationFailed: an unknown format (rule ``diagram_format``) or a stage the
            lifecycle does not have (rule ``diagram_stage``).
    """
    if fmt not in FORMATS:
        raise ValidationFailed(
            "format", "diagram_format", f"unsupported diagram format {fmt!r}; use mermaid or dot"
        )
    staged = all(":" in v for v in lc.states)
    if stage is not None and not staged:
        raise ValidationFailed("stage", "diagram_stage", f"the {lc.name} lifecycle has no stages")
    if not staged or stage == "all":
        graph = _whole(lc)
    elif stage is None:
        graph = _overview(lc)
    elif stage in _stages(lc.states):
        graph = _one_stage(lc, stage)
    else:
        known = ", ".join(_stages(lc.states))
        raise ValidationFailed(
            "stage", "diagram_stage", f"unknown stage {stage!r}; known: {known}, all"
        )
    return _mermaid(graph) if fmt == "mermaid" else _dot(graph)


def _stages(states: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(_stage_of(v) for v in states))
