"""Each call's state in Redis, keyed by CallSid, and the reply given at each step (for replays)."""
from __future__ import annotations


from ivr.call.state import CallState


from ivr.runtime.keys import call_replies as _replies_key, call_seen as _seen_key, call_state as _state_key


# A call's state lives 4 hours past its last step (Twilio's longest call); its CallSid is remembered far
# longer, so a signed webhook recorded from an old call and replayed later starts nothing (no new call, no
# booking): Twilio's signatures do not expire.
SEEN_SECONDS = 30 * 86400


# KEYS: state, replies, seen (one call's hash tag, so Cluster-safe). ARGV: seq, twiml, state json, ttl,
# expected seq ("" = any), seen ttl, the reply of a call that ended long ago.
# Commits only if nobody answered this step yet (and, with an expected seq, the stored state is still at it;
# "-1" expects no stored state). Returns {1, twiml} when committed, {0, reply} when another process already
# answered, {0, false} when the state moved on without answering this step (the caller re-reads and retries),
# {0, ended reply} when the call's state expired but its CallSid was seen: a replay, nothing is written.
_COMMIT_ONCE = """
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {0, existing} end
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[3]) == 1 then return {0, ARGV[7]} end
if ARGV[5] ~= '' then
  local raw = redis.call('GET', KEYS[1])
  local current = -1
  if raw then current = tonumber(cjson.decode(raw)['seq']) end
  if current ~= tonumber(ARGV[5]) then return {0, false} end
end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[6])
return {1, ARGV[2]}
"""


class CallBusy(RuntimeError):
    """The call kept moving under us: a step could not be committed after several tries."""


class CallStore:
    def __init__(self, redis, ttl_seconds: int = 4 * 3600, ended_reply: str = ""):
        self.redis, self.ttl, self.ended_reply = redis, ttl_seconds, ended_reply

    def load(self, sid: str) -> CallState | None:
        raw = self.redis.get(_state_key(sid))
        return CallState.from_json(raw) if raw else None

    def snapshot(self, sid: str, seq: int) -> tuple[CallState | None, str | None]:
        """The call's state and the reply already given to step `seq`, in one round trip."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(_state_key(sid))
        pipe.hget(_replies_key(sid), str(seq))
        raw, cached = pipe.execute()
        return (CallState.from_json(raw) if raw else None), cached

    def commit_once(self, state: CallState, answered_seq: int, twiml: str,
                    expected_seq: int | None = None) -> tuple[bool, str | None]:
        """Saves state and reply unless step `answered_seq` was answered meanwhile.

        Returns (won, the reply that won). With `expected_seq` (-1: no state stored) it also commits only
        while the stored state is still at that step; a None reply means the state moved on without
        answering this step, so re-read and decide again. Only the winner counts its metrics.
        """
        args = [str(answered_seq), twiml, state.to_json(), str(self.ttl),
                "" if expected_seq is None else str(expected_seq), str(SEEN_SECONDS), self.ended_reply]
        won, reply = self._commit_once(keys=[_state_key(state.sid), _replies_key(state.sid), _seen_key(state.sid)],
                                       args=args)
        return bool(won), reply

    @property
    def _commit_once(self):
        script = getattr(self, "_commit_script", None)
        if script is None:
            script = self._commit_script = self.redis.register_script(_COMMIT_ONCE)
        return script

    def reply_for(self, sid: str, seq: int) -> str | None:
        return self.redis.hget(_replies_key(sid), str(seq))
