"""`python -m ivr agents add | list | token | passwd | revoke | disable | enable`: manage who may work the queue."""
from __future__ import annotations

import argparse
import getpass
import sys

from ivr.runtime.embedded import ensure_embedded_redis
from ivr.runtime.redis_client import state_client
from ivr.app.settings import load_settings
from social_bridge.queue.agent_accounts import AgentAccounts
from social_bridge.queue.agent_admin import AdminRefused, AgentAdmin
from social_bridge.queue.agent_audit import AgentAudit
from social_bridge.queue.agents import ROLES, Agent, AgentDirectory, UnknownAgent, slug
from social_bridge.queue.claims import Claims
from social_bridge.queue.presence import Presence
from social_bridge.web.console.agents_strings import refusal


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ivr agents", description="Manage agents and their API tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent or supervisor")
    add.add_argument("name", help='display name; the id is its slug ("Maria Rossi" -> maria-rossi)')
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--languages", default="it", help="comma separated, e.g. it,en")
    add.add_argument("--phone", default="", help="E.164 number rung first for agent-first callbacks")
    add.add_argument("--password", help="asked for when not given (keeps it out of shell history)")
    commands.add_parser("list", help="every agent with role, languages and phone")
    token = commands.add_parser("token", help="print a new API token for the agent (shown once)")
    token.add_argument("name")
    passwd = commands.add_parser("passwd", help="set a new console password")
    passwd.add_argument("name")
    passwd.add_argument("--password", help="asked for when not given")
    revoke = commands.add_parser("revoke", help="invalidate every API token of the agent")
    revoke.add_argument("name")
    for command, text in (("disable", "no login, tokens refused, sessions end, held items back in the queue"),
                          ("enable", "allow the agent back in (old sessions stay ended)")):
        commands.add_parser(command, help=text).add_argument("name")
    return parser


def _directory() -> AgentDirectory:
    settings = load_settings()
    if not settings.redis_url and not settings.redis_cluster_url:
        settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    return AgentDirectory(state_client(settings, decode_responses=True))


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise ValueError("the two passwords differ")
    return first


def _add(agents: AgentDirectory, args) -> str:
    password = args.password if args.password is not None else _ask_password()
    agent = agents.create(args.name, password, role=args.role, languages=args.languages.split(","), phone=args.phone)
    return f"created {agent.role} {agent.id} ({agent.name}); log in to the console with {agent.id!r}"


def _list(agents: AgentDirectory, args) -> str:
    rows = [f"{a.id:<24} {a.role:<11} {','.join(a.languages):<6} {a.phone or '-':<16} {a.name}"
            + (" (disabled)" if a.disabled else "") for a in agents.all()]
    if not rows:
        return "no agents yet: python -m ivr agents add NAME --role supervisor"
    return "\n".join([f"{'ID':<24} {'ROLE':<11} {'LANGS':<6} {'PHONE':<16} NAME", *rows])


def _token(agents: AgentDirectory, args) -> str:
    token = agents.issue_token(slug(args.name))
    return f"{token}\n(shown once: store it now; `agents revoke {slug(args.name)}` invalidates every token)"


def _passwd(agents: AgentDirectory, args) -> str:
    agent_id = slug(args.name)
    if agents.get(agent_id) is None:
        raise UnknownAgent(f"no agent with id {agent_id!r}")
    agents.set_password(agent_id, args.password if args.password is not None else _ask_password())
    return f"password changed for {agent_id}"


def _revoke(agents: AgentDirectory, args) -> str:
    agent_id = slug(args.name)
    if agents.get(agent_id) is None:
        raise UnknownAgent(f"no agent with id {agent_id!r}")
    agents.revoke_tokens(agent_id)
    return f"every API token of {agent_id} is revoked"


OPERATOR = Agent("(cli)", "python -m ivr agents", "supervisor")  # who the audit list names for these commands


def _admin(agents: AgentDirectory) -> AgentAdmin:
    """The console's rules (never the last supervisor) and audit list; a disabled agent's claims go back at once."""
    accounts = AgentAccounts(agents.redis, clock=agents.clock)
    return AgentAdmin(accounts, Claims(agents.redis, clock=agents.clock), Presence(agents.redis, clock=agents.clock),
                      AgentAudit(agents.redis, agents.clock), accounts.teams)


def _disable(agents: AgentDirectory, args) -> str:
    released = _admin(agents).disable(OPERATOR, slug(args.name))
    return f"{slug(args.name)} is disabled; {released} held item(s) back in the queue"


def _enable(agents: AgentDirectory, args) -> str:
    _admin(agents).enable(OPERATOR, slug(args.name))
    return f"{slug(args.name)} is enabled"


COMMANDS = {"add": _add, "list": _list, "token": _token, "passwd": _passwd, "revoke": _revoke, "disable": _disable,
            "enable": _enable}


def main(argv: list[str] | None = None) -> int:
    """argv is what follows `agents` on the command line."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        print(COMMANDS[args.command](_directory(), args))
    except AdminRefused as refused:
        print(f"error: {refusal('en', refused)}", file=sys.stderr)
        return 1
    except (ValueError, UnknownAgent) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    return 0
