"""Console sessions end when they should (issue 13, item 7): the session cookie is signed and lasts a shift,
so without a check on the server a copy of it outlived logout and password changes. Each agent record
carries a session generation, stored in the session at login and compared on every request."""
from __future__ import annotations

import pytest

from tests.integration.test_console import csrf_of, post

PASSWORD = "a long enough password"


@pytest.fixture
def directory(app):
    agents = app.extensions["social_bridge"].agents
    agents.create("Maria", PASSWORD)
    agents.create("Sara", PASSWORD, role="supervisor")
    return agents


def signed_in(app, name: str = "maria", password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/console/login", data={"name": name, "password": password, "csrf_token": csrf_of(client)})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    return client


def replay(app, cookie: str):
    """Another browser holding a copy of the cookie (stolen, or the same agent's second device)."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def opens_queue(client) -> bool:
    return client.get("/console/").status_code == 200


def test_a_copy_of_the_cookie_stops_working_at_logout(app, directory):
    maria = signed_in(app)
    copy = maria.get_cookie("session").value
    assert opens_queue(replay(app, copy))
    assert post(maria, "/console/logout").status_code == 302
    assert not opens_queue(replay(app, copy))
    assert replay(app, copy).get("/console/queue.json").status_code == 401


def test_logout_ends_the_agents_sessions_everywhere_and_only_hers(app, directory):
    laptop, phone, sara = signed_in(app), signed_in(app), signed_in(app, "sara")
    post(laptop, "/console/logout")
    assert not opens_queue(phone)
    assert opens_queue(sara)
    assert opens_queue(signed_in(app))  # signing in again works


def test_a_new_password_ends_the_sessions_the_old_one_opened(app, directory):
    maria = signed_in(app)
    directory.set_password("maria", "a brand new password")  # what `python -m ivr agents passwd` does
    assert not opens_queue(maria)
    assert maria.get("/console/events", headers={"Accept": "text/event-stream"}).status_code == 401
    assert opens_queue(signed_in(app, password="a brand new password"))


def test_a_session_without_the_current_generation_is_no_session(app, directory):
    maria = signed_in(app)
    with maria.session_transaction() as session:  # a cookie signed before sessions carried a generation
        del session["gen"]
    assert not opens_queue(maria)
    with maria.session_transaction() as session:
        session["gen"] = "0"
    assert not opens_queue(maria)


def test_ending_sessions_of_an_unknown_id_creates_nothing(app, directory, redis_client):
    before = sorted(redis_client.keys("*"))
    directory.end_sessions("ghost")
    assert sorted(redis_client.keys("*")) == before
    assert directory.get("ghost") is None
