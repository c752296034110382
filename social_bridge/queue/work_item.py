"""The unit of work agents handle: a callback, a voicemail or a thread."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Mapping, get_type_hints

KINDS = ("callback", "voicemail", "thread")
PENDING = ("waiting", "scheduled", "claimed")
FINAL = ("done", "cancelled", "dead")


@dataclass
class WorkItem:
    """One request for a human, ordered by when the customer first asked (acquired_at)."""

    id: str
    kind: str
    channel: str
    lang: str
    acquired_at: float
    natural_key: str
    status: str = "waiting"  # waiting | scheduled | claimed | done | cancelled | dead
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
    # The claim (see claims.py); fence is the token of the last claim, kept after it ends.
    claimed_by: str = ""
    fence: int = 0
    lease_until: float = 0.0
    claimed_at: float = 0.0
    outcome: str = ""
    dead_reason: str = ""
    case_number: str = ""  # the number the customer quotes (social_bridge/customers/cases.py); kept on merges
    complaint: bool = False  # the customer voiced a grievance (the classifier's complaint flag): shown to agents
    team: str = ""  # the team serving it first (teams.py): from its intent at enqueue, or a transfer; "" = everyone's
    # the hand-over (a transfer or a supervisor's assign, claims.py) that led here: who, the note, when;
    # cleared by the next claim, so on a claimed item they say the claim came by hand-over
    handed_by: str = ""
    handed_note: str = ""
    handed_at: float = 0.0

    def to_hash(self) -> dict[str, str]:
        """Flatten to the strings stored in a Redis hash."""
        return {f.name: _dump(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_hash(cls, h: Mapping[str, str]) -> WorkItem:
        """Rebuild from a Redis hash; fields this code does not know (yet) are ignored."""
        types = _field_types(cls)
        return cls(**{name: _load(kind, h[name]) for name, kind in types.items() if name in h})


@lru_cache(maxsize=None)
def _field_types(cls: type) -> dict[str, type]:
    """Field name -> type, resolved once: get_type_hints evaluates every annotation string per call."""
    hints = get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


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
    if kind is bool:  # stored as str(True) / str(False): bool("False") would be True
        return raw == "True"
    return kind(raw)
