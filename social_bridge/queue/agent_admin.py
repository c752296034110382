"""A supervisor manages the agents (issue 19): add, disable and enable, reset a password, issue and revoke API
tokens, edit languages, teams and role. Everything is checked before anything is written; a refusal names a
sentence by its code (social_bridge/web/console/agents_strings.py words it in it and en). Every change goes to
the audit list: who did what to whom, when."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from social_bridge.queue.agent_accounts import TOKEN_ID_LENGTH, token_id
from social_bridge.queue.agents import E164, LANGUAGES, MIN_PASSWORD, ROLES, Agent, slug
from social_bridge.queue.claims import NotClaimable, StaleFence

EDITABLE = ("languages", "teams", "role", "phone")
STATUS = {"unknown_agent": 404, "unknown_token": 404, "duplicate_name": 409, "self_disable": 409,
          "last_supervisor": 409, "not_supervisor": 403}


class AdminRefused(ValueError):
    """Nothing was changed; `code` names the sentence, `params` fill it, `status` is the API's answer."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params, self.status = code, params, STATUS.get(code, 400)


@dataclass(frozen=True)
class AgentRow:
    agent: Agent
    tokens: tuple[str, ...]  # ids of the live API tokens (social_bridge.queue.agent_accounts.token_id)


def generated_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, shown once to the supervisor who asked for it


class AgentAdmin:
    def __init__(self, accounts, claims, presence, audit, teams=None):
        """accounts: AgentAccounts; claims: Claims (a disabled agent's items go back to the queue); presence:
        Presence (a disabled agent is away); audit: AgentAudit; teams: the team names' source, None without teams."""
        self.accounts, self.claims, self.presence, self.audit, self.teams = accounts, claims, presence, audit, teams

    def rows(self) -> list[AgentRow]:
        return [AgentRow(a, tuple(self.accounts.token_ids(a.id))) for a in self.accounts.all()]

    def team_names(self) -> dict[str, str]:
        """Team id -> the name people read (social_bridge.queue.teams.Teams); empty without teams."""
        return {team.id: team.name for team in self.teams.all()} if self.teams is not None else {}

    def entries(self, limit: int = 50) -> list[dict]:
        return self.audit.entries(limit)

    # --- checks: each raises AdminRefused before anything is written

    def _agent(self, agent_id: str) -> Agent:
        agent = self.accounts.get(agent_id or "")
        if agent is None:
            raise AdminRefused("unknown_agent", agent=agent_id)
        return agent

    def _languages(self, value) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else value
        if not isinstance(parts, (list, tuple)) or not all(isinstance(p, str) for p in parts):
            raise AdminRefused("unknown_language", got=str(value), known=", ".join(LANGUAGES))
        langs = tuple(dict.fromkeys(p.strip().lower() for p in parts if p.strip()))
        bad = [lang for lang in langs if lang not in LANGUAGES]
        if bad or not langs:
            raise AdminRefused("unknown_language", got=", ".join(bad) or "-", known=", ".join(LANGUAGES))
        return langs

    def _teams(self, value) -> tuple[str, ...]:
        parts = value.split(",") if isinstance(value, str) else value
        known = self.team_names()
        if not isinstance(parts, (list, tuple)) or not all(isinstance(p, str) for p in parts):
            raise AdminRefused("unknown_team", got=str(value), known=", ".join(known) or "-")
        names = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
        bad = [name for name in names if name not in known]
        if bad:
            raise AdminRefused("unknown_team", got=", ".join(bad), known=", ".join(known) or "-")
        return names

    @staticmethod
    def _role(value) -> str:
        if value not in ROLES:
            raise AdminRefused("bad_role", got=str(value), known=", ".join(ROLES))
        return value

    @staticmethod
    def _password(value) -> str:
        if not isinstance(value, str) or len(value) < MIN_PASSWORD:
            raise AdminRefused("short_password", min=MIN_PASSWORD)
        return value

    @staticmethod
    def _by_supervisor(by: Agent) -> None:
        if by is None or not by.is_supervisor or by.disabled:
            raise AdminRefused("not_supervisor")

    # --- operations

    def add(self, by: Agent, name: str, role: str = "agent", languages=("it",), teams=(),
            password: str = "") -> tuple[Agent, str]:
        """The new agent, and the password to hand over when it was generated here ("" when the supervisor chose)."""
        self._by_supervisor(by)
        name = (name or "").strip() if isinstance(name, str) else ""
        if not slug(name) or len(name) > 80:
            raise AdminRefused("bad_name")
        if self.accounts.get(slug(name)) is not None:
            raise AdminRefused("duplicate_name", name=name, agent=slug(name))
        role, langs, team_names = self._role(role), self._languages(languages), self._teams(teams or ())
        shown = "" if password else generated_password()
        self._password(password or shown)
        try:
            agent = self.accounts.create(name, password or shown, role=role, languages=langs)
        except ValueError:  # created meanwhile by someone else: the directory's create is atomic
            raise AdminRefused("duplicate_name", name=name, agent=slug(name)) from None
        if team_names:
            agent = self.accounts.update(agent.id, teams=team_names)
        self.audit.record(by.id, "add", agent.id, f"{role}; {','.join(langs)}; {','.join(team_names)}".rstrip("; "))
        return agent, shown

    def disable(self, by: Agent, agent_id: str) -> int:
        """Out at once: no login, tokens refused, sessions end at their next request, claims back in the queue
        at their place. Returns how many claims were released."""
        self._by_supervisor(by)
        target = self._agent(agent_id)
        if target.id == by.id:
            raise AdminRefused("self_disable")
        if not self.accounts.write_keeping_a_supervisor(target.id, {"disabled": "1"}, end_sessions=True):
            raise AdminRefused("last_supervisor", agent=target.id)
        released = 0
        for claim in self.claims.claimed_by(target.id):
            try:
                self.claims.release(claim.item.id, claim.fence)
                released += 1
            except (StaleFence, NotClaimable):  # finished or expired meanwhile: nothing left to give back
                continue
        self.presence.set_state(target.id, "away")
        self.audit.record(by.id, "disable", target.id, f"released {released}" if released else "")
        return released

    def enable(self, by: Agent, agent_id: str) -> None:
        self._by_supervisor(by)
        target = self._agent(agent_id)
        self.accounts.set_disabled(target.id, False)
        self.audit.record(by.id, "enable", target.id)

    def reset_password(self, by: Agent, agent_id: str, password: str = "") -> str:
        """A new password (the agent's sessions end); returns it when generated here, "" when the supervisor chose."""
        self._by_supervisor(by)
        target = self._agent(agent_id)
        shown = "" if password else generated_password()
        self.accounts.set_password(target.id, self._password(password or shown))
        self.audit.record(by.id, "password", target.id, "generated" if shown else "chosen")
        return shown

    def issue_token(self, by: Agent, agent_id: str) -> tuple[str, str]:
        """(token id, token): the token is shown once, only its digest is kept."""
        self._by_supervisor(by)
        target = self._agent(agent_id)
        token = self.accounts.issue_token(target.id)
        self.audit.record(by.id, "token_issued", target.id, token_id(token))
        return token_id(token), token

    def revoke_token(self, by: Agent, agent_id: str, token: str) -> None:
        self._by_supervisor(by)
        target = self._agent(agent_id)
        if len(token or "") != TOKEN_ID_LENGTH or not self.accounts.revoke_token(target.id, token):
            raise AdminRefused("unknown_token", agent=target.id, token=token)
        self.audit.record(by.id, "token_revoked", target.id, token)

    def edit(self, by: Agent, agent_id: str, **fields) -> Agent:
        """Languages, teams, role, phone; every field is checked before any is written."""
        self._by_supervisor(by)
        target = self._agent(agent_id)
        unknown = sorted(set(fields) - set(EDITABLE))
        if unknown or not fields:
            raise AdminRefused("bad_field", got=", ".join(unknown) or "-", known=", ".join(EDITABLE))
        checks = {"languages": self._languages, "teams": self._teams, "role": self._role, "phone": _phone}
        values = {field: checks[field](value) for field, value in fields.items()}
        changed = {f: v for f, v in values.items() if getattr(target, f, None) != v}
        if not changed:
            return target
        demoted = changed.get("role") == "agent"
        if demoted and not self.accounts.write_keeping_a_supervisor(target.id, {"role": "agent"}):
            raise AdminRefused("last_supervisor", agent=target.id)  # checked with the write: nothing else written
        agent = self.accounts.update(target.id, **changed)
        detail = "; ".join(f"{f} {_shown(f, v)}" for f, v in sorted(changed.items()))
        self.audit.record(by.id, "edit", target.id, detail)
        return agent


def _phone(value) -> str:
    phone = "".join(ch for ch in (value if isinstance(value, str) else "") if ch not in " -./()")
    if not isinstance(value, str) or (phone and not E164.match(phone)):
        raise AdminRefused("bad_phone")
    return phone


def _shown(field: str, value) -> str:
    """What the audit says of a change: a phone only as 'changed' (never whole in a log)."""
    if field == "phone":
        return "changed" if value else "removed"
    return ",".join(value) if isinstance(value, tuple) else str(value)
