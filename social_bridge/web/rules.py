"""What an agent may see and do with a work item: one rule for the console and the API.

- "Is it mine" is one check, `holds`: the agent has the item's live claim; `held_by_other` is its negation
  for a claimed item.
- A customer's words (message texts, the summary of what they said, a voicemail's transcript, what a
  caller said to the menu) go to the agent holding the item and to supervisors. Everyone else gets
  the topic: the intent, which the console shows as its label.
- A plain agent takes the next item (the oldest one for them); only a supervisor picks a given one,
  e.g. a caller waiting past the target.
- Completing names an outcome and cancelling a reason from fixed sets: they go into the history every
  agent reads, so they are labels, never free text.
"""
from __future__ import annotations

OUTCOMES = ("resolved", "not_reachable", "wrong_number", "other")
CANCEL_REASONS = ("customer_request", "duplicate", "solved_elsewhere", "other")


def holds(agent, item) -> bool:
    """The agent has the live claim on the item."""
    return agent is not None and item.status == "claimed" and item.claimed_by == agent.id


def held_by_other(agent, item) -> bool:
    """Another agent has the live claim: nobody else may act on it, whatever fence they send."""
    return item.status == "claimed" and not holds(agent, item)


def sees_customer_words(agent, item) -> bool:
    """The holder and supervisors read what the customer said; None (one copy for everyone) never does."""
    return holds(agent, item) or (agent is not None and agent.is_supervisor)


def may_claim_chosen(agent) -> bool:
    """Picking a given item out of the queue, rather than the next one."""
    return agent is not None and agent.is_supervisor
