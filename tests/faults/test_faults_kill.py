"""kill -9 of a gunicorn worker, the gunicorn master, the RQ worker and redis-server (AOF on) while scripted
calls book callbacks, callers text STATO/ANNULLA and signed Messenger events arrive; then a final restart
and drain. Every booking a caller heard confirmed is still in the queue, no number has two callback items,
no SMS and no Messenger reply went out twice, every Messenger delivery answered 200 became a thread message.

Real gunicorn (tests/support/web_server.py), real `python -m ivr worker`, real redis-server, the simulator's Phone
over HTTP, fake Twilio REST and Graph API recording what was sent. FAULTS_SEED picks when and what is
killed (the seed is printed). About a minute. Processes that die are restarted the way systemd would:
gunicorn's master respawns its workers, the test restarts the master, the RQ worker and redis-server
(same port, same directory, so the AOF brings the state back).

Redis runs with `appendfsync always` here: every write is fsynced before its reply, so nothing a caller
heard confirmed can be missing even after a power loss. With the default `everysec`, a kill -9 of
redis-server alone usually loses nothing either (the AOF is written to the OS before the reply; only
the fsync waits — unless a slow disk made Redis postpone the write, up to ~2 s), but a crash of the
whole machine can lose up to ~1 s of acknowledged writes: bookings callers heard confirmed in that
second, stored Messenger batches already answered 200 (docs/redis-ha.md). No machine crash is simulated.
"""
from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
import redis as redis_lib
import requests
import yaml
from rq.job import Job

from ivr.jobs.messages import MESSAGE_STUCK_AFTER, sweep_messages
from ivr.runtime.job_queue import job_queue
from ivr.runtime.job_queue import sms_enqueuer as enqueuer
from ivr.call.messaging import Messages
from ivr.runtime.redis_server import RedisServer
from ivr.simulate import HttpTransport, Phone, Unreachable
from ivr.runtime.job_queue import drain_enqueuer
from social_bridge.chat.inbound_queue import InboundQueue
from social_bridge.chat.threads import Threads
from social_bridge.privacy.pseudonyms import PersonKeys, derived_secret
from social_bridge.queue.work_queue import WorkQueue
from tests.support.fake_social import FakeSocial, meta_signature
from tests.support.fake_twilio import FakeTwilio
from tests.faults.test_dialer_faults import Workers, _ordinary_day_country
from tests.integration.test_social_webhooks import APP_SECRET, PAGE, batch, entry
from tests.support.web_server import DEV_TOKEN, WebServer

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = yaml.safe_load((ROOT / "scenarios" / "it_internet_callback.yaml").read_text())
CALLS, CALLERS_AT_ONCE, MESSENGER_EVENTS = 48, 8, 30
CALL_EVERY, MESSENGER_EVERY, THINK = 0.7, 1.1, 0.25   # seconds: calls and deliveries spread over ~35 s
KILL_EVERY = (0.9, 1.8)          # seconds between kills
TRAFFIC_SECONDS = 40             # kills stop after this even if calls are still running
TARGETS = {"web_worker": 4, "web_master": 1, "rq_worker": 3, "redis": 3}   # relative weights
MAX_MASTER_KILLS = 1             # each costs a gunicorn start (~10 s: the intent model loads again)
CONFIRMED = "richiameremo"       # voice.booked_*: "Fatto: … la richiameremo …"
CANCELLED = "annullata"          # sms.cancelled


def number_of(n: int) -> str:
    """An Italian mobile of its own block (the adjacent-numbers breaker must not trip)."""
    return f"+39347{n:03d}45{n % 100:02d}"


def script_for(n: int) -> dict:
    answers = [{**answer, "expect": "finisce con"} if answer.get("expect") == "finisce con 4 5 6 7" else answer
               for answer in SCRIPT["answers"]]
    sms = [{"body": "STATO", "expect": "ANNULLA"}]
    if n % 4 == 0:
        sms.append({"body": "ANNULLA", "expect": CANCELLED})
    return {**SCRIPT, "answers": answers, "from": number_of(n), "then_sms": sms}


class Stack:
    """Everything this test starts; `up()` restarts whatever is down, `close()` stops it all."""

    def __init__(self, tmp_path: Path, twilio: FakeTwilio, meta: FakeSocial):
        self.redis = RedisServer(tmp_path / "redis", appendonly=True, appendfsync="always")
        common = {"REDIS_URL": self.redis.url, "NOHOLD_VAR_DIR": str(tmp_path / "var"),
                  "BUSINESS_HOURS": "mon-sun 00:00-24:00", "HOLIDAY_COUNTRY": _ordinary_day_country(),
                  "CHAT_CHANNELS": "sms,messenger", "MESSENGER_APP_SECRET": APP_SECRET,
                  "MESSENGER_VERIFY_TOKEN": "verify", "MESSENGER_PAGE_TOKEN": "page-token",
                  "MESSENGER_PAGE_ID": PAGE, "GRAPH_API_BASE": meta.base_url, "TRANSCRIPTION_ENGINE": "off",
                  "SECRET_KEY": "k" * 32}
        self.web = WebServer(common, tmp_path, workers=2, threads=8)
        # the worker sends SMS through the fake Twilio REST; webhooks are signed with the dev token (live
        # settings need an https PUBLIC_BASE_URL: the worker builds no URL these tests follow)
        self.workers = Workers({**common, "PUBLIC_BASE_URL": "https://nohold.example.it", "NOHOLD_DEV_TOKEN": DEV_TOKEN,
                                "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
                                "TWILIO_NUMBER": "+390212345678", "TWILIO_API_BASE": twilio.base_url}, tmp_path)
        self.restarts = Counter()
        self.web_starting: threading.Thread | None = None
        self.web_errors: list[BaseException] = []

    def _start_web(self) -> None:
        try:
            self.web.start(timeout=60)
        except BaseException as exc:  # seen by the test (web_up), which fails with it
            self.web_errors.append(exc)

    def web_up(self, wait: float = 0.0) -> bool:
        """Restarts gunicorn if its master is gone (in the background: kills go on meanwhile)."""
        if self.web_starting is not None:
            self.web_starting.join(wait)
            if self.web_starting.is_alive():
                return False
            self.web_starting = None
            assert not self.web_errors, self.web_errors
        if self.web.proc is None or self.web.proc.poll() is not None:
            self.restarts["web"] += 1
            self.web_starting = threading.Thread(target=self._start_web, daemon=True)
            self.web_starting.start()
            return self.web_up(wait)
        return True

    def up(self, wait: float = 0.0) -> bool:
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start(timeout=20)
            self.restarts["redis"] += 1
        web = self.web_up(wait)
        if self.workers.process is None or self.workers.process.poll() is not None:
            self.workers.start()  # a worker that lost Redis exits by itself: it comes back here too
            self.restarts["rq_worker"] += 1
        return web

    # -- the kills ---------------------------------------------------------------------------------
    def kill(self, target: str, rng: random.Random) -> bool:
        if target.startswith("web") and self.web_starting is not None:
            return False  # gunicorn is still starting
        if target == "web_worker":
            pids = self.web.worker_pids()
            if not pids:
                return False
            os.kill(rng.choice(pids), signal.SIGKILL)  # the master forks another
        elif target == "web_master":
            orphans = [psutil.Process(pid) for pid in self.web.worker_pids()]
            os.kill(self.web.proc.pid, signal.SIGKILL)
            self.web.proc.wait()
            # its workers notice the master is gone and leave; until then they hold the port
            _, alive = psutil.wait_procs(orphans, timeout=5)
            for process in alive:
                process.kill()
        elif target == "rq_worker":
            if self.workers.process.poll() is not None:
                return False
            self.workers.kill_9()
        else:
            self.redis.process.kill()
            self.redis.process.wait()
            time.sleep(rng.uniform(0.1, 0.5))  # down for a moment: requests meanwhile get the apology
        return True

    def close(self) -> None:
        for stop in (self.workers.kill_all, self.web.stop, self.redis.stop):
            try:
                stop()
            except Exception:  # the rest must still be stopped
                pass


@pytest.fixture
def stack(tmp_path):
    twilio, meta = FakeTwilio(auth_token="secret").start(), FakeSocial().start()
    started = Stack(tmp_path, twilio, meta)
    try:
        assert started.up(wait=90), "gunicorn did not start"
        started.restarts.clear()
        yield started, twilio, meta
    finally:
        started.close()
        twilio.stop()
        meta.stop()


def messenger(web: WebServer, n: int) -> tuple[str, str, int]:
    """One signed Messenger delivery from a customer of its own; (psid, text, HTTP status or 0)."""
    psid, text = f"77{n:08d}", f"ciao, la fibra non va da ieri sera (cliente {n})"
    body = batch(entry(mid=f"m_fault_{n}", sender=psid, text=text, millis=int(time.time() * 1000)))
    try:
        response = requests.post(web.base + "/social/messenger", data=body, timeout=10,
                                 headers={"X-Hub-Signature-256": meta_signature(APP_SECRET, body),
                                          "Content-Type": "application/json"})
        return psid, text, response.status_code
    except requests.RequestException:
        return psid, text, 0


class Thinking(HttpTransport):
    """A caller who takes a moment before each answer: a call lasts long enough for kills to land inside it."""

    def post(self, url, form, headers):
        time.sleep(THINK)
        return super().post(url, form, headers)


def call(web: WebServer, n: int, began: float):
    time.sleep(max(0.0, began + n * CALL_EVERY - time.monotonic()))
    phone = Phone(web.base, DEV_TOKEN, Thinking(timeout=10), out=None)
    try:
        return phone.run_script(script_for(n))
    except Unreachable:  # nothing answered the first ring (gunicorn restarting): the caller heard nothing
        return None


def promote_retries(queue) -> int:
    """Jobs waiting out a retry backoff (not the minute sweep, always scheduled) are queued now."""
    registry = queue.scheduled_job_registry
    jobs = Job.fetch_many(registry.get_job_ids(), connection=queue.connection)
    waiting = [job for job in jobs if job is not None and job.func_name != "ivr.jobs.sweep.sweep"]
    for job in waiting:
        registry.remove(job)
        queue.enqueue_job(job)
    return len(waiting)


def drain(stack: Stack, timeout: float) -> bool:
    """Final drain, as if the minutes it takes had passed: a drain for batches and a new job for
    messages whose job died with a worker (what the minute sweep does), retries queued without their
    backoff; until the queue is empty, no batch is pending and the sweep finds nothing more to do."""
    client = redis_lib.Redis.from_url(stack.redis.url, decode_responses=True, socket_timeout=5)
    inbound = InboundQueue(client, drain_enqueuer(job_queue(stack.redis.url)))
    if inbound.pending():
        inbound.enqueue_drain()
    queue = job_queue(stack.redis.url, socket_timeout=5)
    later = Messages(client, enqueuer(queue), clock=lambda: time.time() + MESSAGE_STUCK_AFTER + 1)
    deadline, swept = time.monotonic() + timeout, Counter()
    while time.monotonic() < deadline:
        if not promote_retries(queue) and queue.count == 0 and not inbound.pending():
            last = sweep_messages(later, queue)
            swept.update(last)
            if not last["requeued"]:
                print(f"messages the final sweeps found stuck: {dict(swept)}")
                stack.workers.stop()  # warm shutdown: the job in hand finishes
                return True
        time.sleep(0.3)
    return False


@pytest.mark.timeout(240)
def test_kill_9_web_worker_redis_loses_no_confirmed_booking_and_sends_nothing_twice(stack):
    stack, twilio, meta = stack
    seed = os.environ.get("FAULTS_SEED") or str(random.randrange(10 ** 6))
    rng = random.Random(seed)
    print(f"\nFAULTS_SEED={seed}")
    began = time.monotonic()

    calls = ThreadPoolExecutor(CALLERS_AT_ONCE)
    call_results = [calls.submit(call, stack.web, n, began) for n in range(CALLS)]
    deliveries: list[tuple[str, str, int]] = []

    def post_messenger() -> None:
        for n in range(MESSENGER_EVENTS):
            deliveries.append(messenger(stack.web, n))
            time.sleep(MESSENGER_EVERY)

    posting = threading.Thread(target=post_messenger, daemon=True)
    posting.start()

    kills, skipped = Counter(), Counter()
    while time.monotonic() - began < TRAFFIC_SECONDS and not all(f.done() for f in call_results):
        time.sleep(rng.uniform(*KILL_EVERY))
        untouched = [t for t in ("web_worker", "rq_worker", "redis") if not kills[t]]
        targets = [t for t in TARGETS if t != "web_master" or kills["web_master"] < MAX_MASTER_KILLS]
        # every kind is hit early (in a seeded order), then the weights decide: no run misses one by chance
        target = rng.choice(untouched) if untouched else rng.choices(targets, [TARGETS[t] for t in targets])[0]
        if stack.kill(target, rng):
            kills[target] += 1
        else:
            skipped[target] += 1
        stack.up()
    traffic_seconds = time.monotonic() - began

    calls.shutdown(wait=True)  # each call is bounded: ≤ 40 requests of ≤ 10 s, usually a few seconds
    posting.join(60)
    assert not posting.is_alive(), "the Messenger sender hung"
    stack.workers.kill_all()   # the final restart: a fresh worker drains what is left
    stack.workers.process = None
    # every worker is dead, so every started job was abandoned: what RQ's maintenance does once their
    # time is up (retried if they have retries left), done now instead of minutes later
    job_queue(stack.redis.url, socket_timeout=5).started_job_registry.cleanup(timestamp=time.time() + 86400)
    assert stack.up(wait=90), "gunicorn did not come back"
    drained = drain(stack, timeout=60)

    client = redis_lib.Redis.from_url(stack.redis.url, decode_responses=True, socket_timeout=5)
    persons = PersonKeys(derived_secret("k" * 32))  # SECRET_KEY above
    queue, threads = WorkQueue(client), Threads(client, persons)
    results = [future.result() for future in call_results]
    confirmed, cancelled, lost, cancel_undone = [], [], [], []
    for n, result in enumerate(results):
        heard = " ".join(result.heard) if result else ""
        if CONFIRMED not in heard:
            continue  # an apology, a dropped connection or a refusal: the caller was promised nothing
        confirmed.append(n)
        pending = queue.pending_for(persons.callback(number_of(n)))
        if any(CANCELLED in reply for reply in result.sms_replies):
            cancelled.append(n)
            cancel_undone += [n] if pending is not None else []
        elif pending is None and "then_sms[2]" not in (result.error or ""):  # [2]: ANNULLA sent, no answer
            lost.append(n)
    items = [client.hgetall(key) for key in client.scan_iter(queue.keys.item("*"), count=1000)
             if client.type(key) == "hash"]  # not the items' history lists
    per_number = Counter(item["customer"] for item in items if item.get("kind") == "callback")
    duplicated_items = {number: count for number, count in per_number.items() if count > 1}

    sms = Counter((m["To"], m["Body"]) for m in twilio.messages())
    sms_twice = {key: count for key, count in sms.items() if count > 1}
    sends = [r["json"] for r in meta.requests if r["path"].endswith("/me/messages")]
    graph = Counter((s["recipient"]["id"], json.dumps(s["message"], sort_keys=True)) for s in sends)
    graph_twice = {key: count for key, count in graph.items() if count > 1}
    acknowledged = [(psid, text) for psid, text, status in deliveries if status == 200]
    not_threaded = []
    for psid, text in acknowledged:
        thread = threads.for_customer("messenger", psid)
        if thread is None or not any(m.direction == "in" and m.text == text for m in threads.messages(thread.id)):
            not_threaded.append(psid)
    receipts_to = {to for to, _ in sms}
    no_receipt = [n for n in confirmed if number_of(n) not in receipts_to]
    # a receipt claimed for sending by a worker killed before it called Twilio is the one kind that may
    # be missing: sending it again could send it twice (at most once wins); there are none in most runs
    message_states = Counter(client.hget(key, "status") for key in client.scan_iter("nohold:{msg:*}", count=1000))
    acked_psids = {s["recipient"]["id"] for s in sends}
    no_ack = [psid for psid, _ in acknowledged if psid not in acked_psids]

    outcomes = Counter("no answer" if r is None else "as scripted" if r.ok else "broken" for r in results)
    print(f"{CALLS} calls attempted, {len(confirmed)} confirmed ({len(cancelled)} then cancelled by SMS); "
          f"call outcomes {dict(outcomes)}"
          f"\n{len(deliveries)} Messenger deliveries, {len(acknowledged)} answered 200, "
          f"statuses {dict(Counter(s for _, _, s in deliveries))}"
          f"\nkills by target {dict(kills)} (skipped: {dict(skipped)}); restarts {dict(stack.restarts)}; "
          f"traffic {traffic_seconds:.1f} s, total {time.monotonic() - began:.1f} s, drained: {drained}"
          f"\nlost confirmed bookings: {len(lost)} {[number_of(n) for n in lost]}; cancellations undone: "
          f"{len(cancel_undone)}"
          f"\nduplicated: callback items {len(duplicated_items)}, SMS {len(sms_twice)}, Messenger sends "
          f"{len(graph_twice)}; acknowledged Messenger deliveries without a thread message: {len(not_threaded)}"
          f"\nconfirmed bookings without an SMS receipt: {len(no_receipt)}; messages by state {dict(message_states)}"
          f"\n(not bars: acknowledged Messenger "
          f"deliveries never answered {len(no_ack)}; {len(twilio.messages())} SMS, {len(sends)} Graph sends)")

    assert drained, "jobs or Messenger batches still pending after the final restart"
    assert sum(kills.values()) >= 15, kills
    assert all(kills[t] for t in ("web_worker", "rq_worker", "redis")), kills
    assert confirmed, "no call was confirmed at all: the traffic did not flow"
    assert lost == [], f"confirmed bookings lost: {[number_of(n) for n in lost]}"
    assert cancel_undone == [], f"acknowledged cancellations undone: {[number_of(n) for n in cancel_undone]}"
    assert duplicated_items == {}, duplicated_items
    assert sms_twice == {}, sms_twice
    assert message_states["queued"] == 0, "a message was left queued with no job"
    assert len(no_receipt) <= message_states["sending"], f"receipts lost: {[number_of(n) for n in no_receipt]}"
    assert graph_twice == {}, graph_twice
    assert not_threaded == [], f"Messenger deliveries answered 200 but never threaded: {not_threaded}"
