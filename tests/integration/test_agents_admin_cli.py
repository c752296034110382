"""`python -m ivr agents disable | enable` (issue 19): the console's rules and audit list from the command line."""
from __future__ import annotations

import pytest

from ivr.runtime import agents_cli
from social_bridge.queue.agent_audit import AgentAudit
from social_bridge.queue.claims import Claims
from social_bridge.queue.work_item import WorkItem
from social_bridge.queue.work_queue import WorkQueue
from tests.integration.test_agents import cli_env  # noqa: F401 (fixture)

PASSWORD = "long enough secret"


@pytest.fixture
def agents(cli_env):
    """test_agents' CLI environment (this Redis, a var dir of its own, no Twilio) with Sara and Maria."""
    directory = cli_env
    directory.create("Sara", PASSWORD, role="supervisor")
    directory.create("Maria", PASSWORD)
    return directory


def test_disable_releases_what_the_agent_held_and_enable_lets_them_back(agents, redis_client, capsys):
    item = WorkQueue(redis_client).enqueue(WorkItem(id="", kind="callback", channel="voice", lang="it",
                                                    acquired_at=1.0, natural_key="callback:cli-disable",
                                                    customer="+393471112223")).item
    Claims(redis_client).claim(item.id, "maria")
    token = agents.issue_token("maria")
    assert agents_cli.main(["disable", "Maria"]) == 0
    assert "1 held item(s) back in the queue" in capsys.readouterr().out
    assert agents.agent_for_token(token) is None
    assert WorkQueue(redis_client).get(item.id).status == "waiting"
    assert agents_cli.main(["list"]) == 0
    assert "Maria (disabled)" in capsys.readouterr().out
    assert agents_cli.main(["enable", "maria"]) == 0
    assert agents.authenticate("maria", PASSWORD) is not None
    entries = AgentAudit(redis_client).entries()
    assert [(e["who"], e["action"], e["whom"]) for e in entries] == [("(cli)", "enable", "maria"),
                                                                    ("(cli)", "disable", "maria")]


@pytest.mark.parametrize("argv, message", [
    (["disable", "Sara"], "error: sara is the last active supervisor: there must always be one."),
    (["disable", "ghost"], "error: There is no agent with id “ghost”."),
])
def test_refusals_are_one_clear_line_and_change_nothing(agents, capsys, argv, message):
    assert agents_cli.main(argv) == 1
    assert capsys.readouterr().err.strip() == message
    assert not agents.get("sara").disabled


def test_without_any_supervisor_an_agent_may_still_be_disabled(agents):
    agents.update("sara", role="agent")  # a desk run from the command line only, no supervisor yet
    assert agents_cli.main(["disable", "Maria"]) == 0
    assert agents.get("maria").disabled
