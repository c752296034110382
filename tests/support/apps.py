"""Whole-app set-up the integration tests share: the app built from other settings (its metrics closed after), and
the `graph` fixture, Meta's Graph API and X's API played locally (tests/support/fake_social.py).

    from tests.support.apps import built, client, graph  # noqa: F401 (fixtures)
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest

from tests.support.fake_social import FakeSocial


@contextmanager
def built(settings, clock) -> Iterator:
    """The app as conftest's `app` builds it, from these settings; its metrics closed on leaving so its counts
    never reach the next test's Redis."""
    from ivr import create_app

    application = create_app({"SETTINGS": settings, "CLOCK": clock})
    application.testing = True
    try:
        yield application
    finally:
        application.extensions["nohold"].metrics.close()


def fake_graph(account_id: str = "1"):
    """A `graph` fixture: a FakeSocial server whose own X account is `account_id`, stopped after the test."""
    @pytest.fixture
    def graph():
        server = FakeSocial(account_id=account_id).start()
        yield server
        server.stop()
    return graph


graph = fake_graph()


@pytest.fixture
def client(app):
    return app.test_client()
