"""Teams of agents and the intents each one handles: a new work item joins the team of its intent.

Three teams exist from the start (tecnico, amministrativo, commerciale), each with the intents of
prompts/intents.yaml it handles; supervisors add teams, rename them and change their intents. A team's id
never changes (it names the item's lane, see lua/common.lua); its name is what people read. Who belongs to
a team is kept on the agent (Agent.teams in agents.py); this module never imports agents.py.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from social_bridge.queue.keys import QueueKeys

FALLBACK_TEAM = "tecnico"  # an intent no team lists (or none at all) goes here
# id -> (name, intents): the intent names of prompts/intents.yaml
DEFAULT_TEAMS = {
    "tecnico": ("Tecnico", ("internet_down", "internet_slow", "account_access", "mobile_sim")),
    "amministrativo": ("Amministrativo", ("billing",)),
    "commerciale": ("Commerciale", ("change_plan", "cancel_contract", "move_line")),
}
TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")  # no ':' : a team id is part of a lane name
INTENT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_NAME = 40


class TeamRefused(ValueError):
    """A change of the teams that cannot be made: `code` names why (the console words it), `detail` what."""

    def __init__(self, code: str, message: str, detail: str = ""):
        super().__init__(message)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Team:
    """A group of agents and the intents whose items it serves first."""

    id: str
    name: str
    intents: tuple[str, ...] = ()


def team_id_for(name: str) -> str:
    """The id of a new team called `name`: "Back office" -> "back-office"."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:32].strip("-")


class Teams:
    """The teams in Redis (one hash, team id -> JSON), over the defaults above."""

    def __init__(self, redis, keys: QueueKeys | None = None, intents: Iterable[str] = (), prefix: str = "nohold"):
        self.redis, self.keys = redis, keys or QueueKeys(prefix)
        self.known_intents = tuple(intents)  # when given, an intent outside it is refused

    def all(self) -> list[Team]:
        """Every team: the defaults first, then the added ones by id."""
        stored = self.redis.hgetall(self.keys.teams)
        ids = list(DEFAULT_TEAMS) + sorted(set(stored) - set(DEFAULT_TEAMS))
        return [_team(team_id, stored.get(team_id)) for team_id in ids]

    def get(self, team_id: str) -> Team | None:
        if team_id not in DEFAULT_TEAMS and not (isinstance(team_id, str) and TEAM_ID.fullmatch(team_id)):
            return None
        raw = self.redis.hget(self.keys.teams, team_id)
        return _team(team_id, raw) if raw or team_id in DEFAULT_TEAMS else None

    def ids(self) -> tuple[str, ...]:
        return tuple(team.id for team in self.all())

    def team_for(self, intent: str) -> str:
        """The team whose intents include this one; FALLBACK_TEAM when none does."""
        return next((team.id for team in self.all() if intent and intent in team.intents), FALLBACK_TEAM)

    def checked(self, team_ids) -> tuple[str, ...]:
        """Team ids as stored on an agent; ValueError naming the unknown ones and the known ones."""
        if isinstance(team_ids, str):
            team_ids = team_ids.split(",")
        wanted = tuple(dict.fromkeys(t.strip() for t in team_ids if isinstance(t, str) and t.strip()))
        known = self.ids()
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise TeamRefused("unknown_team", f"unknown team {', '.join(map(repr, unknown))}; "
                                              f"the teams are {', '.join(known)}", ", ".join(unknown))
        return wanted

    def add(self, name: str, intents: Iterable[str] = ()) -> Team:
        """A new team; ValueError when the name is empty, too long or taken."""
        name = _name(name)
        team_id = team_id_for(name)
        if not TEAM_ID.fullmatch(team_id or "-"):
            raise TeamRefused("no_name", "a team name needs at least one letter or digit")
        if team_id in self.ids():
            raise TeamRefused("name_taken", f"a team called {name!r} exists already (team id {team_id!r})", name)
        wanted = self.checked_intents(intents)  # before anything is written
        self._write(Team(team_id, name, ()))
        return self.set_intents(team_id, wanted) if wanted else self.get(team_id)

    def rename(self, team_id: str, name: str) -> Team:
        team = self._existing(team_id)
        renamed = Team(team.id, _name(name), team.intents)
        self._write(renamed)
        return renamed

    def set_intents(self, team_id: str, intents: Iterable[str]) -> Team:
        """The team's intents become these; another team that listed one of them no longer does."""
        team = self._existing(team_id)
        wanted = self.checked_intents(intents)
        changed = [Team(team.id, team.name, wanted)]
        for other in self.all():
            if other.id != team.id and set(other.intents) & set(wanted):
                changed.append(Team(other.id, other.name, tuple(i for i in other.intents if i not in wanted)))
        self._write(*changed)
        return changed[0]

    def members(self, team_id: str, agents) -> list:
        """The agents (from AgentDirectory.all()) who belong to the team."""
        return [agent for agent in agents if team_id in agent.teams]

    def set_members(self, team_id: str, agent_ids: Iterable[str], directory) -> list:
        """Exactly these agents belong to the team; every id is checked before anything changes."""
        self._existing(team_id)
        wanted, agents = set(agent_ids), directory.all()
        unknown = wanted - {agent.id for agent in agents}
        if unknown:
            raise TeamRefused("unknown_agent", f"no agent with id {', '.join(sorted(map(repr, unknown)))}",
                              ", ".join(sorted(unknown)))
        for agent in agents:
            if (agent.id in wanted) != (team_id in agent.teams):
                others = tuple(t for t in agent.teams if t != team_id)
                directory.update(agent.id, teams=others + (team_id,) if agent.id in wanted else others)
        return self.members(team_id, directory.all())

    def _existing(self, team_id: str) -> Team:
        team = self.get(team_id)
        if team is None:
            raise TeamRefused("unknown_team", f"unknown team {team_id!r}; the teams are {', '.join(self.ids())}",
                              team_id)
        return team

    def checked_intents(self, intents) -> tuple[str, ...]:
        """Intent names as a team stores them; ValueError naming the unknown ones."""
        if isinstance(intents, str):
            intents = intents.split(",")
        wanted = tuple(dict.fromkeys(i.strip() for i in intents if isinstance(i, str) and i.strip()))
        bad = [i for i in wanted if not INTENT.fullmatch(i) or (self.known_intents and i not in self.known_intents)]
        if bad:
            known = f"; the intents are {', '.join(self.known_intents)}" if self.known_intents else ""
            raise TeamRefused("unknown_intent", f"unknown intent {', '.join(map(repr, bad))}{known}", ", ".join(bad))
        return wanted

    def _write(self, *teams: Team) -> None:
        self.redis.hset(self.keys.teams, mapping={t.id: json.dumps({"name": t.name, "intents": list(t.intents)},
                                                                   ensure_ascii=False) for t in teams})


def _name(name) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise TeamRefused("no_name", "the team needs a name")
    if len(name) > MAX_NAME:
        raise TeamRefused("name_too_long", f"the team name is too long: at most {MAX_NAME} characters")
    return name


def _team(team_id: str, raw: str | None) -> Team:
    if raw is None:
        name, intents = DEFAULT_TEAMS[team_id]
        return Team(team_id, name, intents)
    data = json.loads(raw)
    return Team(team_id, data["name"], tuple(data["intents"]))
