"""The fast validator of a model: its pydantic-core schema, with the card-number scan in Rust.

A full validation of a `PaysupportModel` scans every text field for card numbers in Python
(`paysupport.pan`), model by model. Almost no text can hold one: a card number needs 12
digits joined only by separators. `fast_schema` rewrites a model's core schema so that

- every ``str`` schema also requires `NO_PAN_TEXT` (ASCII text in which no run of digits
  and separators holds 12 digits), checked by pydantic-core's regex engine; and
- every model's card-number validator is replaced by ``fast_after`` (the model's rules
  without the Python scan); and
- a before- or plain-validator function marked with `PASSES_INSTANCES` is not called for
  an instance of the class it names (it would return it as it is).

Validating with that schema either succeeds, and then no text of the result can hold a card
number and every rule held, so the result is what the full validation gives; or it fails
(a broken rule, a bad value, or only a text that *might* hold a card number), and the caller
validates again with the full schema, which gives the exact errors (or masks the text).

`uncovered_text_fields` names a model's text fields whose values might not pass through a
``str`` schema (a plain or wrap validator, an after validator that may build new text, a
default): the fast validator still scans those in Python. Not public: `PaysupportModel`
builds and uses the fast validator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

__all__ = [
    "IDENTIFIER_PATTERN",
    "KEEPS_TEXT",
    "NO_PAN_IDENTIFIER",
    "NO_PAN_TEXT",
    "PASSES_INSTANCES",
    "fast_schema",
    "uncovered_text_fields",
]

# ASCII characters by their part in a card number (as `paysupport.pan` reads ASCII text):
# digits, separators (which join digits into one run) and anything else (which ends a run).
_DIGIT: Final = r"[\x30-\x39]"
_SEPARATOR: Final = r"[\x09-\x0d\x20\x2d-\x2f\x5c\x5f]"
_OTHER: Final = r"[\x00-\x08\x0e-\x1f\x21-\x2c\x3a-\x5b\x5d\x5e\x60-\x7f]"
_RUN: Final = rf"{_SEPARATOR}*(?:{_DIGIT}{_SEPARATOR}*){{0,11}}"

#: A text that cannot hold a card number: ASCII, and every run of digits joined by
#: separators has at most 11 digits (a card number has 12 to 19). Valid for Python's ``re``
#: and Rust's ``regex`` alike.
NO_PAN_TEXT: Final = rf"^{_RUN}(?:{_OTHER}+{_RUN})*$"

# The same parts within printable ASCII without the space (what ``\S`` passes in every
# regex flavour): the separators and the other characters of `NO_PAN_TEXT` minus \x00-\x20
# and \x7f.
_PRINTED_SEPARATOR: Final = r"[\x2d-\x2f\x5c\x5f]"
_PRINTED_OTHER: Final = r"[\x21-\x2c\x3a-\x5b\x5d\x5e\x60-\x7e]"
_PRINTED_RUN: Final = rf"{_PRINTED_SEPARATOR}*(?:{_DIGIT}{_PRINTED_SEPARATOR}*){{0,11}}"

#: `IDENTIFIER_PATTERN` and `NO_PAN_TEXT` in one: printable ASCII without spaces, no run of
#: 12 digits joined by separators. What it passes, both pass (for a text of at least one
#: character); what it refuses goes to the exact checks.
NO_PAN_IDENTIFIER: Final = rf"^{_PRINTED_RUN}(?:{_PRINTED_OTHER}+{_PRINTED_RUN})*$"
#: The pattern of an identifier: one or more characters, none a space (``Identifier``).
IDENTIFIER_PATTERN: Final = r"^\S+$"

#: Mark a function given to ``AfterValidator`` that returns text only from its input (the
#: same strings): the values keep the card-number check of the ``str`` schemas inside.
KEEPS_TEXT: Final = "__paysupport_keeps_text__"

#: Mark a function given to ``BeforeValidator`` (or a plain validator function, such as a
#: class's own ``no_info_plain_validator_function``) that returns an instance of the class
#: named by this attribute as it is (and, before, whose inner schema does too): the fast
#: validator takes such an instance without calling the function.
PASSES_INSTANCES: Final = "__paysupport_passes_instances__"

#: Keys of a schema node (a dict with a "type") that hold no validation: not rewritten.
_SKIP_KEYS: Final = frozenset({"serialization", "metadata", "json_schema_input_schema", "default"})
_FUNCTIONS: Final = frozenset({"function-after", "function-before", "function-wrap"})


def fast_schema(
    schema: Mapping[str, Any],
    is_model_after: Callable[[Any], bool],
    fast_after: Callable[[type | None], Callable[[Any], Any]],
    no_pan: Callable[[str], str] | None,
) -> dict[str, Any]:
    """``schema`` with the card-number check of every text in Rust (see the module docstring).

    Args:
        schema: a model's ``__pydantic_core_schema__``.
        is_model_after: tells the model-level card-number validator among functions.
        fast_after: gives what runs instead of it on each model built, for the model class
            (None when the schema names none).
        no_pan: the exact check of a text that `NO_PAN_TEXT` refuses: returns it when it
            holds no card number, else raises (the full validation then masks or refuses).
            None: texts are left as they are (the input cannot hold a card number).
    """
    out: dict[str, Any] = _rewrite(schema, is_model_after, fast_after, no_pan)
    return out


def _rewrite(node: Any, is_model_after: Callable[[Any], bool], fast_after: Any, no_pan: Any) -> Any:
    if isinstance(node, list):
        return [_rewrite(x, is_model_after, fast_after, no_pan) for x in node]
    if not isinstance(node, dict):
        return node
    skip = _SKIP_KEYS if isinstance(node.get("type"), str) else ()
    out = {
        k: (v if k in skip else _rewrite(v, is_model_after, fast_after, no_pan))
        for k, v in node.items()
    }
    kind = out.get("type")
    if kind == "str" and no_pan is not None:
        return _text(out, no_pan)
    if kind == "function-after" and is_model_after(out["function"]["function"]):
        inner = out.get("schema")
        cls = inner.get("cls") if isinstance(inner, dict) and inner.get("type") == "model" else None
        out["function"] = {"type": "no-info", "function": fast_after(cls)}
    if kind == "function-before" or kind == "function-plain":
        passes = getattr(out["function"]["function"], PASSES_INSTANCES, None)
        if isinstance(passes, type):
            # An instance the function and the inner schema would return as it is.
            ref = out.pop("ref", None)
            instance = {"type": "is-instance", "cls": passes}
            either = {"type": "union", "choices": [instance, out], "mode": "left_to_right"}
            if ref is not None:
                either["ref"] = ref
            return either
    return out


def _text(node: dict[str, Any], no_pan: Callable[[str], str]) -> dict[str, Any]:
    """A ``str`` schema that checks for card numbers: in Rust, else ``no_pan`` in Python."""
    ref = node.pop("ref", None)
    if node.get("pattern") == IDENTIFIER_PATTERN and node.get("min_length", 0) >= 1:
        fast: dict[str, Any] = {**node, "pattern": NO_PAN_IDENTIFIER}  # one regex, not two
    elif "pattern" in node:
        fast = {
            "type": "chain",
            "steps": [node, {"type": "str", "pattern": NO_PAN_TEXT}],
        }
    else:
        fast = {**node, "pattern": NO_PAN_TEXT}
    exact = {"type": "function-after", "function": {"type": "no-info", "function": no_pan}}
    exact["schema"] = node
    out: dict[str, Any] = {"type": "union", "choices": [fast, exact], "mode": "left_to_right"}
    if ref is not None:
        out["ref"] = ref
    return out


def uncovered_text_fields(
    schema: Mapping[str, Any], cls: type, text_fields: Mapping[str, Callable[[Any, str], Any]]
) -> frozenset[str]:
    """The fields of ``text_fields`` whose values may skip a ``str`` schema of ``schema``.

    Args:
        schema: the model's ``__pydantic_core_schema__``.
        cls: the model class (its ``model`` schema is the one read).
        text_fields: the fields holding text, with their card-number check (used on
            defaults: a default that the check would change is uncovered).
    """
    refs = dict(_refs(schema))
    model = _model_node(schema, cls, refs)
    if model is None:
        return frozenset(text_fields)
    fields = model["schema"].get("fields", {})
    uncovered = set()
    for name, check in text_fields.items():
        field = fields.get(name)
        if field is None or not _covered(field["schema"], refs) or not _default_ok(field, check):
            uncovered.add(name)
    return frozenset(uncovered)


def _refs(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, list):
        for x in node:
            yield from _refs(x)
    elif isinstance(node, dict):
        is_schema = isinstance(node.get("type"), str)
        if is_schema and isinstance(node.get("ref"), str):
            yield node["ref"], node
        for k, v in node.items():
            if not (is_schema and k in _SKIP_KEYS):
                yield from _refs(v)


def _resolve(node: Any, refs: Mapping[str, dict[str, Any]]) -> Any:
    seen = 0
    while isinstance(node, dict) and node.get("type") == "definition-ref" and seen < 64:
        node = refs.get(node["schema_ref"], {})
        seen += 1
    return node


def _model_node(node: Any, cls: type, refs: Mapping[str, dict[str, Any]]) -> Any:
    """The ``model`` schema of ``cls`` (through definitions and model-level validators)."""
    node = _resolve(node, refs)
    for _ in range(64):
        if not isinstance(node, dict):
            return None
        kind = node.get("type")
        if kind == "model":
            return node if node.get("cls") is cls else None
        if kind == "definitions" or kind in _FUNCTIONS:
            node = _resolve(node["schema"], refs)
        else:
            return None
    return None


def _is_model(node: Any, refs: Mapping[str, dict[str, Any]]) -> bool:
    """Whether ``node`` builds a model (the model checks its own text)."""
    for _ in range(64):
        node = _resolve(node, refs)
        if not isinstance(node, dict):
            return False
        kind = node.get("type")
        if kind == "model":
            return True
        if kind not in _FUNCTIONS:
            return False
        node = node["schema"]
    return False


def _covered(node: Any, refs: Mapping[str, dict[str, Any]]) -> bool:
    """Whether every text ``node`` yields passed a ``str`` schema (and there is one)."""
    found = [False]
    return _walk_covered(node, refs, set(), found) and found[0]


def _walk_covered(
    node: Any, refs: Mapping[str, dict[str, Any]], seen: set[str], found: list[bool]
) -> bool:
    if isinstance(node, list):
        return all(_walk_covered(x, refs, seen, found) for x in node)
    if not isinstance(node, dict):
        return True
    kind = node.get("type")
    if kind == "definition-ref":
        ref = node["schema_ref"]
        if ref in seen:
            return True
        seen.add(ref)
        return _walk_covered(refs.get(ref), refs, seen, found)
    if _is_model(node, refs):
        return True  # a nested model checks its own text
    if kind == "str":
        found[0] = True
    elif kind in ("function-plain", "function-wrap", "any", "callable", "is-instance"):
        return False  # a value that need not pass a str schema
    elif kind == "function-after" and not getattr(node["function"]["function"], KEEPS_TEXT, False):
        return False  # may build new text
    return all(_walk_covered(v, refs, seen, found) for k, v in node.items() if k not in _SKIP_KEYS)


def _default_ok(field: Mapping[str, Any], check: Callable[[Any, str], Any]) -> bool:
    """Whether the field's default (if any) passes the card-number check unchanged."""
    node = field["schema"]
    if node.get("type") != "default":
        return True
    if "default_factory" in node:
        factory = node["default_factory"]
        if node.get("default_factory_takes_data"):
            return False
        try:
            value = factory()
        except Exception:  # a factory we cannot call: scan its values
            return False
    else:
        value = node.get("default")
    if value is None:
        return True
    try:
        return check(value, "") is value
    except Exception:  # the check refused the default: scan it every time
        return False
