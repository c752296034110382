"""Hand-overs: the holder transfers an item to a colleague or a team with a note; a supervisor assigns any item.

Every check runs before anything is written, so a refused hand-over changes nothing; the move itself is one
Lua script (claims.py: transfer_team, transfer_agent, assign). The note also goes to the item's internal
notes (notes.py), so whoever opens the item reads why it came to them.
"""
from __future__ import annotations

from social_bridge.queue.claims import Claims, NotClaimable, StaleFence
from social_bridge.queue.notes import MAX_NOTE, Notes
from social_bridge.queue.work_item import FINAL, WorkItem
from social_bridge.queue.work_queue import ITEM_ID


class HandoverRefused(ValueError):
    """A hand-over that cannot happen: `code` names why (the console words it), `status` is the HTTP answer."""

    def __init__(self, code: str, status: int, message: str):
        super().__init__(message)
        self.code, self.status = code, status


class Handovers:
    """Transfers and assignments, checked against the agents and teams that exist."""

    def __init__(self, claims: Claims, agents, notes: Notes, teams, capacity=None):
        self.claims, self.agents, self.notes, self.teams = claims, agents, notes, teams
        self.capacity = capacity  # social_bridge.queue.capacity.Capacity: a colleague takes only what they have room for

    def transfer(self, item_id: str, by, to_agent: str = "", to_team: str = "", note: str = "") -> WorkItem:
        """`by` (an Agent) holds the item and hands it to `to_agent` or to `to_team`."""
        if bool(to_agent) == bool(to_team):
            raise HandoverRefused("no_target", 400, "name either a colleague (to_agent) or a team (to_team)")
        note = _note(note)
        item = self._pending(item_id)
        if item.status != "claimed" or item.claimed_by != by.id or item.lease_until <= self.claims.clock():
            raise HandoverRefused("not_holder", 403, "only the agent holding the item can transfer it")
        if to_agent:
            self._has_room(self._receiver(to_agent, by), item)
        elif self.teams.get(to_team) is None:
            raise HandoverRefused("unknown_team", 400,
                                  f"unknown team {to_team!r}; the teams are {', '.join(self.teams.ids())}")
        try:
            moved = (self.claims.transfer_to_agent(item.id, item.fence, to_agent, note).item if to_agent
                     else self.claims.transfer_to_team(item.id, item.fence, to_team, note))
        except (StaleFence, NotClaimable) as exc:  # the lease ran out (or the item moved) between check and move
            raise HandoverRefused("not_holder", 409, f"the item moved before the transfer: {exc}") from None
        self._remember(moved, by, note)
        return moved

    def assign(self, item_id: str, by, to_agent: str, note: str = "") -> WorkItem:
        """A supervisor gives a waiting, scheduled or claimed item to `to_agent`."""
        if not by.is_supervisor:
            raise HandoverRefused("not_supervisor", 403, "only supervisors assign items")
        note = _note(note)
        item = self._pending(item_id)
        receiver = self._receiver(to_agent, None)
        if item.status == "claimed" and item.claimed_by == receiver.id and item.lease_until > self.claims.clock():
            raise HandoverRefused("already_theirs", 409, f"{receiver.name} already holds this item")
        self._has_room(receiver, item)
        try:
            moved = self.claims.assign(item.id, receiver.id, by.id, note).item
        except NotClaimable as exc:
            raise HandoverRefused("final", 409, f"the item cannot be assigned now: {exc}") from None
        self._remember(moved, by, note)
        return moved

    def _pending(self, item_id: str) -> WorkItem:
        item = self._get(item_id)
        if item is None:
            raise HandoverRefused("unknown_item", 404, f"no item with id {item_id!r}")
        if item.status in FINAL:
            raise HandoverRefused("final", 409, f"the item is {item.status}: it can no longer be handed over")
        return item

    def _get(self, item_id: str) -> WorkItem | None:
        plain = isinstance(item_id, str) and ITEM_ID.fullmatch(item_id)  # ids come from URLs
        h = self.claims.redis.hgetall(self.claims.keys.item(item_id)) if plain else {}
        return WorkItem.from_hash(h) if h else None

    def _receiver(self, agent_id: str, by):
        receiver = self.agents.get(agent_id) if isinstance(agent_id, str) and agent_id else None
        if receiver is None or getattr(receiver, "disabled", False):
            raise HandoverRefused("unknown_agent", 400, f"no agent with id {agent_id!r}")
        if by is not None and receiver.id == by.id:
            raise HandoverRefused("same_agent", 400, "you already hold this item: name a colleague")
        return receiver

    def _has_room(self, receiver, item: WorkItem) -> None:
        """The receiver's capacity holds for a hand-over as for take-next: a pause or a full hand refuses it."""
        room = self.capacity.room(receiver.id, (item.kind,)) if self.capacity is not None else None
        if room is not None and room.full:
            why = "is on a break" if room.reason == "paused" else "holds as much as they can at once"
            raise HandoverRefused("receiver_paused" if room.reason == "paused" else "receiver_full", 409,
                                  f"{receiver.name} {why}: choose someone else or a team")

    def _remember(self, item: WorkItem, by, note: str) -> None:
        if note:
            self.notes.add(item.id, by.id, note)


def _note(note) -> str:
    if note is not None and not isinstance(note, str):
        raise HandoverRefused("bad_note", 400, "the note must be text")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise HandoverRefused("bad_note", 400, f"the note is too long: at most {MAX_NOTE} characters")
    return note


HANDED_SHOWN_SECONDS = 600  # a hand-over older than this is no news on the receiver's console


def handed_over(items, names: dict, now: float) -> list[dict]:
    """The claims that began with a hand-over (transfer or assign), recent ones, for the receivers' consoles."""
    return [{"item_id": i.id, "to": i.claimed_by, "by": i.handed_by, "by_name": names.get(i.handed_by, i.handed_by),
             "note": i.handed_note, "at": i.handed_at}
            for i in items if i.status == "claimed" and i.handed_by and now - i.handed_at < HANDED_SHOWN_SECONDS]
