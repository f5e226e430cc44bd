"""Build any policy (or combination) from a plain dict or a TOML table, and dump it back.

    >>> from paysupport.policies import from_toml, to_dict
    >>> policy = from_toml('''
    ... kind = "route_by_segment"
    ... [default]
    ... kind = "refund_fairness"
    ... [routes.vip]
    ... kind = "refund_fairness"
    ... auto_approve_limit = { EUR = 200000 }
    ... ''')
    >>> to_dict(policy)["routes"]["vip"]["auto_approve_limit"]
    {'EUR': 200000}

An unknown key or a bad value raises :class:`~paysupport.errors.PolicyConfigError` whose
``field`` is the key's dotted path (``routes.vip.auto_approve_limit.EUX``). The host reads the
file; this module only parses the text it is given (``tomllib.loads``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from paysupport.errors import PolicyConfigError

from ._config import kind_registry, load_policy, register_kind

__all__ = ["from_dict", "from_toml", "kind_registry", "register_kind", "to_dict"]


def from_dict(data: Mapping[str, Any]) -> Any:
    """Build the policy a dict describes (its ``kind`` names the class)."""
    return load_policy(data)


def from_toml(text: str, table: str | None = None) -> Any:
    """Build a policy from TOML text (or from its ``table``, a dotted path into it).

    Raises:
        PolicyConfigError: the text is not TOML, the table is missing, or the policy is
            invalid (``field`` names the key).
    """
    try:
        data: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyConfigError("<toml>", "toml_syntax", str(exc)) from None
    path = ""
    if table:
        for part in table.split("."):
            path = f"{path}.{part}" if path else part
            if not isinstance(data, Mapping) or part not in data:
                raise PolicyConfigError(path, "missing_table", f"no table {path!r} in the TOML")
            data = data[part]
    return load_policy(data, path)


def to_dict(policy: Any, *, full: bool = True) -> dict[str, Any]:
    """The policy's plain dict (``full=False`` leaves out parameters at their default)."""
    result: dict[str, Any] = policy.to_dict(full=full) if full is False else policy.to_dict()
    return result
