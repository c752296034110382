"""Satisfaction with the app's services on a real Redis: one question after completion (dev outbox, fake Graph),
a 1-5 answer stored on the case and never queued, late answers and non-scores are normal messages, the figures."""
from __future__ import annotations

import pytest

from tests.integration.test_console import login
from tests.support import inbound
from tests.support.agent_api import PASSWORD, answered, api  # noqa: F401 (fixture)
from tests.support.apps import graph  # noqa: F401 (fixture)

CUSTOMER = "+393471234567"
PSID = "7788990011"
HOUR = 3600


def write(nohold, text: str, sender: str = CUSTOMER, channel: str = "sms") -> None:
    inbound.write(nohold, text, sender, channel)


def question(nohold, lang: str = "it") -> str:
    return nohold.prompts.text(lang, "chat.satisfaction.question")


def outbox(nohold) -> list[str]:
    return [entry["body"] for entry in nohold.outbox.entries()][::-1]


def served(nohold, api, social_jobs, sender: str = CUSTOMER, channel: str = "sms"):
    """A customer writes, Maria answers and completes the request; the jobs run. Returns the completed item."""
    write(nohold, "ciao, la fibra va lentissima da ieri sera", sender=sender, channel=channel)
    social_jobs()
    item_id = answered(api)
    social_jobs()
    return nohold.queue.get(item_id)


def test_the_question_is_sent_once_after_completion(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    assert not nohold.satisfaction.ask(item)  # asked again (a retried hook): nothing more is sent
    social_jobs()
    assert outbox(nohold).count(question(nohold)) == 1


def test_the_question_is_an_automated_message(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    [asked] = [m for m in nohold.social.threads.messages(item.details["thread_id"]) if m.text == question(nohold)]
    assert asked.kind == "auto"


def test_a_four_is_stored_on_the_case(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    write(nohold, "4")
    social_jobs()
    assert nohold.cases.get(item.case_number).satisfaction == 4


def test_the_case_in_the_api_shows_the_answer(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    write(nohold, "four")
    social_jobs()
    assert api("GET", f"/api/cases/{item.case_number}").get_json()["case"]["satisfaction"] == 4


def test_a_four_is_not_queued_as_a_request(nohold, api, social_jobs):
    served(nohold, api, social_jobs)
    write(nohold, "4")
    social_jobs()
    assert nohold.queue.depth().get("thread", 0) == 0


def test_a_four_is_thanked(nohold, api, social_jobs):
    served(nohold, api, social_jobs)
    write(nohold, "4")
    social_jobs()
    assert outbox(nohold)[-1] == nohold.prompts.text("it", "chat.satisfaction.thanks")


def test_an_answer_after_24_hours_is_a_normal_message(nohold, api, social_jobs, clock):
    item = served(nohold, api, social_jobs)
    clock.advance(25 * HOUR)
    write(nohold, "4")
    social_jobs()
    assert nohold.queue.depth().get("thread", 0) == 1
    assert nohold.cases.get(item.case_number).satisfaction == 0


def test_ciao_is_not_a_score(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    write(nohold, "ciao")
    social_jobs()
    assert nohold.queue.depth().get("thread", 0) == 1
    assert nohold.cases.get(item.case_number).satisfaction == 0


def test_after_another_message_a_four_is_a_normal_message(nohold, api, social_jobs):
    item = served(nohold, api, social_jobs)
    write(nohold, "ciao, ho un'altra domanda sul modem")
    write(nohold, "4")  # may answer an agent's "how many devices?" in the new conversation
    social_jobs()
    assert nohold.cases.get(item.case_number).satisfaction == 0


def test_the_figures_per_agent_and_channel(nohold, api, social_jobs):
    served(nohold, api, social_jobs)
    write(nohold, "5 stelle")
    social_jobs()
    body = api("GET", "/api/satisfaction", who="sara").get_json()
    assert body["all"]["average"] == 5.0
    assert body["agent"]["maria"]["count"] == 1
    assert body["channel"]["sms"]["distribution"]["5"] == 1


def test_an_agent_may_not_read_the_figures(api):
    assert api("GET", "/api/satisfaction").status_code == 403


@pytest.mark.parametrize("query", ["from=ieri", "from=2026-12-05&to=2026-12-01", "from=2024-01-01&to=2026-12-01"])
def test_a_bad_range_is_a_400(api, query):
    answer = api("GET", f"/api/satisfaction?{query}", who="sara")
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "bad_request"


def test_the_supervisor_page_shows_the_average(app, nohold, api, social_jobs):
    served(nohold, api, social_jobs)
    write(nohold, "cinque")
    social_jobs()
    client = app.test_client()
    login(client, "sara", PASSWORD)
    page = client.get("/console/supervisor").get_data(as_text=True)
    assert 'id="satisfaction"' in page
    assert ">5,0</span>" in page  # the Italian decimal comma


# -- Messenger, against the local fake Graph: the question is never sent under HUMAN_AGENT -----------------------
@pytest.fixture
def settings(settings, request):
    if "graph" not in request.fixturenames:
        return settings
    server = request.getfixturevalue("graph")
    return settings.with_overrides(messenger_app_secret="secret", messenger_verify_token="verify",
                                   messenger_page_token="page-token", messenger_page_id="1122",
                                   graph_api_base=server.base_url)


def graph_texts(graph) -> list[tuple[str, str]]:
    return [(r["json"]["message"]["text"], r["json"].get("tag", "")) for r in graph.requests
            if r["method"] == "POST" and "message" in (r["json"] or {})]


def test_on_messenger_the_question_goes_untagged(graph, nohold, api, social_jobs):
    served(nohold, api, social_jobs, sender=PSID, channel="messenger")
    assert (question(nohold), "") in graph_texts(graph)


def test_on_messenger_past_24_hours_the_question_is_not_sent_to_graph(graph, nohold, api, social_jobs, clock):
    write(nohold, "ciao, la fibra va lentissima", sender=PSID, channel="messenger")
    social_jobs()
    clock.advance(30 * HOUR)
    claim = api("POST", "/api/claims/next", body={}).get_json()
    item_id, fence = claim["item"]["id"], claim["fence"]
    api("POST", f"/api/items/{item_id}/complete", body={"fence": fence, "outcome": "resolved"})
    social_jobs()
    assert question(nohold) not in [text for text, _ in graph_texts(graph)]
    thread = nohold.social.threads.for_customer("messenger", PSID)
    assert [m.state for m in nohold.social.threads.messages(thread.id) if m.text == question(nohold)] == ["skipped"]
