"""The base of every model: strict config, typed errors, and PAN-safe text.

pydantic reports problems as ``pydantic.ValidationError``; paysupport turns that into
:class:`~paysupport.errors.ModelValidationError`, which is a ``PaysupportError`` and a
``ValueError``, and names each broken rule by a stable code (``refund_total_exceeds_captured``,
``timezone_aware``, ...) and the field it concerns.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Self

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from paysupport.errors import ModelValidationError, RuleViolation, UnknownCode
from paysupport.networks import Network

__all__ = [
    "Fingerprint",
    "Identifier",
    "NetworkName",
    "PaysupportModel",
    "SafeText",
    "contains_pan",
    "mask_pans",
    "rule_error",
]

#: An identifier: 1–255 printable characters without spaces (ids of the host or a provider).
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^\S+$")]


def rule_error(field: str, rule: str, message: str) -> PydanticCustomError:
    """Build the error a validator raises so the field and the rule's code reach the user.

    ``field`` is relative to the model that raises (``"refunds"``, ``"disputes.0.amount"``).
    """
    return PydanticCustomError(rule, "{message}", {"message": message, "field": field})


def _violations(exc: pydantic.ValidationError) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    for err in exc.errors(include_url=False):
        parts = [str(p) for p in err["loc"]]
        ctx = err.get("ctx") or {}
        nested = ctx.get("error")
        if isinstance(nested, ModelValidationError):
            # A nested model with our __init__ raised already: keep its named rules.
            prefix = ".".join(parts)
            for v in nested.violations:
                field = f"{prefix}.{v.field}" if prefix else v.field
                out.append(RuleViolation(field, v.rule, v.message))
            continue
        if isinstance(ctx.get("field"), str) and ctx["field"]:
            parts.append(ctx["field"])
        loc = ".".join(parts) or "__root__"
        out.append(RuleViolation(loc, str(err["type"]), str(err["msg"])))
    return out


class PaysupportModel(BaseModel):
    """Base model: immutable values, unknown fields refused, typed errors.

    Models are data: a change is a new, validated value (:meth:`evolve`, or a lifecycle
    event), never an assignment. Construction, ``model_validate``, ``model_validate_json``
    and any attempt to assign raise :class:`~paysupport.errors.ModelValidationError`
    (assignment: rule ``frozen_instance``) instead of pydantic's own error.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_assignment=True,
        validate_default=False,
        ser_json_timedelta="iso8601",
        use_enum_values=False,
        revalidate_instances="never",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(type(self).__name__, _violations(exc)) from exc

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate a Python object; raise ``ModelValidationError`` on a broken rule."""
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from exc

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """Validate JSON; raise ``ModelValidationError`` on a broken rule."""
        try:
            return super().model_validate_json(json_data, **options)
        except pydantic.ValidationError as exc:
            raise ModelValidationError(cls.__name__, _violations(exc)) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        # pydantic assigns before its "after" model validators run and does not undo the
        # assignment when they fail; restore the previous state so a rejected assignment
        # changes nothing.
        saved = dict(self.__dict__)
        saved_set = set(self.__pydantic_fields_set__)
        try:
            super().__setattr__(name, value)
        except pydantic.ValidationError as exc:
            self.__dict__.clear()
            self.__dict__.update(saved)
            object.__setattr__(self, "__pydantic_fields_set__", saved_set)
            raise ModelValidationError(type(self).__name__, _violations(exc)) from exc

    def evolve(self, **changes: Any) -> Self:
        """Return a validated copy with ``changes`` applied; ``self`` is left as it was.

        Unlike ``model_copy(update=...)``, every field and cross-field rule is checked again.
        """
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self)(**data)


# --------------------------------------------------------------------------- PAN safety
# 12–19 digits, optionally separated by single spaces or dashes.
_PAN_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ -]?){11,18}\d(?![\d])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _is_pan(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "")
    return 12 <= len(digits) <= 19 and _luhn_ok(digits)


def contains_pan(text: str) -> bool:
    """True if ``text`` holds something that looks like a full card number (Luhn-valid)."""
    return any(_is_pan(m.group(0)) for m in _PAN_CANDIDATE.finditer(text))


def mask_pans(text: str) -> str:
    """Replace every Luhn-valid 12–19 digit run with ``[card ending 1234]``."""

    def _mask(m: re.Match[str]) -> str:
        raw = m.group(0)
        if not _is_pan(raw):
            return raw
        digits = raw.replace(" ", "").replace("-", "")
        return f"[card ending {digits[-4:]}]"

    return _PAN_CANDIDATE.sub(_mask, text)


def _mask_free_text(value: str) -> str:
    return mask_pans(value) if any(c.isdigit() for c in value) else value


def _parse_network(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Network):
        try:
            return Network.parse(value)
        except UnknownCode as exc:
            raise rule_error("", "network_known", str(exc)) from None
    return value


#: A card network, given as the enum or a name or alias (``"mc"``, ``"American Express"``).
NetworkName = Annotated[Network, BeforeValidator(_parse_network)]


def _not_a_pan(value: str) -> str:
    if contains_pan(value):
        raise rule_error("", "no_full_card_number", "a fingerprint must not be a card number")
    return value


#: A PSP's card fingerprint: a stable hash of the card number, never the number itself.
Fingerprint = Annotated[
    str, StringConstraints(min_length=4, max_length=128), AfterValidator(_not_a_pan)
]

#: Free text (notes, descriptions, customer messages). Full card numbers are masked on the
#: way in, so no repr, str or JSON of a model can show one.
SafeText = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_mask_free_text)]
