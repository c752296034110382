"""Each call's state in Redis, keyed by CallSid, and the reply given at each step (for replays)."""
from __future__ import annotations


from ivr.call_state import CallState


def _state_key(sid: str) -> str:
    return f"nohold:{{call:{sid}}}"


def _replies_key(sid: str) -> str:
    return f"nohold:{{call:{sid}}}:replies"


# KEYS: state, replies (one call's hash tag, so Cluster-safe). ARGV: seq, twiml, state json, ttl, expected seq ("" = any).
# Commits only if nobody answered this step yet (and, with an expected seq, the stored state is still at it;
# "-1" expects no stored state). Returns {1, twiml} when committed, {0, reply} when another process already
# answered, {0, false} when the state moved on without answering this step (the caller re-reads and retries).
_COMMIT_ONCE = """
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {0, existing} end
if ARGV[5] ~= '' then
  local raw = redis.call('GET', KEYS[1])
  local current = -1
  if raw then current = tonumber(cjson.decode(raw)['seq']) end
  if current ~= tonumber(ARGV[5]) then return {0, false} end
end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {1, ARGV[2]}
"""


class CallBusy(RuntimeError):
    """The call kept moving under us: a step could not be committed after several tries."""


class CallStore:
    def __init__(self, redis, ttl_seconds: int = 4 * 3600):
        self.redis, self.ttl = redis, ttl_seconds

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
                "" if expected_seq is None else str(expected_seq)]
        won, reply = self._commit_once(keys=[_state_key(state.sid), _replies_key(state.sid)], args=args)
        return bool(won), reply

    @property
    def _commit_once(self):
        script = getattr(self, "_commit_script", None)
        if script is None:
            script = self._commit_script = self.redis.register_script(_COMMIT_ONCE)
        return script

    def reply_for(self, sid: str, seq: int) -> str | None:
        return self.redis.hget(_replies_key(sid), str(seq))
