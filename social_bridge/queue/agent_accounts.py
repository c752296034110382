"""The directory's writes that only a supervisor's page needs (issue 19): disabling an agent, and API tokens named
one by one so that a single token can be revoked. The tokens themselves are still never stored (only digests)."""
from __future__ import annotations

import hashlib

from social_bridge.queue.agents import AgentDirectory, UnknownAgent

TOKEN_ID_LENGTH = 12  # hex characters of the token's SHA-256 digest: names a token without revealing it


def token_id(token: str) -> str:
    """The name a token is listed and revoked by: the start of the digest the directory keeps."""
    return hashlib.sha256(token.encode()).hexdigest()[:TOKEN_ID_LENGTH]


class AgentAccounts(AgentDirectory):
    """The same agents, keys and checks as AgentDirectory, plus what managing them takes."""

    def _known(self, agent_id: str) -> None:
        if not agent_id or not self.redis.exists(self._agent_key(agent_id)):
            raise UnknownAgent(f"no agent with id {agent_id!r}")

    def set_disabled(self, agent_id: str, disabled: bool) -> None:
        """Disabled: password and tokens refused (AgentDirectory checks the flag). Either way the console sessions
        opened before end, so enabling an agent again does not bring an old session back."""
        self._known(agent_id)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._agent_key(agent_id), "disabled", "1" if disabled else "0")
            pipe.hincrby(self._agent_key(agent_id), "session_gen", 1).execute()

    def write_keeping_a_supervisor(self, agent_id: str, fields: dict[str, str], end_sessions: bool = False) -> bool:
        """Write `fields` ("disabled": "1", or "role": "agent"), unless that would take away the last enabled
        supervisor: then False and nothing written. One WATCH transaction over every agent, so two supervisors
        disabling or demoting each other at the same moment cannot both succeed."""
        self._known(agent_id)
        ids = sorted(self.redis.smembers(f"{self.base}:ids"))
        keys = [self._agent_key(i) for i in ids]

        def write(pipe) -> bool:
            before = {i: pipe.hgetall(key) for i, key in zip(ids, keys)}
            after = {**before, agent_id: {**before.get(agent_id, {}), **fields}}
            if _supervises(before) and not _supervises(after):
                return False
            pipe.multi()
            pipe.hset(self._agent_key(agent_id), mapping=fields)
            if end_sessions:
                pipe.hincrby(self._agent_key(agent_id), "session_gen", 1)
            return True

        return self.redis.transaction(write, f"{self.base}:ids", *keys, value_from_callable=True)

    def token_ids(self, agent_id: str) -> list[str]:
        """The agent's live API tokens, by id."""
        return sorted(digest[:TOKEN_ID_LENGTH] for digest in self.redis.smembers(self._tokens_key(agent_id)))

    def revoke_token(self, agent_id: str, token_id_: str) -> bool:
        """That one token of the agent stops working; False when the agent has no token by that id."""
        self._known(agent_id)
        digests = [d for d in self.redis.smembers(self._tokens_key(agent_id)) if d[:TOKEN_ID_LENGTH] == token_id_]
        if len(token_id_ or "") != TOKEN_ID_LENGTH or len(digests) != 1:
            return False
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._token_key(digests[0]))
            pipe.srem(self._tokens_key(agent_id), digests[0]).execute()
        return True


def _supervises(agents: dict[str, dict]) -> bool:
    """Whether some enabled supervisor is among these stored agents."""
    return any(h.get("role") == "supervisor" and h.get("disabled") != "1" for h in agents.values())
