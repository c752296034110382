"""How much one agent may hold at once: up to `max_threads` written threads and one voice item.

A callback or a voicemail needs the agent's voice and attention, so one at a time; threads are written
and wait for the customer between messages, so an agent can keep a few open. Take-next (console and API)
asks `room()` first and passes the kinds still open to `Claims.claim_next(kinds=...)`: a full agent
claims nothing. An agent in a pause (Presence.PAUSES) takes nothing at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from social_bridge.queue.work_item import KINDS

VOICE = ("callback", "voicemail")  # one at a time
WRITTEN = ("thread",)              # up to max_threads at a time


@dataclass(frozen=True)
class Room:
    """What an agent may still take. reason when nothing: paused | full | threads_full | voice_busy;
    limited: why the kinds left out are (threads_full | voice_busy), also when some are still open."""

    kinds: tuple[str, ...]
    threads: int
    voice: int
    max_threads: int
    reason: str = ""
    limited: str = ""

    @property
    def full(self) -> bool:
        return not self.kinds

    def claim_kinds(self) -> tuple[str, ...] | None:
        """What to pass to claim_next: None when every kind is open (no filter at all)."""
        return None if set(self.kinds) == set(KINDS) else self.kinds


class Capacity:
    """Counts an agent's live claims (Claims.claimed_by) against the limits."""

    def __init__(self, claims, presence=None, max_threads: int = 3, max_voice: int = 1):
        if max_threads < 1 or max_voice < 1:
            raise ValueError("max_threads and max_voice must be at least 1")
        self.claims, self.presence, self.max_threads, self.max_voice = claims, presence, max_threads, max_voice

    def room(self, agent_id: str, kinds: tuple[str, ...] | None = None) -> Room:
        """The kinds (among `kinds`, default all) this agent may take one more of now."""
        wanted = tuple(kinds or KINDS)
        held = [c.item.kind for c in self.claims.claimed_by(agent_id)]
        threads = sum(1 for kind in held if kind in WRITTEN)
        voice = sum(1 for kind in held if kind in VOICE)
        if self.presence is not None and self.presence.paused(agent_id):
            return Room((), threads, voice, self.max_threads, "paused")
        open_kinds = tuple(k for k in wanted if (k in WRITTEN and threads < self.max_threads)
                           or (k in VOICE and voice < self.max_voice))
        closed = tuple(k for k in wanted if k not in open_kinds)
        return Room(open_kinds, threads, voice, self.max_threads, "" if open_kinds else _why(wanted),
                    _why(closed) if closed else "")

    def may_take(self, agent_id: str, kind: str) -> Room:
        """Room for one item of this kind (a supervisor picking a given item)."""
        return self.room(agent_id, (kind,))


def _why(wanted: tuple[str, ...]) -> str:
    """Nothing wanted is open: every wanted kind is at its limit."""
    written, voice = any(k in WRITTEN for k in wanted), any(k in VOICE for k in wanted)
    return "full" if written and voice else ("threads_full" if written else "voice_busy")
