"""Agents and supervisors: who they are, how they prove it (password or API token), what they speak."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from werkzeug.security import check_password_hash, generate_password_hash

from social_bridge.queue.login_limits import LOGIN_PER_ADDRESS, LoginLimits
from social_bridge.queue.teams import Teams

ROLES = ("agent", "supervisor")
LANGUAGES = ("it", "en")  # the languages prompts/ exists in
MIN_PASSWORD = 8
TOKEN_PREFIX = "nh_"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
UPDATABLE = ("phone", "languages", "auto_dial", "role", "teams")

# KEYS agents set, agent hash; ARGV agent id, then field/value pairs
_CREATE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""



class UnknownAgent(LookupError):
    """No agent has this id."""


@dataclass(frozen=True)
class Agent:
    """Someone who works the queue; supervisors also see the team and the dead letters."""

    id: str
    name: str
    role: str  # "agent" | "supervisor"
    languages: tuple[str, ...] = ("it",)
    phone: str = ""  # E.164, rung first for agent-first callbacks
    auto_dial: bool = False
    teams: tuple[str, ...] = ()  # team ids (teams.py), served first; none = every team's items alike
    disabled: bool = False  # by a supervisor (social_bridge/queue/agent_admin.py): no login, no token, no session

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def slug(name: str) -> str:
    """The agent id for a display name: "Niccolò Rossi" -> "niccolo-rossi"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:64]


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return generate_password_hash(secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _languages(languages) -> tuple[str, ...]:
    langs = tuple(dict.fromkeys(lang.strip().lower() for lang in languages if lang.strip()))
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if bad or not langs:
        raise ValueError(f"languages must be some of {', '.join(LANGUAGES)}; got {', '.join(langs) or 'none'}")
    return langs


def _validated(field: str, value):
    """The stored form of one updatable field; ValueError with a sentence a person can act on."""
    if field == "role":
        if value not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}; got {value!r}")
        return value
    if field == "languages":
        return _languages(value.split(",") if isinstance(value, str) else value)
    if field == "phone":
        phone = re.sub(r"[\s\-./()]", "", value or "")
        if phone and not E164.match(phone):
            raise ValueError(f"phone must be in E.164 form, like +393471234567; got {value!r}")
        return phone
    if field == "auto_dial":
        if not isinstance(value, bool):
            raise ValueError("auto_dial must be true or false")
        return value
    raise ValueError(f"{field!r} cannot be changed; changeable: {', '.join(UPDATABLE)}")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValueError(f"the password is too weak: use at least {MIN_PASSWORD} characters")


class AgentDirectory:
    """Agents in Redis under one hash tag; only password hashes and token digests are stored."""

    def __init__(self, redis, clock: Callable[[], float] = time.time, prefix: str = "nohold"):
        self.redis, self.clock = redis, clock
        self.base = f"{prefix}:{{agents}}"
        self._create = redis.register_script(_CREATE)
        self.logins = LoginLimits(redis, clock, self.base)  # console sign-ins: per name and per address
        self.teams = Teams(redis, prefix=prefix)  # an agent's teams must exist

    def _agent_key(self, agent_id: str) -> str:
        return f"{self.base}:agent:{agent_id}"

    def _tokens_key(self, agent_id: str) -> str:
        return f"{self.base}:tokens:{agent_id}"

    def _token_key(self, digest: str) -> str:
        return f"{self.base}:token:{digest}"

    def create(self, name: str, password: str, role: str = "agent", languages=("it",), phone: str = "") -> Agent:
        """A new agent; ValueError when the name is taken or a field is not acceptable."""
        name = (name or "").strip()
        agent_id = slug(name)
        if not agent_id:
            raise ValueError("the name needs at least one letter or digit")
        _check_password(password)
        agent = Agent(agent_id, name, _validated("role", role), _validated("languages", languages),
                      _validated("phone", phone))
        fields = {"name": agent.name, "role": agent.role, "languages": ",".join(agent.languages),
                  "phone": agent.phone, "auto_dial": "0", "created_at": repr(self.clock()),
                  "password_hash": generate_password_hash(password)}
        flat = [x for pair in fields.items() for x in pair]
        if not self._create(keys=[f"{self.base}:ids", self._agent_key(agent_id)], args=[agent_id, *flat]):
            raise ValueError(f"the name {name!r} is taken (agent id {agent_id!r} exists)")
        return agent

    def get(self, agent_id: str) -> Agent | None:
        h = self.redis.hgetall(self._agent_key(agent_id)) if agent_id else {}
        return _agent(agent_id, h) if h else None

    def session_generation(self, agent_id: str) -> int:
        """Stored in a console session at login; ending the agent's sessions moves it on."""
        return int(self.redis.hget(self._agent_key(agent_id), "session_gen") or 0)

    def for_session(self, agent_id: str, generation) -> Agent | None:
        """The agent a console session names, if that session has not been ended since (logout, new password)."""
        h = self.redis.hgetall(self._agent_key(agent_id)) if agent_id else {}
        if not h or h.get("disabled") == "1" or not isinstance(generation, int) \
                or generation != int(h.get("session_gen") or 0):
            return None
        return _agent(agent_id, h)

    def end_sessions(self, agent_id: str) -> None:
        """Every console session of the agent, on every device, stops working at its next request."""
        if self.redis.exists(self._agent_key(agent_id)):  # no hash made for an id that is not an agent
            self.redis.hincrby(self._agent_key(agent_id), "session_gen", 1)

    def all(self) -> list[Agent]:
        """Every agent, by id."""
        agents = (self.get(agent_id) for agent_id in sorted(self.redis.smembers(f"{self.base}:ids")))
        return [agent for agent in agents if agent is not None]

    def authenticate(self, name_or_id: str, password: str) -> Agent | None:
        """The agent when the password matches; None otherwise, in the same time either way."""
        agent_id = slug(name_or_id or "")
        stored = self.redis.hget(self._agent_key(agent_id), "password_hash") if agent_id else None
        ok = check_password_hash(stored or _dummy_hash(), password or "")
        agent = self.get(agent_id) if ok and stored else None
        return None if agent is None or agent.disabled else agent

    def update(self, agent_id: str, **fields) -> Agent:
        """Change phone, languages, auto_dial, role or teams; everything is checked before anything is written."""
        if self.get(agent_id) is None:
            raise UnknownAgent(f"no agent with id {agent_id!r}")
        values = {f: self.teams.checked(v) if f == "teams" else _validated(f, v) for f, v in fields.items()}
        stored = {f: ",".join(v) if f in ("languages", "teams") else ("1" if v else "0") if f == "auto_dial" else v
                  for f, v in values.items()}
        if stored:
            self.redis.hset(self._agent_key(agent_id), mapping=stored)
        return self.get(agent_id)

    def set_password(self, agent_id: str, password: str) -> None:
        if self.get(agent_id) is None:
            raise UnknownAgent(f"no agent with id {agent_id!r}")
        _check_password(password)
        with self.redis.pipeline(transaction=True) as pipe:  # a new password ends the sessions the old one opened
            pipe.hset(self._agent_key(agent_id), "password_hash", generate_password_hash(password))
            pipe.hincrby(self._agent_key(agent_id), "session_gen", 1).execute()

    def issue_token(self, agent_id: str) -> str:
        """A new API token, returned once in clear; only its SHA-256 digest is kept."""
        if self.get(agent_id) is None:
            raise UnknownAgent(f"no agent with id {agent_id!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = _token_hash(token)
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._token_key(digest), agent_id)
            pipe.sadd(self._tokens_key(agent_id), digest).execute()
        return token

    def revoke_tokens(self, agent_id: str) -> None:
        """Every API token of the agent stops working."""
        digests = self.redis.smembers(self._tokens_key(agent_id))
        with self.redis.pipeline(transaction=True) as pipe:
            for digest in digests:
                pipe.delete(self._token_key(digest))
            pipe.delete(self._tokens_key(agent_id)).execute()

    def agent_for_token(self, token: str) -> Agent | None:
        """Looked up by digest, so no comparison with a secret can leak timing."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        agent_id = self.redis.get(self._token_key(_token_hash(token)))
        agent = self.get(agent_id) if agent_id else None
        return None if agent is None or agent.disabled else agent  # a disabled agent's tokens are refused

    def login_wait(self, name: str, remote_addr: str, per_address: int = LOGIN_PER_ADDRESS) -> float:
        """Seconds before this login attempt may be checked; 0 = check the password now (login_limits.py)."""
        return self.logins.wait(slug(name or ""), remote_addr, per_address)

    def login_succeeded(self, name: str) -> None:
        self.logins.succeeded(slug(name or ""))


def _agent(agent_id: str, h: dict) -> Agent:
    return Agent(agent_id, h["name"], h["role"], tuple(h["languages"].split(",")), h.get("phone", ""),
                 h.get("auto_dial") == "1", teams=tuple(t for t in h.get("teams", "").split(",") if t),
                 disabled=h.get("disabled") == "1")
