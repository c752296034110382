"""The unit of work agents handle: a callback, a voicemail or a thread."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, get_type_hints

KINDS = ("callback", "voicemail", "thread")
PENDING = ("waiting", "scheduled", "claimed")
FINAL = ("done", "cancelled")


@dataclass
class WorkItem:
    """One request for a human, ordered by when the customer first asked (acquired_at)."""

    id: str
    kind: str
    channel: str
    lang: str
    acquired_at: float
    natural_key: str
    status: str = "waiting"  # waiting | scheduled | claimed | done | cancelled
    not_before: float = 0.0
    not_after: float = 0.0
    customer: str = ""  # E.164 or channel user id
    intent: str = ""
    summary: str = ""
    call_sid: str = ""
    recording_url: str = ""
    recording_sid: str = ""
    recording_seconds: int = 0
    attempts: int = 0
    created_at: float = 0.0
    updated_at: float = 0.0
    details: dict = field(default_factory=dict)

    def to_hash(self) -> dict[str, str]:
        """Flatten to the strings stored in a Redis hash."""
        return {f.name: _dump(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_hash(cls, h: Mapping[str, str]) -> WorkItem:
        """Rebuild from a Redis hash; fields this code does not know (yet) are ignored."""
        types = get_type_hints(cls)
        return cls(**{f.name: _load(types[f.name], h[f.name]) for f in fields(cls) if f.name in h})


def _dump(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)  # repr round-trips exactly; str() did not on old Pythons
    return str(value)


def _load(kind: type, raw: str) -> Any:
    if kind is dict:
        return json.loads(raw)
    if kind is int:
        return int(float(raw))
    return kind(raw)
