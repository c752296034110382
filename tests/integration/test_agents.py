"""Agent directory on a real Redis: passwords, tokens, login rate limit, and the `agents` command."""
from __future__ import annotations

import pytest

from ivr.runtime import agents_cli
from social_bridge.queue.agents import Agent, AgentDirectory, UnknownAgent, slug

PASSWORD = "correct horse battery"


@pytest.fixture
def agents(redis_client, clock):
    return AgentDirectory(redis_client, clock=clock)


def all_redis_values(redis_client) -> str:
    """Every key and value in the database as one string, to search for secrets."""
    seen = []
    for key in redis_client.scan_iter("*"):
        kind = redis_client.type(key)
        seen.append(key)
        if kind == "string":
            seen.append(redis_client.get(key))
        elif kind == "hash":
            seen.extend(f"{k}={v}" for k, v in redis_client.hgetall(key).items())
        elif kind == "set":
            seen.extend(redis_client.smembers(key))
        elif kind == "zset":
            seen.extend(redis_client.zrange(key, 0, -1))
        elif kind == "list":
            seen.extend(redis_client.lrange(key, 0, -1))
    return "\n".join(seen)


def test_create_and_authenticate_by_name_or_id(agents):
    created = agents.create("Niccolò Rossi", PASSWORD, role="supervisor", languages=("it", "en"),
                            phone="+39 347 123 4567")
    assert created == Agent("niccolo-rossi", "Niccolò Rossi", "supervisor", ("it", "en"), "+393471234567")
    assert created.is_supervisor
    assert agents.authenticate("Niccolò Rossi", PASSWORD) == created
    assert agents.authenticate("niccolo-rossi", PASSWORD) == created
    assert agents.authenticate("niccolo-rossi", PASSWORD + "x") is None
    assert agents.authenticate("nobody", PASSWORD) is None
    assert agents.authenticate("", "") is None
    assert agents.get("niccolo-rossi") == created
    assert agents.get("nobody") is None


def test_no_plaintext_password_or_token_in_redis(agents, redis_client):
    agents.create("Maria", PASSWORD)
    token = agents.issue_token("maria")
    agents.set_password("maria", "another long secret")
    stored = all_redis_values(redis_client)
    for secret in (PASSWORD, "another long secret", token, token[len("nh_"):]):
        assert secret not in stored
    assert agents.authenticate("maria", "another long secret") is not None
    assert agents.authenticate("maria", PASSWORD) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Maria", "password": "short"}, "at least 8"),
    ({"name": "  ", "password": PASSWORD}, "letter or digit"),
    ({"name": "Luca", "password": PASSWORD, "role": "admin"}, "role must be one of"),
    ({"name": "Luca", "password": PASSWORD, "languages": ("it", "de")}, "languages must be"),
    ({"name": "Luca", "password": PASSWORD, "languages": ()}, "languages must be"),
    ({"name": "Luca", "password": PASSWORD, "phone": "3471234567"}, "E.164"),
])
def test_create_refuses_with_a_clear_message(agents, kwargs, message):
    with pytest.raises(ValueError, match=message):
        agents.create(**kwargs)
    assert agents.all() == []


def test_name_taken_even_spelled_differently(agents):
    agents.create("Maria Rossi", PASSWORD)
    with pytest.raises(ValueError, match="taken"):
        agents.create("maria  ROSSI", PASSWORD)
    assert [a.id for a in agents.all()] == ["maria-rossi"]


def test_update_checks_every_field_before_writing(agents):
    agents.create("Luca", PASSWORD)
    updated = agents.update("luca", phone="+393331112222", languages="en,it", auto_dial=True, role="supervisor")
    assert updated == Agent("luca", "Luca", "supervisor", ("en", "it"), "+393331112222", True)
    with pytest.raises(ValueError, match="E.164"):
        agents.update("luca", role="agent", phone="not a phone")
    assert agents.get("luca").role == "supervisor"  # nothing written when one field is bad
    with pytest.raises(ValueError, match="cannot be changed"):
        agents.update("luca", name="Luke")
    with pytest.raises(ValueError, match="true or false"):
        agents.update("luca", auto_dial="yes")
    with pytest.raises(UnknownAgent):
        agents.update("ghost", phone="")


def test_tokens_several_per_agent_and_revocable(agents):
    maria = agents.create("Maria", PASSWORD)
    luca = agents.create("Luca", PASSWORD)
    first, second, lucas = agents.issue_token("maria"), agents.issue_token("maria"), agents.issue_token("luca")
    assert first.startswith("nh_")
    assert first != second
    assert agents.agent_for_token(first) == agents.agent_for_token(second) == maria
    assert agents.agent_for_token(lucas) == luca
    agents.revoke_tokens("maria")
    assert agents.agent_for_token(first) is None
    assert agents.agent_for_token(second) is None
    assert agents.agent_for_token(lucas) == luca
    for bad in ("", "nh_", "nh_" + "x" * 43, first.upper(), None, 42, "nh_" + "a" * 500):
        assert agents.agent_for_token(bad) is None
    with pytest.raises(UnknownAgent):
        agents.issue_token("ghost")


def test_login_wait_grows_per_name_and_is_forgotten(agents, clock):
    def waits_until(accepted_tries: int, name: str = "Maria") -> list:
        """Tries as soon as allowed; the waits met on the way (a try answered 0 counts as a failure)."""
        accepted, waits = 0, []
        while accepted < accepted_tries:
            wait = agents.login_wait(name, "10.0.0.1", per_address=1000)
            if wait == 0:
                accepted += 1
            else:
                waits.append(wait)
                clock.advance(wait)
        return waits

    assert waits_until(14) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]  # three free, then doubling up to 5 min
    assert agents.login_wait("maria", "10.0.0.2", per_address=1000) == 300  # same agent id, any address
    assert waits_until(4, "Luca") == []  # another name is not delayed
    clock.advance(3600 + 301)
    assert waits_until(4) == []  # an hour without tries forgets them
    assert agents.login_wait("Maria", "10.0.0.1", per_address=1000) == 1
    clock.advance(1)
    agents.login_succeeded("maria")
    assert waits_until(4) == []  # so does the right password


def test_login_attempts_per_address_are_capped_over_all_names(agents, clock):
    clock.advance(15 - clock() % 60)  # 15 s into a minute
    for name in ("a", "b", "c"):
        assert agents.login_wait(name, "2001:db8::1", per_address=3) == 0
    assert agents.login_wait("d", "2001:db8::2", per_address=3) == 45  # same /64; until the minute ends
    assert agents.login_wait("d", "2001:db8:0:1::1", per_address=3) == 0  # another /64
    clock.advance(45)
    assert agents.login_wait("d", "2001:db8::1", per_address=3) == 0


def test_login_failures_keep_no_name_or_address_in_redis(agents, redis_client):
    agents.login_wait("Maria Rossi", "203.0.113.7")
    stored = all_redis_values(redis_client)
    assert "203.0.113.7" not in stored
    assert "maria" not in stored.lower()


def test_slug():
    assert slug("  Anna-Lisa D'Amico ") == "anna-lisa-d-amico"
    assert slug("ÉLODIE") == "elodie"
    assert slug("!!!") == ""


@pytest.fixture
def cli_env(redis_url, redis_client, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("NOHOLD_VAR_DIR", str(tmp_path / "var"))
    for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    return AgentDirectory(redis_client)


def test_cli_add_list_token_passwd_revoke(cli_env, capsys, monkeypatch):
    assert agents_cli.main(["add", "Maria Rossi", "--role", "supervisor", "--languages", "it,en",
                            "--phone", "+393471234567", "--password", PASSWORD]) == 0
    assert "maria-rossi" in capsys.readouterr().out
    answers = iter(["luca's password", "luca's password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert agents_cli.main(["add", "Luca"]) == 0
    assert cli_env.authenticate("luca", "luca's password").role == "agent"

    assert agents_cli.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "maria-rossi" in listing
    assert "supervisor" in listing
    assert "it,en" in listing
    assert "luca" in listing

    assert agents_cli.main(["token", "Maria Rossi"]) == 0
    token = capsys.readouterr().out.split()[0]
    assert cli_env.agent_for_token(token).id == "maria-rossi"

    assert agents_cli.main(["passwd", "maria-rossi", "--password", "a brand new one"]) == 0
    assert cli_env.authenticate("maria-rossi", "a brand new one") is not None
    assert agents_cli.main(["revoke", "maria-rossi"]) == 0
    assert cli_env.agent_for_token(token) is None


@pytest.mark.parametrize("argv, message", [
    (["add", "Maria", "--password", "short"], "at least 8"),
    (["add", "Maria", "--password", PASSWORD, "--languages", "fr"], "languages must be"),
    (["token", "ghost"], "no agent"),
    (["passwd", "ghost", "--password", PASSWORD], "no agent"),
])
def test_cli_errors_are_one_clear_line(cli_env, capsys, argv, message):
    assert agents_cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_cli_password_prompt_must_match(cli_env, capsys, monkeypatch):
    answers = iter(["first attempt", "second attempt"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert agents_cli.main(["add", "Maria"]) == 1
    assert "differ" in capsys.readouterr().err
    assert cli_env.all() == []
