"""The one "is it mine" check (social_bridge/web/rules.py) that the console and the API ask."""
from __future__ import annotations

import pytest

from social_bridge.queue.agents import Agent
from social_bridge.queue.work_item import WorkItem
from social_bridge.web.rules import held_by_other, holds, sees_customer_words

GIULIA = Agent("giulia", "Giulia", "agent")
SARA = Agent("sara", "Sara", "supervisor")


def item(status: str, claimed_by: str = "") -> WorkItem:
    return WorkItem(id="i1", kind="thread", channel="sms", lang="it", acquired_at=0.0, natural_key="thread:sms:+39",
                    status=status, claimed_by=claimed_by)


@pytest.mark.parametrize("agent,work,mine,others", [
    (GIULIA, item("claimed", "giulia"), True, False),
    (GIULIA, item("claimed", "marco"), False, True),
    (SARA, item("claimed", "marco"), False, True),        # a supervisor reads it, but it is not hers to act on
    (GIULIA, item("waiting"), False, False),
    (GIULIA, item("waiting", "giulia"), False, False),    # an old claimant of an item back in the queue
    (None, item("claimed", "giulia"), False, True),
])
def test_holds_and_held_by_other(agent, work, mine, others):
    assert holds(agent, work) is mine
    assert held_by_other(agent, work) is others


@pytest.mark.parametrize("agent,work,reads", [
    (GIULIA, item("claimed", "giulia"), True),
    (GIULIA, item("claimed", "marco"), False),
    (SARA, item("waiting"), True),
    (None, item("claimed", "giulia"), False),
])
def test_the_customers_words_go_to_the_holder_and_supervisors(agent, work, reads):
    assert sees_customer_words(agent, work) is reads
