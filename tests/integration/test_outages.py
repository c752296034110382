"""Known outages on a real Redis: declaring, subscribing, one resolve that notifies, spikes; the console's card."""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis

from social_bridge.outages.outages import CAUSES, MAX_FIX_AHEAD, Outage, OutageRefused, Outages
from tests.conftest import ROME
from tests.integration.test_console import Recorder, build_app, build_bridge, post, seed_agents, signed_in, token

HOUR = 3600
NUMBER = "+393471234567"


@pytest.fixture
def outages(redis_client, clock):
    return Outages(redis_client, clock=clock)


def declare(outages, clock, area="MI-NORD", cause="network_fault", hours=4, agent="sara") -> Outage:
    return outages.declare(area, cause, clock() + hours * HOUR, agent)


# --- declaring -----------------------------------------------------------------------------------

def test_declare_stores_the_outage_under_the_normalised_area(outages, clock, redis_client):
    outage = outages.declare(" mi-nord ", "exchange_fault", clock() + 4 * HOUR, "sara")
    assert outage == Outage(id=outage.id, area="MI-NORD", cause="exchange_fault", expected_fix_at=clock() + 4 * HOUR,
                            declared_at=clock(), declared_by="sara")
    assert outages.get(outage.id) == outage
    assert outages.active() == [outage]
    assert outages.active_for("mi-nord") == outage
    assert outages.active_for("RM-SUD") is None
    assert all(key.startswith("nohold:{outages}:") for key in redis_client.keys("*"))


@pytest.mark.parametrize("area, cause, fix_in, reason", [
    ("M", "network_fault", HOUR, "bad_area"),
    ("MI NORD", "network_fault", HOUR, "bad_area"),
    ("MI-" + "N" * 30, "network_fault", HOUR, "bad_area"),
    ("", "network_fault", HOUR, "bad_area"),
    ("MI-NORD", "flood", HOUR, "bad_cause"),
    ("MI-NORD", "", HOUR, "bad_cause"),
    ("MI-NORD", "network_fault", 0, "fix_past"),
    ("MI-NORD", "network_fault", -60, "fix_past"),
    ("MI-NORD", "network_fault", MAX_FIX_AHEAD + 1, "fix_far"),
])
def test_declare_refuses_bad_input_and_stores_nothing(outages, clock, area, cause, fix_in, reason):
    with pytest.raises(OutageRefused) as refused:
        outages.declare(area, cause, clock() + fix_in, "sara")
    assert refused.value.reason == reason
    assert outages.active() == []


def test_declaring_again_updates_the_areas_active_outage(outages, clock):
    first = declare(outages, clock)
    clock.advance(600)
    again = outages.declare("Mi-Nord", "power_cut", clock() + 2 * HOUR, "marco")
    assert again.id == first.id
    assert (again.cause, again.expected_fix_at) == ("power_cut", clock() + 2 * HOUR)
    assert (again.declared_at, again.declared_by) == (first.declared_at, "sara")
    assert outages.active() == [again]


def test_twenty_concurrent_declares_of_one_area_make_one_outage(outages, clock, redis_url):
    start, ids = threading.Barrier(20), []

    def declarer(n: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        start.wait()
        ids.append(Outages(client, clock=clock).declare("MI-NORD", CAUSES[n % len(CAUSES)], clock() + HOUR, f"s{n}").id)
        client.close()

    run_all(declarer, 20)
    assert len(set(ids)) == 1
    assert [o.id for o in outages.active()] == ids[:1]


def test_each_area_has_its_own_outage_and_a_resolved_one_makes_room_for_a_new(outages, clock):
    north, south = declare(outages, clock), declare(outages, clock, area="RM-SUD", cause="weather")
    assert {o.id for o in outages.active()} == {north.id, south.id}
    outages.resolve(north.id, "sara")
    fresh = declare(outages, clock)
    assert fresh.id != north.id
    assert {o.id for o in outages.active()} == {fresh.id, south.id}


@pytest.mark.parametrize("area", ["", "no area!", None])
def test_active_for_a_malformed_area_is_none(outages, clock, area):
    declare(outages, clock)
    assert outages.active_for(area) is None


@pytest.mark.parametrize("outage_id", ["", "nope", "0123456789ab", "../../etc"])
def test_unknown_outages(outages, outage_id):
    assert outages.get(outage_id) is None
    assert outages.resolve(outage_id, "sara") == []
    assert outages.subscribe(outage_id, NUMBER) is False


# --- subscribing and resolving -------------------------------------------------------------------

def test_subscribing_twice_counts_once(outages, clock):
    outage = declare(outages, clock)
    assert outages.subscribe(outage.id, NUMBER)
    assert outages.subscribe(outage.id, f" {NUMBER} ")
    assert outages.subscribe(outage.id, "messenger:4412093")
    assert outages.get(outage.id).subscribers == 2


@pytest.mark.parametrize("contact", ["", "3471234567", "+39 347 123", "messenger:", "not a contact", "x:with space"])
def test_subscribe_refuses_what_is_not_a_contact(outages, clock, contact):
    with pytest.raises(OutageRefused) as refused:
        outages.subscribe(declare(outages, clock).id, contact)
    assert refused.value.reason == "bad_contact"


def test_resolve_hands_out_the_subscribers_once_and_closes_the_outage(outages, clock):
    outage = declare(outages, clock)
    for contact in (NUMBER, "whatsapp:+393330000001", "x:998877"):
        outages.subscribe(outage.id, contact)
    clock.advance(HOUR)
    assert outages.resolve(outage.id, "marco") == sorted([NUMBER, "whatsapp:+393330000001", "x:998877"])
    assert outages.resolve(outage.id, "sara") == []
    resolved = outages.get(outage.id)
    assert (resolved.resolved_at, resolved.resolved_by, resolved.subscribers) == (clock(), "marco", 3)
    assert outages.active() == []
    assert outages.active_for("MI-NORD") is None
    assert outages.subscribe(outage.id, "+393330000002") is False


def test_twenty_concurrent_resolves_hand_the_subscribers_to_exactly_one(outages, clock, redis_url):
    outage = declare(outages, clock)
    contacts = sorted(f"+3934700000{n:02d}" for n in range(30))
    for contact in contacts:
        outages.subscribe(outage.id, contact)
    start, results = threading.Barrier(20), []

    def resolver(n: int) -> None:
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        start.wait()
        results.append(Outages(client, clock=clock).resolve(outage.id, f"s{n}"))
        client.close()

    run_all(resolver, 20)
    assert len(results) == 20
    assert [r for r in results if r] == [contacts]


def run_all(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --- reports and suggestions ---------------------------------------------------------------------

def reports(outages, area: str, count: int) -> int:
    return [outages.report(area) for _ in range(count)][-1]


def test_reports_count_per_area(outages):
    assert reports(outages, "mi-nord", 3) == 3
    assert outages.report("RM-SUD") == 1
    assert outages.report("no area!") == 0
    assert outages.report("") == 0  # the call goes on, nothing counted
    assert outages.suggestions(threshold=1) == [("MI-NORD", 3), ("RM-SUD", 1)]


@pytest.mark.parametrize("count, threshold, later, window, suggested", [
    (5, 5, 0, 600, 5),
    (4, 5, 0, 600, None),
    (12, 10, 0, 600, 12),
    (5, 5, 599, 600, 5),        # still the same 10-minute bucket
    (5, 5, 601, 600, None),     # the bucket fades as the window leaves it: 4.99 counts as 4
    (10, 5, 900, 600, 5),       # half of the old bucket is still inside the window
    (10, 5, 1000, 600, None),   # four tenths of it: 4
    (5, 5, 1200, 1800, 5),      # a longer window still holds them
    (5, 5, 1200, 600, None),
])
def test_suggestions_with_threshold_and_window(outages, clock, count, threshold, later, window, suggested):
    reports(outages, "MI-NORD", count)
    clock.advance(later)
    assert outages.suggestions(threshold=threshold, window=window) == ([("MI-NORD", suggested)] if suggested else [])


def test_a_spike_across_a_bucket_boundary_still_adds_up(outages, clock):
    clock.advance(8 * 60)
    reports(outages, "MI-NORD", 3)
    clock.advance(3 * 60)  # 10:11, in the next bucket; 9 of the last bucket's 10 minutes are in the window
    assert reports(outages, "MI-NORD", 3) == 5
    assert outages.suggestions() == [("MI-NORD", 5)]


def test_suggestions_most_reports_first_and_none_where_an_outage_is_declared(outages, clock):
    reports(outages, "RM-SUD", 6)
    reports(outages, "MI-NORD", 12)
    reports(outages, "TO-EST", 7)
    declare(outages, clock, area="TO-EST")
    assert outages.suggestions() == [("MI-NORD", 12), ("RM-SUD", 6)]


@pytest.mark.parametrize("threshold, window", [(0, 600), (5, 0), (5, 7200)])
def test_suggestions_refuse_nonsense(outages, threshold, window):
    with pytest.raises(ValueError):
        outages.suggestions(threshold, window)


# --- console -------------------------------------------------------------------------------------

@pytest.fixture
def bridge(redis_client, clock, outages):
    b = build_bridge(redis_client, clock)
    b.outages, b.on_outage_resolved = outages, Recorder(None)
    seed_agents(b)
    return b


@pytest.fixture
def app(bridge):
    return build_app(bridge)


@pytest.fixture
def sara(app):
    return signed_in(app, "sara")


def local_form(clock, hours: float) -> str:
    return datetime.fromtimestamp(clock() + hours * HOUR, ZoneInfo(ROME)).strftime("%Y-%m-%dT%H:%M")


def test_supervisor_declares_through_the_form_sees_it_and_resolves_it(sara, bridge, outages, clock):
    form = sara.get("/console/outages/new?area=mi-nord").get_data(as_text=True)
    assert 'value="mi-nord"' in form
    assert 'value="2026-12-02T12:00"' in form
    assert "Guasto di rete" in form
    answer = post(sara, "/console/outages", area="mi-nord", cause="network_fault", expected_fix="2026-12-02T14:30")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/console/supervisor"
    outage = outages.active_for("MI-NORD")
    assert outage.expected_fix_at == datetime(2026, 12, 2, 14, 30, tzinfo=ZoneInfo(ROME)).timestamp()
    page = sara.get("/console/supervisor").get_data(as_text=True)
    assert "Guasto dichiarato per MI-NORD" in page
    assert "Guasti noti" in page
    card = page[page.index("Guasti noti"):].split("</section>")[0]
    resolve = f"/console/outages/{outage.id}/resolve"
    assert all(text in card for text in ("Guasto di rete", "02/12 14:30", "Sara", resolve))

    outages.subscribe(outage.id, NUMBER)
    outages.subscribe(outage.id, "messenger:4412093")
    assert post(sara, f"/console/outages/{outage.id}/resolve").status_code == 302
    page = sara.get("/console/supervisor").get_data(as_text=True)
    assert "Guasto in MI-NORD risolto. Clienti da avvisare: 2." in page
    assert post(sara, f"/console/outages/{outage.id}/resolve").status_code == 302
    assert "era già risolto" in sara.get("/console/supervisor").get_data(as_text=True)
    assert bridge.on_outage_resolved.calls == [(outage.id, sorted([NUMBER, "messenger:4412093"]))]
    assert outages.active() == []


def test_declaring_again_from_the_console_updates(sara, outages, clock):
    declare(outages, clock)
    post(sara, "/console/outages", area="MI-NORD", cause="weather", expected_fix=local_form(clock, 6))
    assert [o.cause for o in outages.active()] == ["weather"]
    assert "Guasto in MI-NORD aggiornato." in sara.get("/console/supervisor").get_data(as_text=True)


@pytest.mark.parametrize("area, cause, hours, message", [
    ("M", "weather", 2, "Zona non valida"),
    ("MI-NORD", "flood", 2, "Scegli una causa"),
    ("MI-NORD", "weather", -1, "deve essere nel futuro"),
])
def test_a_refused_declaration_shows_the_form_again_with_what_was_typed(sara, outages, clock, area, cause, hours,
                                                                       message):
    answer = post(sara, "/console/outages", area=area, cause=cause, expected_fix=local_form(clock, hours))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in page
    assert f'value="{area}"' in page
    assert outages.active() == []


def test_a_garbled_time_is_400(sara, outages):
    assert post(sara, "/console/outages", area="MI-NORD", cause="weather", expected_fix="tomorrow").status_code == 400
    assert outages.active() == []


def test_declare_needs_the_csrf_token(sara, outages, clock):
    fields = {"area": "MI-NORD", "cause": "weather", "expected_fix": local_form(clock, 2)}
    answer = sara.post("/console/outages", data=fields)
    assert answer.status_code == 403
    assert outages.active() == []


@pytest.mark.parametrize("method, path", [("GET", "/console/outages/new"), ("POST", "/console/outages"),
                                          ("POST", "/console/outages/0123456789ab/resolve"),
                                          ("GET", "/console/outages.json")])
def test_agents_get_403(app, method, path):
    maria = signed_in(app, "maria")
    data = {"csrf_token": token(maria)} if method == "POST" else None
    assert maria.open(path, method=method, data=data).status_code == 403


def test_resolving_an_unknown_outage_is_404(sara):
    assert post(sara, "/console/outages/0123456789ab/resolve").status_code == 404


def test_a_spike_is_suggested_with_a_prefilled_declare(sara, outages):
    reports(outages, "MI-NORD", 12)
    page = sara.get("/console/supervisor/body").get_data(as_text=True)
    assert "12 segnalazioni da MI-NORD negli ultimi 10 minuti: dichiarare un guasto?" in page
    assert 'href="/console/outages/new?area=MI-NORD"' in page
    form = sara.get("/console/outages/new?area=MI-NORD").get_data(as_text=True)
    assert 'value="MI-NORD"' in form
    assert "12 segnalazioni" in form


def test_outages_json_for_scripts(sara, outages, clock):
    outage = declare(outages, clock, area="RM-SUD", cause="planned_works")
    reports(outages, "MI-NORD", 6)
    data = sara.get("/console/outages.json").json
    assert [(o["id"], o["area"], o["cause"]) for o in data["active"]] == [(outage.id, "RM-SUD", "planned_works")]
    assert data["suggestions"] == [{"area": "MI-NORD", "reports": 6}]
    answer = sara.post(f"/console/outages/{outage.id}/resolve", headers={"X-CSRF-Token": token(sara)})
    assert answer.json == {"outage_id": outage.id, "subscribers": 0, "notified": False}


def test_without_outages_configured_the_card_is_absent_and_routes_404(redis_client, clock):
    plain = build_bridge(redis_client, clock)
    seed_agents(plain)
    client = signed_in(build_app(plain), "sara")
    assert "Guasti noti" not in client.get("/console/supervisor").get_data(as_text=True)
    assert client.get("/console/outages.json").status_code == 404
