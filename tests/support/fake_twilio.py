"""A local HTTP server playing Twilio's REST API (Messages, Calls, Recordings media), and Twilio's side of the webhooks.

REST: records every request, can be told to fail (`fail_next`) or to answer slowly (`create_delay`).
Webhooks: `answer`, `press`, `dial`, `status` act as Twilio does toward the app — signed POSTs with
the auth token to the URLs the app gave, through any transport (a Flask test client, HTTP).
"""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

RECORDING = re.compile(r"^/2010-04-01/Accounts/AC\w+/Recordings/(?P<sid>RE\w+?)(?P<ext>\.wav|\.mp3)?$")
MEDIA = re.compile(r"^/2010-04-01/Accounts/AC\w+/Messages/MM\w+/Media/(?P<sid>ME\w+)$")  # a message's MediaUrl{N}
RECORDING_RESOURCE = re.compile(r"^/2010-04-01/Accounts/AC\w+/Recordings/(?P<sid>RE\w+?)\.json$")
CALLS = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC\w+)/Calls(?:/(?P<sid>CA\w+))?(?P<events>/Events)?\.json$")
# the status callback event a CallStatus belongs to (statusCallbackEvent names)
EVENT_OF = {"queued": "initiated", "initiated": "initiated", "ringing": "ringing", "in-progress": "answered",
            **dict.fromkeys(("completed", "busy", "failed", "no-answer", "canceled"), "completed")}


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # hundreds of requests per test: the records are in .requests
        pass


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _parse_time(text: str) -> float:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    raise ValueError(f"bad StartTime {text!r}")


@dataclass
class FakeTwilio:
    requests: list = field(default_factory=list)
    fail_next: int = 0            # answer this many requests with a 500 first
    server: object = None
    auth_token: str = "secret"    # what webhooks toward the app are signed with
    app: object = None            # a transport toward the app: .post(url, form, headers) -> (status, body)
    create_delay: float = 0.0     # seconds between recording a new call and answering (a window to crash in)
    calls: dict = field(default_factory=dict)  # sid -> the call as Twilio keeps it
    recordings: dict = field(default_factory=dict)  # RecordingSid or MediaSid -> (media bytes, content type), on GET
    clock: object = time.time     # Twilio's clock (a test moving the app's clock moves this one too)
    lock: object = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def messages(self) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Messages.json")]

    def created_calls(self) -> list[dict]:
        """Every calls.create Twilio accepted, in order (child legs of <Dial> are not included)."""
        with self.lock:
            return [c for c in self.calls.values() if c["parent_call_sid"] is None]

    # -- REST ----------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.requests.append({"method": request.method, "path": request.path, "form": request.form.to_dict(),
                                  "args": request.args.to_dict(),
                                  "auth": request.authorization.username if request.authorization else None})
            failing = self.fail_next > 0
            self.fail_next -= 1 if failing else 0
        if failing:
            response = _json({"code": 20500, "message": "Internal Server Error", "status": 500}, 500)
        elif request.path.endswith("/Messages.json") and request.method == "POST":
            response = _json({"sid": "SM" + secrets.token_hex(16), "status": "queued", "to": request.form.get("To"),
                              "from": request.form.get("From"), "body": request.form.get("Body"),
                              "account_sid": request.path.split("/")[3]}, 201)
        elif match := CALLS.match(request.path):
            response = self._calls(request, match)
        elif (match := RECORDING.match(request.path) or MEDIA.match(request.path)) and request.method == "GET":
            response = self._recording(request, match["sid"])
        elif (match := RECORDING_RESOURCE.match(request.path)) and request.method == "DELETE":
            response = self._delete_recording(request, match["sid"])
        else:
            response = _json({"code": 20404, "message": "not found", "status": 404}, 404)
        return response(environ, start_response)

    def _recording(self, request: Request, sid: str) -> Response:
        """A recording's media, for the account's credentials only (as stored: no conversion by extension)."""
        if request.authorization is None:
            return _json({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        if sid not in self.recordings:
            return _json({"code": 20404, "message": f"recording {sid} not found", "status": 404}, 404)
        media, content_type = self.recordings[sid]
        return Response(media, mimetype=content_type)

    def _delete_recording(self, request: Request, sid: str) -> Response:
        """DELETE …/Recordings/RE….json: 204 and the media is gone; 404 when there is no such recording."""
        if request.authorization is None:
            return _json({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        with self.lock:
            known = self.recordings.pop(sid, None) is not None
        if not known:
            return _json({"code": 20404, "message": f"recording {sid} not found", "status": 404}, 404)
        return Response(status=204)

    def _calls(self, request: Request, match) -> Response:
        account, sid = match["account"], match["sid"]
        if request.method == "POST" and not sid:
            call = self._new_call(account, request.form.get("To"), request.form.get("From"), request.form.get("Url"),
                                  request.form.get("StatusCallback"), request.form.getlist("StatusCallbackEvent"))
            if self.create_delay:
                time.sleep(self.create_delay)
            return _json(self._resource(call), 201)
        with self.lock:
            call = self.calls.get(sid) if sid else None
            if sid and call is None:
                return _json({"code": 20404, "message": f"call {sid} not found", "status": 404}, 404)
            if request.method == "POST" and sid:
                return self._update(call, request.form)
            if match["events"]:
                return _json(self._page("events", call["events"], request))
            if sid:
                return _json(self._resource(call))
            found = [c for c in self.calls.values() if self._matches(c, request.args)]
        found.sort(key=lambda c: c["created"], reverse=True)  # Twilio lists newest first
        return _json(self._page("calls", [self._resource(c) for c in found], request))

    def _new_call(self, account, to, from_, url, status_callback, events, parent=None) -> dict:
        now = self.clock()
        call = {"sid": "CA" + secrets.token_hex(16), "account_sid": account, "to": to, "from": from_, "url": url,
                "status_callback": status_callback, "status_callback_event": list(events), "status": "queued",
                "created": now, "parent_call_sid": parent, "events": []}
        if status_callback and "initiated" in call["status_callback_event"]:
            # Twilio makes the `initiated` request as soon as the call exists: the Events list shows it
            # whether or not the app answered it
            call["events"].append({"request": {"method": "POST", "url": status_callback,
                                               "parameters": {"CallStatus": "initiated"}}, "response": {}})
        with self.lock:
            self.calls[call["sid"]] = call
        return call

    def _update(self, call: dict, form) -> Response:
        """New TwiML for a live call (as Twilio: 21220 once the call is over); kept in call["updates"]."""
        if call["status"] not in ("queued", "initiated", "ringing", "in-progress"):
            return _json({"code": 21220, "message": "Call is not in-progress. Cannot redirect.", "status": 400}, 400)
        call.setdefault("updates", []).append(form.get("Twiml") or form.get("Url"))
        return _json(self._resource(call))

    @staticmethod
    def _matches(call: dict, args) -> bool:
        tests = {"To": lambda v: call["to"] == v, "From": lambda v: call["from"] == v,
                 "Status": lambda v: call["status"] == v, "ParentCallSid": lambda v: call["parent_call_sid"] == v,
                 "StartTime>": lambda v: call["created"] >= _parse_time(v),
                 "StartTime<": lambda v: call["created"] <= _parse_time(v) + (86400 if len(v) == 10 else 0),
                 "StartTime": lambda v: _parse_time(v) <= call["created"] < _parse_time(v) + 86400}
        return all(test(args[name]) for name, test in tests.items() if name in args)

    @staticmethod
    def _resource(call: dict) -> dict:
        """The Call resource as Twilio shows it (which has no Url: only Events reveal it)."""
        stamp = format_datetime(datetime.fromtimestamp(call["created"], timezone.utc), usegmt=True)
        return {"sid": call["sid"], "account_sid": call["account_sid"], "to": call["to"], "from": call["from"],
                "status": call["status"], "direction": "outbound-dial" if call["parent_call_sid"] else "outbound-api",
                "parent_call_sid": call["parent_call_sid"], "date_created": stamp, "start_time": stamp,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{call['account_sid']}/Calls/{call['sid']}.json"}

    @staticmethod
    def _page(key: str, rows: list, request: Request) -> dict:
        size, page = int(request.args.get("PageSize", 50)), int(request.args.get("Page", 0))
        chunk = rows[page * size:(page + 1) * size]
        more = len(rows) > (page + 1) * size
        uri = f"{request.path}?PageSize={size}&Page="
        return {key: chunk, "page": page, "page_size": size, "start": page * size,
                "end": page * size + max(len(chunk) - 1, 0), "uri": uri + str(page),
                "first_page_uri": uri + "0", "previous_page_uri": uri + str(page - 1) if page else None,
                "next_page_uri": uri + str(page + 1) if more else None}

    # -- Twilio toward the app ---------------------------------------------------------------------
    def webhook(self, call: dict, url: str, params: dict) -> tuple[int, str]:
        """One signed POST, as Twilio makes it; remembered in the call's Events."""
        form = {"AccountSid": call["account_sid"], "CallSid": call["sid"], "From": call["from"], "To": call["to"],
                "Direction": "outbound-api", "ApiVersion": "2010-04-01", "CallStatus": call["status"], **params}
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        status, body = self.app.post(url, form, {"X-Twilio-Signature": signature})
        with self.lock:
            call["events"].append({"request": {"method": "POST", "url": url, "parameters": form},
                                   "response": {"response_code": status}})
        return status, body

    def _fetch(self, call: dict, url: str, params: dict) -> str:
        """A request whose answer is the call's next TwiML (relative URLs in it resolve against `url`)."""
        status, body = self.webhook(call, url, params)
        assert status == 200, (status, body)
        call["doc_url"] = url
        return body

    def status(self, sid: str, call_status: str, **extra) -> tuple[int, str] | None:
        """A status callback (if the call asked for that event); the call's status moves to it."""
        call = self.calls[sid]
        call["status"] = call_status
        if not call["status_callback"] or EVENT_OF[call_status] not in call["status_callback_event"]:
            return None
        return self.webhook(call, call["status_callback"], {"CallStatus": call_status, **extra})

    def answer(self, sid: str) -> str:
        """The callee picks up: Twilio fetches the call's Url; returns the TwiML."""
        call = self.calls[sid]
        call["status"] = "in-progress"
        return self._fetch(call, call["url"], {})

    def press(self, sid: str, twiml: str, digits: str) -> str:
        """Keys pressed (or "" for silence) on the <Gather> of the last TwiML."""
        gather = ET.fromstring(twiml).find("Gather")
        call = self.calls[sid]
        return self._fetch(call, urljoin(call["doc_url"], gather.get("action")), {"Digits": digits})

    def dial(self, sid: str, twiml: str, outcome: str = "completed", statuses: tuple[str, ...] | None = None,
             keys: str = "1") -> str:
        """Runs the <Dial><Number> of the last TwiML: the child leg's callbacks, then the Dial action.

        `statuses` are the child's CallStatus values in the order they are delivered (default: the
        natural order for the outcome); repeat or shuffle them to play Twilio's retries and races.
        An answered <Number url=…> plays its whisper first; `keys` answers a <Gather> in it (a person
        pressing 1 by default; "" is silence, a machine's answer).
        """
        parent, child = self.calls[sid], self.dial_start(sid, twiml)
        answered = outcome in ("completed", "answered")
        if statuses is None:
            statuses = ("initiated", "ringing") + (("in-progress", "completed") if answered else (outcome,))
        if answered and child["url"]:  # the whisper runs on the call itself: before the leg can end
            whispered = self.whisper(child["sid"])
            if ET.fromstring(whispered).find("Gather") is not None:
                self.press(child["sid"], whispered, keys)
        for call_status in statuses:
            self.status(child["sid"], call_status, ParentCallSid=sid)
        return self.dial_end(sid, twiml, child["sid"], outcome)

    # -- the <Dial><Number> step by step (races between the whisper, AMD and the Dial action) --------------
    def dial_start(self, sid: str, twiml: str) -> dict:
        """The child leg of the last TwiML's <Dial><Number>, with the Number's url and AMD callback."""
        parent = self.calls[sid]
        dial = ET.fromstring(twiml).find("Dial")
        number = dial.find("Number")
        child = self._new_call(parent["account_sid"], number.text.strip(), dial.get("callerId"),
                               number.get("url"), number.get("statusCallback"),
                               (number.get("statusCallbackEvent") or "").split(), parent=sid)
        child["doc_url"] = parent["doc_url"]
        child["amd_status_callback"] = number.get("amdStatusCallback")
        child["machine_detection"] = number.get("machineDetection")
        return child

    def whisper(self, child_sid: str, answered_by: str | None = None) -> str:
        """The callee picked up: Twilio fetches the <Number url> (with AnsweredBy when AMD has a verdict)."""
        child = self.calls[child_sid]
        child["status"] = "in-progress"
        params = {"ParentCallSid": child["parent_call_sid"]}
        if answered_by is not None:
            params["AnsweredBy"] = answered_by
        return self._fetch(child, urljoin(child["doc_url"], child["url"]), params)

    def amd(self, child_sid: str, answered_by: str) -> tuple[int, str]:
        """The amdStatusCallback of the <Number>, as Twilio posts it (asynchronous to the call's TwiML)."""
        child = self.calls[child_sid]
        return self.webhook(child, urljoin(child["doc_url"], child["amd_status_callback"]),
                            {"AnsweredBy": answered_by, "MachineDetectionDuration": "2150",
                             "ParentCallSid": child["parent_call_sid"]})

    def dial_end(self, sid: str, twiml: str, child_sid: str, outcome: str = "completed") -> str:
        """The <Dial> action: how the child leg ended; returns the parent's next TwiML."""
        parent = self.calls[sid]
        dial = ET.fromstring(twiml).find("Dial")
        answered = outcome in ("completed", "answered")
        return self._fetch(parent, urljoin(parent["doc_url"], dial.get("action")),
                           {"DialCallStatus": outcome, "DialCallSid": child_sid,
                            "DialCallDuration": "95" if answered else "0"})

    def start(self) -> "FakeTwilio":
        self.server = make_server("127.0.0.1", 0, self, threaded=True, request_handler=_Quiet)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
