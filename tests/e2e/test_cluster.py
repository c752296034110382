"""Several machines: two web processes and two workers against a local 3-node Redis Cluster.

The test starts three `redis-server --cluster-enabled yes` (the binary of ivr/runtime/redis_server.py),
joins them with `redis-cli --cluster create` (or CLUSTER ADDSLOTS + MEET when there is no
redis-cli), and a plain redis-server for RQ's job queues: RQ's worker cannot take a cluster client
(`RedisCluster` has no `connection_pool`) and RQ's keys carry no hash tags, so `REDIS_URL` carries
the queues and `REDIS_CLUSTER_URL` all of nohold's state (docs/redis-ha.md).

Then a caller books a callback through web #1, an agent claims it and asks for the callback
through the JSON API of web #2, a worker places the agent leg on the fake Twilio, and Twilio's
webhooks (whisper, key press, <Dial> outcome, statuses) land on both web processes in turn, as
behind a load balancer: the item ends done/reached, one call placed, the SMS receipt sent once.

Every node is watched with MONITOR during the flow: each command a Lua script runs must hash to
the slot of the keys the script declared (Redis 6.2 lets a script touch an undeclared key of
another slot when that slot happens to live on the same node; the check does not rely on luck).
MULTI blocks across slots fail in the client (CrossSlotTransactionError), so the flow passing
proves the transactions it ran are single-slot too.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import holidays
import pytest
import redis as redis_lib
import requests
from redis.cluster import RedisCluster

from ivr.runtime.redis_server import RedisServer, redis_server_binary
from ivr.simulate import HttpTransport, Phone
from social_bridge.queue.agents import AgentDirectory
from tests.integration.test_dialer import fake  # noqa: F401 (fixture: the fake Twilio REST API)

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parent.parent.parent
BASE = "https://nohold.example.it"      # what Twilio calls: the load balancer in front of both web processes
COMPANY = "+390212345678"
CUSTOMER = "+393471234567"
AGENT_PHONE = "+393331112222"
CALL = {"from": CUSTOMER,
        "answers": [{"say": "non mi funziona internet da stamattina", "expect": "motivo della chiamata"},
                    {"digits": "1", "expect": ["internet", "richiamare appena"]},
                    {"digits": "1", "expect": "finisce con 4 5 6 7"}],
        "expect_end": "richiameremo",
        "then_sms": [{"body": "STATO", "expect": "ANNULLA"}]}


def _ordinary_day_country() -> str:
    """A holiday calendar in which today and tomorrow are working days (the desk must be open)."""
    days = (date.today(), date.today() + timedelta(days=1))
    for country in ("IT", "GB", "JP", "SE", "US", "BR"):
        if not any(day in holidays.country_holidays(country) for day in days):
            return country
    pytest.skip("every candidate country has a holiday today or tomorrow")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _cluster_ports(count: int) -> list[int]:
    """Free ports whose cluster bus port (+10000) is free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + 10000 <= 65535 and port not in ports and _bindable(port + 10000):
            ports.append(port)
    return ports


class LocalCluster:
    """Three masters, no replicas, all on 127.0.0.1; stopped by pid."""

    def __init__(self, data_dir: Path, nodes: int = 3):
        self.data_dir, self.ports = data_dir, _cluster_ports(nodes)
        self.processes: list[subprocess.Popen] = []
        self.how = ""

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}"

    def start(self, timeout: float = 30.0) -> "LocalCluster":
        binary = redis_server_binary()
        for port in self.ports:
            node_dir = self.data_dir / str(port)
            node_dir.mkdir(parents=True)
            self.processes.append(subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(node_dir),
                 "--cluster-enabled", "yes", "--cluster-config-file", str(node_dir / "nodes.conf"),
                 "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--daemonize", "no",
                 "--logfile", str(node_dir / "redis.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        clients = [redis_lib.Redis(port=port) for port in self.ports]
        deadline = time.monotonic() + timeout
        for client in clients:
            while True:
                try:
                    client.ping()
                    break
                except redis_lib.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        cli = Path(binary).with_name("redis-cli")
        if cli.exists():
            self.how = "redis-cli --cluster create"
            subprocess.run([str(cli), "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                            "--cluster-replicas", "0", "--cluster-yes"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        else:
            self.how = "CLUSTER ADDSLOTS + MEET"
            bounds = [round(i * 16384 / len(clients)) for i in range(len(clients) + 1)]
            for client, first, end in zip(clients, bounds, bounds[1:]):
                client.execute_command("CLUSTER", "ADDSLOTS", *range(first, end))
            for port in self.ports[1:]:
                clients[0].execute_command("CLUSTER", "MEET", "127.0.0.1", port)
        while not all(b"cluster_state:ok" in c.execute_command("CLUSTER", "INFO") for c in clients):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster never reached cluster_state:ok")
            time.sleep(0.1)
        for client in clients:
            client.close()
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"')


class Monitors:
    """MONITOR on every node; afterwards, every Lua command checked against its script's slot."""

    def __init__(self, ports: list[int]):
        self.lines: dict[int, list[str]] = {port: [] for port in ports}
        self.sockets = []
        self.threads = []
        for port in ports:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"MONITOR\r\n")
            self.sockets.append(sock)
            thread = threading.Thread(target=self._read, args=(sock, self.lines[port]), daemon=True)
            thread.start()
            self.threads.append(thread)

    @staticmethod
    def _read(sock, sink: list[str]) -> None:
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            *complete, buffer = buffer.split(b"\r\n")
            sink.extend(line.decode("utf-8", "replace") for line in complete)

    def stop(self) -> None:
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self.threads:
            thread.join(timeout=5)

    @staticmethod
    def _args(line: str) -> list[str]:
        return [arg.encode().decode("unicode_escape") for arg in _ARG.findall(line.split("]", 1)[1])]

    def script_violations(self, cluster: RedisCluster) -> tuple[int, int, list[str]]:
        """(scripts run, commands they ran, commands outside their script's slot)."""
        scripts = commands = 0
        violations: list[str] = []
        for port, lines in self.lines.items():
            node = redis_lib.Redis(port=port, decode_responses=True)
            slot = None
            for line in lines:
                if not line.startswith("+") or "]" not in line:
                    continue
                args = self._args(line)
                if not args:
                    continue
                if " lua]" not in line.split("]", 1)[0] + "]":
                    if args[0].lower() in ("evalsha", "eval"):
                        scripts += 1
                        declared = args[3:3 + int(args[2])]
                        slots = {cluster.keyslot(key) for key in declared}
                        assert len(slots) <= 1, f"a script called with keys of several slots: {declared}"
                        slot = slots.pop() if slots else None
                    continue
                commands += 1
                try:
                    keys = node.command_getkeys(*args)
                except redis_lib.ResponseError:  # a command without keys (TIME...)
                    keys = []
                for key in keys:
                    if slot is None or cluster.keyslot(key) != slot:
                        violations.append(f"{args[0]} {key} (script slot {slot})")
            node.close()
        return scripts, commands, violations


class Balancer:
    """Twilio's requests to PUBLIC_BASE_URL, sent to the web processes in turn (a load balancer)."""

    def __init__(self, ports: list[int]):
        self.ports, self.turn, self.http = ports, 0, HttpTransport()
        self.served: dict[int, int] = dict.fromkeys(ports, 0)

    def post(self, url: str, form: dict, headers: dict) -> tuple[int, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        self.served[port] += 1
        parts = urlsplit(url)
        local = f"http://127.0.0.1:{port}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return self.http.post(local, form, headers)


class Pinned(Balancer):
    """Every request of this client to one web process."""

    def __init__(self, port: int):
        super().__init__([port])


class Processes:
    """The gunicorn and worker processes of the test; stopped (and killed if need be) by pid."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.started = {**os.environ, **env}, log_dir, []

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "w")
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.started.append((name, process))
        return process

    def web(self, name: str, port: int, workers: int) -> subprocess.Popen:
        return self.start(name, ["-m", "gunicorn", "-c", "python:ivr.runtime.gunicorn_conf", "--no-control-socket",
                                 "--preload", "-k", "gthread",
                                 "--threads", "4", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                 "ivr:create_app()"])

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: the process and its children only
                process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, processes: Processes, name: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{name} never answered /healthz:\n{processes.log(name)[-3000:]}")


def _eventually(what: str, check, timeout: float = 60.0, processes: Processes | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    logs = "".join(f"\n--- {name}\n{processes.log(name)[-2000:]}" for name, _ in processes.started) if processes else ""
    raise AssertionError(f"timed out waiting for {what}{logs}")


@pytest.fixture
def cluster(tmp_path):
    started = LocalCluster(tmp_path / "cluster").start()
    yield started
    started.stop()


@pytest.fixture
def queue_redis(tmp_path):
    server = RedisServer(tmp_path / "rq", appendonly=False).start()
    yield server
    server.stop()


@pytest.fixture
def processes(tmp_path, cluster, queue_redis, fake):
    env = {"REDIS_URL": queue_redis.url, "REDIS_CLUSTER_URL": cluster.url, "NOHOLD_VAR_DIR": str(tmp_path / "var"),
           "PUBLIC_BASE_URL": BASE, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
           "TWILIO_NUMBER": COMPANY, "TWILIO_API_BASE": fake.base_url, "SECRET_KEY": "k" * 32,
           "BUSINESS_HOURS": "mon-sun 00:00-24:00", "HOLIDAY_COUNTRY": _ordinary_day_country(),
           "TRANSCRIPTION_ENGINE": "off", "LEASE_SECONDS": "600"}
    started = Processes(env, tmp_path)
    yield started
    started.stop()


@pytest.mark.timeout(300)
def test_two_webs_and_two_workers_on_a_three_node_cluster(cluster, queue_redis, fake, processes):
    state = RedisCluster.from_url(cluster.url, decode_responses=True)
    assert len(state.get_primaries()) == 3
    monitors = Monitors(cluster.ports)
    try:
        web_ports = [_free_port(), _free_port()]
        processes.web("web-1", web_ports[0], workers=1)
        processes.web("web-2", web_ports[1], workers=2)
        processes.start("worker-1", ["-m", "ivr", "worker"])
        processes.start("worker-2", ["-m", "ivr", "worker"])
        for n, port in enumerate(web_ports, 1):
            _wait_healthy(port, processes, f"web-{n}")
        queue = redis_lib.Redis.from_url(queue_redis.url)
        _eventually("two RQ workers registered", lambda: len(queue.smembers("rq:workers")) >= 2, 120, processes)

        directory = AgentDirectory(state)
        agent = directory.create("giulia", "pw-giulia-123", role="agent", languages=("it",), phone=AGENT_PHONE)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {directory.issue_token(agent.id)}"
        web2 = f"http://127.0.0.1:{web_ports[1]}"

        # the caller, on web #1: callback as soon as possible, then STATO by SMS
        phone = Phone(BASE, "secret", Pinned(web_ports[0]), account_sid="AC" + "0" * 32)
        result = phone.run_script(CALL)
        assert result.ok, result.error
        receipts = _eventually("the SMS receipt sent by a worker through Twilio's REST",
                               lambda: [m for m in fake.messages() if m["To"] == CUSTOMER], 60, processes)
        assert len(receipts) == 1

        # the agent, on web #2
        claimed = api.post(f"{web2}/api/claims/next")
        assert claimed.status_code == 200, claimed.text
        item, fence = claimed.json()["item"], claimed.json()["fence"]
        assert (item["kind"], item["customer"]) == ("callback", CUSTOMER)
        asked = api.post(f"{web2}/api/items/{item['id']}/callback", json={"fence": fence})
        assert asked.status_code == 202, asked.text
        attempt_id = asked.json()["attempt_id"]

        # a worker places the agent leg; Twilio's webhooks reach both web processes in turn
        [leg] = _eventually("the agent leg placed on the fake Twilio", fake.created_calls, 60, processes)
        assert (leg["to"], leg["from"]) == (AGENT_PHONE, COMPANY)
        assert f"attempt={attempt_id}" in leg["url"]
        balancer = Balancer(web_ports)
        fake.app = balancer
        fake.status(leg["sid"], "initiated")
        fake.status(leg["sid"], "ringing")
        whisper = fake.answer(leg["sid"])
        assert "Premi 1" in whisper
        connect = fake.press(leg["sid"], whisper, "1")
        assert "<Dial" in connect
        assert CUSTOMER in connect
        ended = fake.dial(leg["sid"], connect, "completed")
        assert "<Hangup" in ended
        fake.status(leg["sid"], "completed")
        assert all(balancer.served.values()), balancer.served

        done = api.get(f"{web2}/api/items/{item['id']}").json()
        assert (done["status"], done["outcome"]) == ("done", "reached"), done
        assert len(fake.created_calls()) == 1                       # dialed once
        assert len([m for m in fake.messages() if m["To"] == CUSTOMER]) == 1  # the receipt sent once
        assert queue.llen("rq:queue:nohold") == 0
        assert not state.keys("rq:*")                               # RQ stayed off the cluster
        nodes_with_state = {node.port for node in state.get_primaries()
                            if state.dbsize(target_nodes=node)}

        # the dialer's reconcile sweep (what the workers run every minute) on the cluster
        sweep = subprocess.run([sys.executable, "-m", "ivr", "reconcile", "--grace", "0"], cwd=ROOT,
                               env=processes.env, capture_output=True, text=True, timeout=120)
        assert sweep.returncode == 0, sweep.stdout + sweep.stderr
        assert "dial attempts:" in sweep.stdout, sweep.stdout + sweep.stderr

        # the checker's own proof: a script reading an undeclared key of another slot on the same node,
        # which Redis 6.2 lets through, is the one violation it must find
        probe = "probe{p}"
        other = next(f"probe{{q{n}}}" for n in range(10_000)
                     if state.get_node_from_key(f"probe{{q{n}}}") == state.get_node_from_key(probe)
                     and state.keyslot(f"probe{{q{n}}}") != state.keyslot(probe))
        state.register_script("return redis.call('GET', ARGV[1])")(keys=[probe], args=[other])
        time.sleep(0.3)  # the MONITOR lines reach the reader threads
    finally:
        monitors.stop()

    scripts, commands, violations = monitors.script_violations(state)
    print(f"\ncluster ({cluster.how}): {scripts} Lua script runs, {commands} commands inside them, "
          f"{len(violations) - 1} outside their slot; state on {len(nodes_with_state)} of 3 nodes; "
          f"Twilio webhooks per web process {balancer.served}")
    assert scripts > 10
    assert commands > scripts
    assert violations == [f"GET {other} (script slot {state.keyslot(probe)})"]  # the probe, and nothing of ours
    assert len(nodes_with_state) >= 2  # the keys really are spread: several nodes serve the flow
