"""The access log (issue 18 §5) and the supervisor's erase button (§3), through the real app and console.

Who read a customer's words, listened to a recording, exported or erased is logged (who, what, which
record, when) and shown to supervisors only; the log never holds the words or the number, and retention
drops its entries after RETENTION_ACCESS_LOG_DAYS.
"""
from __future__ import annotations

import io

import pytest
import redis as redis_lib

from ivr.runtime import privacy_cli
from tests.e2e.test_social_e2e import CALLER, PSID, clouds  # noqa: F401 (fixture)
from tests.integration.test_console import PASSWORD, login
from tests.integration.test_privacy_erase import (AGENT_SAID, OTHER, SAID, VOICEMAIL_CALL, WRITTEN, journeys,
                                                  live)  # noqa: F401 (fixture)
from tests.support.privacy_scan import number_forms, traces

DAY = 86400
LOG = "nohold:{access}:log"


@pytest.fixture
def store(redis_url):
    """One node: the erase tests cover the Cluster."""
    client = redis_lib.Redis.from_url(redis_url)
    yield {}, client
    client.close()


def signed_in(app, name: str, role: str = "agent"):
    app.extensions["social_bridge"].agents.create(name, PASSWORD, role=role)
    client = app.test_client()
    assert login(client, name.lower(), PASSWORD).status_code == 302
    return client


def csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def test_reads_listens_exports_and_erasures_are_logged_without_content(live, clouds, clock, tmp_path):
    app, nohold, run_jobs, raw = live
    journeys(app, nohold, run_jobs, clouds, clock)
    voicemail = nohold.calls.load(VOICEMAIL_CALL).item_id
    sara, luca = signed_in(app, "Sara", role="supervisor"), signed_in(app, "Luca")

    assert sara.get(f"/console/items/{voicemail}").status_code == 200
    assert sara.get(f"/console/items/{voicemail}/recording").status_code == 200
    assert luca.get(f"/console/items/{voicemail}").status_code == 200   # not his: he does not see the words
    assert privacy_cli.main(["export", "--phone", CALLER, "--by", "dpo", "--out", str(tmp_path / "p.json")],
                            settings=nohold.settings, out=io.StringIO()) == 0
    log = nohold.privacy.access_log.entries()
    assert [(e["who"], e["action"], e["subject"]) for e in reversed(log)] == [
        ("sara", "read_words", f"item:{voicemail}"), ("sara", "listen_recording", f"item:{voicemail}"),
        ("dpo", "export", f"phone:{nohold.privacy.persons.of(CALLER)}")]
    assert traces(raw, number_forms(CALLER) + [PSID, SAID, WRITTEN, AGENT_SAID]) != []
    assert [key for key, _ in traces(raw, number_forms(CALLER) + [SAID, WRITTEN])] .count(LOG) == 0

    page = sara.get("/console/supervisor").get_data(as_text=True)
    assert "ha ascoltato il messaggio vocale" in page
    assert luca.get("/console/supervisor").status_code == 403
    assert luca.post("/console/supervisor/erase", data={"item_id": voicemail, "csrf_token": csrf(luca)}).status_code == 403

    answer = sara.post("/console/supervisor/erase", data={"item_id": voicemail, "csrf_token": csrf(sara)})
    assert answer.status_code == 302
    assert traces(raw, number_forms(CALLER) + [PSID, SAID, WRITTEN, AGENT_SAID]) == []
    assert nohold.queue.pending_for(nohold.desk.callback_key(OTHER)) is not None
    [erased] = [e for e in nohold.privacy.access_log.entries() if e["action"] == "erase"]  # (the CLI's clock is real)
    assert (erased["who"], erased["action"], erased["subject"]) == ("sara", "erase", f"item:{voicemail}")
    assert "work items" in erased["detail"]


def test_the_access_log_is_kept_for_its_own_time(live, clouds, clock):
    _, nohold, _, raw = live
    log = nohold.privacy.access_log
    log.record("sara", "read_words", "item:old")
    clock.advance(700 * DAY)
    log.record("sara", "read_words", "item:recent")
    clock.advance(31 * DAY)                                    # the first is 731 days old, the second 31
    assert nohold.privacy.retention.run() == {"access log entries": 1}
    assert [e["subject"] for e in log.entries()] == ["item:recent"]
    with pytest.raises(ValueError):
        log.record("sara", "looked_around", "item:recent")


def test_the_api_logs_reads_and_listens_too(live, clouds, clock):
    app, nohold, run_jobs, _ = live
    journeys(app, nohold, run_jobs, clouds, clock)
    voicemail = nohold.calls.load(VOICEMAIL_CALL).item_id
    agents = app.extensions["social_bridge"].agents
    supervisor, agent = agents.create("Sara", PASSWORD, role="supervisor"), agents.create("Luca", PASSWORD)
    api = app.test_client()
    for who in (supervisor, agent):
        headers = {"Authorization": f"Bearer {agents.issue_token(who.id)}"}
        assert api.get(f"/api/items/{voicemail}", headers=headers).status_code == 200
        api.get(f"/api/items/{voicemail}/recording", headers=headers)   # Luca: 403, not his
    log = [(e["who"], e["action"]) for e in reversed(nohold.privacy.access_log.entries())]
    assert log == [("sara", "read_words"), ("sara", "listen_recording")]
