"""A local HTTP server playing Twilio's REST API: records every request, can be told to fail."""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class FakeTwilio:
    requests: list = field(default_factory=list)
    fail_next: int = 0            # answer this many requests with a 500 first
    server: object = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def messages(self) -> list[dict]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Messages.json")]

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append({"method": request.method, "path": request.path, "form": request.form.to_dict(),
                              "auth": request.authorization.username if request.authorization else None})
        if self.fail_next > 0:
            self.fail_next -= 1
            body = {"code": 20500, "message": "Internal Server Error", "status": 500}
            return Response(json.dumps(body), status=500, mimetype="application/json")(environ, start_response)
        if request.path.endswith("/Messages.json") and request.method == "POST":
            body = {"sid": "SM" + secrets.token_hex(16), "status": "queued", "to": request.form.get("To"),
                    "from": request.form.get("From"), "body": request.form.get("Body"),
                    "account_sid": request.path.split("/")[3]}
            return Response(json.dumps(body), status=201, mimetype="application/json")(environ, start_response)
        return Response(json.dumps({"code": 20404, "message": "not found", "status": 404}), status=404,
                        mimetype="application/json")(environ, start_response)

    def start(self) -> "FakeTwilio":
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
