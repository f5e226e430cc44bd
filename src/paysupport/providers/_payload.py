"""Reading provider payloads field by field, with errors that name the field.

Every reader takes the dotted ``path`` of the value inside the payload the caller was given
(``"data.object.amount"``), so a `ProviderPayloadError` always says
where the problem is. Rule codes are stable: ``required``, ``type``, ``format``,
``timezone_aware``, ``currency_known``, ``integer_amount``, ``non_negative``,
``unknown_value``, plus the
model's own rule codes when a model refuses what the payload says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NoReturn

from paysupport.errors import (
    ModelValidationError,
    ProviderPayloadError,
    UnknownCurrency,
    ValidationFailed,
)
from paysupport.money import Money
from paysupport.pan import contains_pan, mask_pans
from paysupport.providers.currency import from_provider_amount

__all__ = [
    "Obj",
    "as_mapping",
    "converting_model_errors",
    "fail",
    "no_pan_id",
]

_MISSING = object()


def fail(field: str, rule: str, message: str) -> NoReturn:
    """Raise the one error type translators raise; card numbers in it are masked."""
    raise ProviderPayloadError(mask_pans(field), rule, mask_pans(message))


def join(prefix: str, key: str) -> str:
    """The dotted path of ``key`` under ``prefix``."""
    return f"{prefix}.{key}" if prefix else key


class Obj:
    """A JSON object of a payload, and its dotted path from the payload's root."""

    __slots__ = ("data", "path")

    def __init__(self, data: object, path: str = "") -> None:
        data = as_mapping(data, path or "__root__")
        self.data: Mapping[str, Any] = data
        self.path = path

    def at(self, key: str) -> str:
        """The dotted path of ``key`` in this object."""
        return join(self.path, key)

    def raw(self, key: str) -> Any:
        """The value of ``key``, or ``None`` when absent."""
        return self.data.get(key)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present with a value other than null."""
        return self.data.get(key) is not None

    def _get(self, key: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                fail(self.at(key), "required", f"{key!r} is required")
            return None
        return value

    # ------------------------------------------------------------------ scalars
    def str_(self, key: str, *, required: bool = True, nonempty: bool = True) -> str:
        """A string field; a card number in it is masked (free text, codes, statuses)."""
        value = self._get(key, True) if required else self.opt_str(key)
        if value is None:
            fail(self.at(key), "required", f"{key!r} is required")
        if not isinstance(value, str):
            fail(self.at(key), "type", f"expected a string, got {type(value).__name__}")
        if nonempty and not value.strip():
            fail(self.at(key), "required", f"{key!r} is empty")
        return mask_pans(value)

    def opt_str(self, key: str) -> str | None:
        """A string field that may be absent or null (an empty string reads as absent)."""
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, str):
            fail(self.at(key), "type", f"expected a string, got {type(value).__name__}")
        return mask_pans(value) if value.strip() else None

    def ident(self, key: str, *, required: bool = True) -> str | None:
        """An identifier; one that holds a card number is refused (``no_full_card_number``)."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            fail(self.at(key), "type", f"expected an id string, got {type(value).__name__}")
        return no_pan_id(value, self.at(key))

    def int_(self, key: str) -> int:
        """An integer field (booleans and floats are refused)."""
        value = self._get(key, True)
        return self._check_int(key, value)

    def opt_int(self, key: str) -> int | None:
        """An integer field that may be absent or null."""
        value = self._get(key, False)
        return None if value is None else self._check_int(key, value)

    def _check_int(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail(self.at(key), "type", f"expected an integer, got {type(value).__name__}")
        return value

    def amount_int(self, key: str, *, required: bool = True) -> int | None:
        """A non-negative integer amount in the provider's units (negative is refused)."""
        value = self.int_(key) if required else self.opt_int(key)
        if value is not None and value < 0:
            fail(self.at(key), "non_negative", f"{key!r} cannot be negative: {value}")
        return value

    def bool_(self, key: str, *, default: bool | None = None) -> bool:
        """A JSON boolean field; ``default`` when absent (required when ``default`` is None)."""
        value = self._get(key, default is None)
        if value is None:
            assert default is not None
            return default
        if not isinstance(value, bool):
            fail(self.at(key), "type", f"expected true or false, got {type(value).__name__}")
        return value

    def opt_bool(self, key: str) -> bool | None:
        """A JSON boolean field, or ``None`` when absent or null (unknown, not false)."""
        return self.bool_(key) if self.raw(key) is not None else None

    def str_bool(self, key: str) -> bool:
        """Adyen's booleans: the strings ``"true"`` / ``"false"`` (case-insensitive)."""
        value = self._get(key, True)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        fail(self.at(key), "type", f'expected "true" or "false", got {type(value).__name__}')

    # ------------------------------------------------------------------ structures
    def obj(self, key: str) -> Obj:
        """A nested object field."""
        return Obj(self._get(key, True), self.at(key))

    def opt_obj(self, key: str) -> Obj | None:
        """A nested object field that may be absent or null."""
        value = self._get(key, False)
        return None if value is None else Obj(value, self.at(key))

    def list_(self, key: str) -> list[Any]:
        """A list field; absent or null reads as empty."""
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            fail(self.at(key), "type", f"expected a list, got {type(value).__name__}")
        return list(value)

    def id_of(self, key: str, *, required: bool = True) -> str | None:
        """An id field that Stripe may expand into an object (then its ``id``)."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, Mapping):
            return Obj(value, self.at(key)).req_ident("id")
        if not isinstance(value, str) or not value.strip():
            fail(self.at(key), "type", f"expected an id string, got {type(value).__name__}")
        return no_pan_id(value, self.at(key))

    def req_ident(self, key: str) -> str:
        """A required identifier (see `ident`)."""
        value = self.ident(key)
        assert value is not None
        return value

    def str_map(self, key: str) -> dict[str, str]:
        """A string-to-string map (Stripe ``metadata``); absent or null reads as empty."""
        value = self._get(key, False)
        if value is None:
            return {}
        o = Obj(value, self.at(key))
        out: dict[str, str] = {}
        for k, v in o.data.items():
            if not isinstance(k, str) or not isinstance(v, str):
                fail(o.at(str(k)), "type", "metadata keys and values must be strings")
            out[no_pan_id(k, o.at(k))] = mask_pans(v)
        return out

    # ------------------------------------------------------------------ time and money
    def epoch(self, key: str) -> datetime:
        """A Unix timestamp in seconds, as an aware UTC datetime."""
        value = self.int_(key)
        return epoch_to_datetime(value, self.at(key))

    def iso_datetime(self, key: str, *, required: bool = True) -> datetime | None:
        """An ISO 8601 timestamp with an offset; a naive one is refused.

        The text becomes a datetime, never stored: it is not masked on the way in (a value
        that does not parse is reported through `fail`, which masks it).
        """
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            fail(self.at(key), "type", f"expected an ISO 8601 string, got {type(value).__name__}")
        if not value.strip():
            if required:
                fail(self.at(key), "required", f"{key!r} is empty")
            return None
        return parse_iso(value, self.at(key))

    def money(
        self, amount_key: str, currency_key: str, provider: str, *, holder: Obj | None = None
    ) -> Money:
        """An integer amount in the provider's units and its currency, as ISO-unit Money.

        ``holder`` is the object holding the currency when it is not this one.
        """
        cur_obj = holder or self
        code = cur_obj.str_(currency_key)
        minor = self.int_(amount_key)
        return read_money(minor, code, provider, self.at(amount_key), cur_obj.at(currency_key))


def no_pan_id(value: str, field: str) -> str:
    """``value`` unless it holds a full card number, which an identifier must never be."""
    if contains_pan(value):
        fail(field, "no_full_card_number", "an identifier must not hold a card number")
    return value


def as_mapping(data: object, field: str) -> Mapping[str, Any]:
    """``data`` as a mapping: a ``Mapping`` as is, or what its ``to_dict()`` returns.

    stripe-python hands hosts ``stripe.Event`` / ``stripe.Charge`` objects (``StripeObject``,
    not a ``dict``); their ``to_dict()`` is the parsed JSON, recursively.
    """
    if isinstance(data, Mapping):
        return data
    to_dict = getattr(data, "to_dict", None)
    if callable(to_dict):
        try:
            converted = to_dict()
        except Exception as exc:  # the object's own code: report it typed, never raw
            fail(field, "type", f"{type(data).__name__}.to_dict() failed: {type(exc).__name__}")
        if isinstance(converted, Mapping):
            return converted
    fail(field, "type", f"expected an object, got {type(data).__name__}")


def epoch_to_datetime(value: int, field: str) -> datetime:
    """Read epoch seconds as an aware UTC datetime."""
    if value < 0:
        fail(field, "format", f"a timestamp cannot be negative: {value}")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        fail(field, "format", f"{value} is not a valid timestamp")


def parse_iso(value: str, field: str) -> datetime:
    """Read an ISO 8601 timestamp that carries an offset (``Z`` or ``+01:00``)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(field, "format", f"{value!r} is not an ISO 8601 timestamp")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        fail(field, "timezone_aware", f"{value!r} has no UTC offset")
    return parsed


def read_money(
    minor: object, code: str, provider: str, amount_field: str, currency_field: str
) -> Money:
    """Money from a provider's integer and currency code, naming the right field on error."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        fail(amount_field, "type", f"expected an integer amount, got {type(minor).__name__}")
    if minor < 0:
        fail(amount_field, "non_negative", f"an amount cannot be negative: {minor}")
    try:
        return from_provider_amount(minor, code, provider, field=amount_field)
    except UnknownCurrency as exc:
        fail(currency_field, "currency_known", exc.message)


@contextmanager
def converting_model_errors(fields: Mapping[str, str], default: str) -> Iterator[None]:
    """Turn a model's refusal into a ProviderPayloadError naming the payload field.

    ``fields`` maps a model field (the first part of the violation's dotted path) to the
    payload path it was read from; anything unmapped is reported at ``default``.
    """
    try:
        yield
    except ModelValidationError as exc:
        first = exc.violations[0]
        head = first.field.split(".", 1)[0]
        where = fields.get(first.field) or fields.get(head) or default
        detail = "; ".join(str(v) for v in exc.violations)
        message = mask_pans(f"{exc.model} refused it: {detail}")
        raise ProviderPayloadError(mask_pans(where), first.rule, message) from None
    except ValidationFailed as exc:
        if isinstance(exc, ProviderPayloadError):
            raise
        where = fields.get(exc.field) or default
        raise ProviderPayloadError(mask_pans(where), exc.rule, mask_pans(exc.message)) from None
