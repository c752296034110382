"""The API tests' shared set-up on the whole app: Maria (an agent) and Sara (a supervisor) with their tokens, and a
caller that signs each request as one of them. Import the fixtures explicitly:

    from tests.support.agent_api import PASSWORD, api  # noqa: F401 (fixture)
"""
from __future__ import annotations

import pytest

PASSWORD = "long enough secret"


def agents_with_tokens(nohold, **sara) -> dict[str, str]:
    """Maria and Sara (a supervisor; `sara` are more of her fields) created; their bearer tokens by id."""
    nohold.bridge.agents.create("Maria", PASSWORD)
    nohold.bridge.agents.create("Sara", PASSWORD, role="supervisor", **sara)
    return {name: nohold.bridge.agents.issue_token(name) for name in ("maria", "sara")}


def caller(client, tokens: dict[str, str], default: str = "maria"):
    """call(method, path, who=default, body=None) -> the response, with `who`'s bearer token."""
    def call(method: str, path: str, who: str = default, body: dict | None = None):
        return client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[who]}"}, json=body)
    return call


@pytest.fixture
def tokens(nohold):
    """Maria's and Sara's tokens, Sara writing Italian and English."""
    return agents_with_tokens(nohold, languages=("it", "en"))


@pytest.fixture
def api(app, nohold):
    """call(method, path, who="maria", body=None) -> the response, as Maria or Sara (a supervisor)."""
    return caller(app.test_client(), agents_with_tokens(nohold))


def answered(api, text: str = "Ho sistemato il profilo") -> str:
    """Maria takes the next item, replies `text` (202) and completes it as resolved (200); the item's id."""
    claim = api("POST", "/api/claims/next", body={}).get_json()
    item_id, fence = claim["item"]["id"], claim["fence"]
    assert api("POST", f"/api/items/{item_id}/reply", body={"fence": fence, "text": text}).status_code == 202
    assert api("POST", f"/api/items/{item_id}/complete", body={"fence": fence, "outcome": "resolved"}) \
        .status_code == 200
    return item_id
