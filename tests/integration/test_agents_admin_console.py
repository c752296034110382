"""The agents page (issue 19) on the whole app and a real Redis: supervisors only, every operation through its form
(with CSRF), a secret shown once, refusals as a sentence with nothing changed, a disabled agent's open session
logged out at its next request, the audit list at the bottom."""
from __future__ import annotations

import re

import pytest

from tests.integration.test_console import csrf_of, post

PASSWORD = "a long enough password"


@pytest.fixture
def directory(app):
    agents = app.extensions["social_bridge"].agents
    agents.create("Sara", PASSWORD, role="supervisor", languages=("it", "en"))
    agents.create("Maria", PASSWORD, phone="+393471234567")
    return agents


def signed_in(app, name: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/console/login", data={"name": name, "password": password, "csrf_token": csrf_of(client)})
    assert response.status_code == 302
    return client


@pytest.fixture
def sara(app, directory):
    return signed_in(app, "sara")


@pytest.fixture
def maria(app, directory):
    return signed_in(app, "maria")


def page_of(client) -> str:
    return client.get("/console/agents").get_data(as_text=True)


def secret_on(page: str) -> str:
    return re.search(r'<code id="secret-value"[^>]*>([^<]+)</code>', page).group(1)


def test_only_supervisors_see_the_link_and_the_page(sara, maria):
    assert 'id="nav-agents"' in sara.get("/console/").get_data(as_text=True)
    assert 'id="nav-agents"' not in maria.get("/console/").get_data(as_text=True)
    assert maria.get("/console/agents").status_code == 403
    assert post(maria, "/console/agents", name="Luca Verdi", languages="it").status_code == 403
    assert post(maria, "/console/agents/sara/disable").status_code == 403


def test_the_list_shows_role_languages_status_and_a_masked_phone(sara):
    page = page_of(sara)
    row = re.search(r'<tr id="agent-maria".*?</tr>', page, re.S).group(0)
    assert "operatore" in row
    assert "IT" in row
    assert "attivo" in row
    assert "+39" in row
    assert "3471234567" not in page


def test_an_agent_added_with_a_generated_password_can_sign_in_and_it_is_shown_once(app, sara):
    answer = post(sara, "/console/agents", name="Luca Verdi", role="agent", languages=["it", "en"],
                  teams=["tecnico"], password="")
    assert answer.status_code == 200
    password = secret_on(answer.get_data(as_text=True))
    luca = signed_in(app, "luca-verdi", password)
    assert luca.get("/console/").status_code == 200
    assert password not in page_of(sara)
    assert app.extensions["social_bridge"].agents.get("luca-verdi").teams == ("tecnico",)


def test_a_chosen_password_is_not_shown_back(app, sara):
    answer = post(sara, "/console/agents", name="Luca", languages="it", password="his own long password")
    assert answer.status_code == 302
    assert 'id="secret-value"' not in page_of(sara)
    assert signed_in(app, "luca", "his own long password").get("/console/").status_code == 200


@pytest.mark.parametrize("fields, sentence", [
    ({"name": "Maria", "languages": "it"}, "Il nome «Maria» è già in uso (id maria): scegline un altro."),
    ({"name": "Luca", "languages": "it", "password": "corta"},
     "La password è troppo corta: servono almeno 8 caratteri."),
    ({"name": "Luca", "languages": "fr"}, "Lingua sconosciuta: fr. Quelle disponibili sono it, en."),
    ({"name": "Luca"}, "Lingua sconosciuta: -. Quelle disponibili sono it, en."),
    ({"name": "Luca", "languages": "it", "teams": "astronauti"}, "Team sconosciuto: astronauti."),
])
def test_bad_input_is_a_sentence_and_nothing_changes(app, sara, directory, fields, sentence):
    before = [a.id for a in directory.all()]
    page = sara.get(post(sara, "/console/agents", **fields).headers["Location"]).get_data(as_text=True)
    assert sentence in page.replace("&#39;", "'").replace("&lt;", "<")
    assert [a.id for a in directory.all()] == before
    assert "Nessuna modifica finora." in page


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(sara, directory):
    assert sara.post("/console/agents/maria/disable").status_code == 403
    assert sara.post("/console/agents", data={"name": "Luca", "languages": "it"}).status_code == 403
    assert not directory.get("maria").disabled
    assert directory.get("luca") is None


def test_a_disabled_agents_open_session_is_logged_out_at_the_next_request(app, sara, maria, directory):
    assert maria.get("/console/").status_code == 200
    assert post(sara, "/console/agents/maria/disable").status_code == 302
    answer = maria.get("/console/")
    assert answer.status_code == 302
    assert "/console/login" in answer.headers["Location"]
    assert maria.get("/console/queue.json").status_code == 401
    refused = maria.post("/console/login", data={"name": "maria", "password": PASSWORD, "csrf_token": csrf_of(maria)})
    assert refused.status_code == 401
    assert "disattivato" in re.search(r'<tr id="agent-maria".*?</tr>', page_of(sara), re.S).group(0)


def test_enabling_again_lets_them_sign_in_but_does_not_revive_the_old_session(app, sara, maria):
    post(sara, "/console/agents/maria/disable")
    post(sara, "/console/agents/maria/enable")
    assert maria.get("/console/").status_code == 302
    assert signed_in(app, "maria").get("/console/").status_code == 200


def test_a_supervisor_cannot_disable_themselves(sara, directory):
    page = sara.get(post(sara, "/console/agents/sara/disable").headers["Location"]).get_data(as_text=True)
    assert "Non puoi disattivare te stesso" in page
    assert not directory.get("sara").disabled
    assert sara.get("/console/").status_code == 200


def test_the_last_supervisor_cannot_step_down(sara, directory):
    page = sara.get(post(sara, "/console/agents/sara/edit", languages=["it"], role="agent").headers["Location"])
    assert "l&#39;ultimo supervisore attivo" in page.get_data(as_text=True)
    assert directory.get("sara").role == "supervisor"


def test_a_reset_password_is_shown_once_and_ends_the_agents_sessions(app, sara, maria, directory):
    answer = post(sara, "/console/agents/maria/password", password="")
    password = secret_on(answer.get_data(as_text=True))
    assert maria.get("/console/").status_code == 302
    assert directory.authenticate("maria", password).id == "maria"
    assert directory.authenticate("maria", PASSWORD) is None


def test_a_token_is_shown_once_works_and_is_revoked(app, sara, directory):
    answer = post(sara, "/console/agents/maria/tokens").get_data(as_text=True)
    token = secret_on(answer)
    api = app.test_client()
    assert api.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page = page_of(sara)
    assert token not in page
    token_id = re.search(r'data-revoke="([0-9a-f]{12})"', page).group(1)
    assert post(sara, f"/console/agents/maria/tokens/{token_id}/revoke").status_code == 302
    assert api.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    gone = sara.get(post(sara, f"/console/agents/maria/tokens/{token_id}/revoke").headers["Location"])
    assert f"maria non ha nessun token con id «{token_id}»." in gone.get_data(as_text=True)


def test_languages_and_teams_are_edited(sara, directory):
    assert post(sara, "/console/agents/maria/edit", languages=["it", "en"], teams=["tecnico", "commerciale"],
                role="agent").status_code == 302
    maria = directory.get("maria")
    assert (maria.languages, maria.teams) == (("it", "en"), ("tecnico", "commerciale"))
    answer = post(sara, "/console/agents/maria/edit", languages=["it"], teams=["nessuno"])
    refused = sara.get(answer.headers["Location"])
    assert "Team sconosciuto: nessuno." in refused.get_data(as_text=True)
    assert directory.get("maria").languages == ("it", "en")


def test_an_unknown_agent_is_a_sentence(sara):
    page = sara.get(post(sara, "/console/agents/nobody/enable").headers["Location"]).get_data(as_text=True)
    assert "Non c&#39;è nessun operatore con id «nobody»." in page


def test_every_change_is_in_the_audit_list_with_who_and_whom(sara):
    post(sara, "/console/agents", name="Luca", languages="it", password="his own long password")
    post(sara, "/console/agents/maria/tokens")
    post(sara, "/console/agents/maria/disable")
    audit = re.search(r'<table class="grid" id="agent-audit">.*?</table>', page_of(sara), re.S).group(0)
    rows = re.findall(r'<tr data-action="([a-z_]+)"><td>[^<]+</td><td>([^<]+)</td><td>[^<]+</td>\s*<td>([^<]+)</td>',
                      audit)
    assert rows == [("disable", "Sara", "Maria"), ("token_issued", "Sara", "Maria"), ("add", "Sara", "Luca")]


def test_the_page_and_its_refusals_in_english(sara):
    post(sara, "/console/language", lang="en")
    assert "<h1>Agents</h1>" in page_of(sara)
    page = sara.get(post(sara, "/console/agents", name="Luca", languages="de").headers["Location"])
    assert "Unknown language: de. The ones available are it, en." in page.get_data(as_text=True)
