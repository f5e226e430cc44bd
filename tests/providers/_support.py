from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict[str, Any]:
    """A fixture as a fresh dict (tests may mutate it)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def adyen_item(name: str) -> dict[str, Any]:
    """The first NotificationRequestItem (wrapped) of an Adyen fixture request."""
    item: dict[str, Any] = load(f"adyen/{name}.json")["notificationItems"][0]
    return item


def bare(item: dict[str, Any]) -> dict[str, Any]:
    inner: dict[str, Any] = item["NotificationRequestItem"]
    return inner


def stripe_event(
    event_type: str, obj: dict[str, Any], created: int = 1732500000, previous: Any = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return {
        "id": f"evt_{event_type.replace('.', '_')}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
