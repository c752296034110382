"""An agent's API client as its own process, for tests that freeze it: `python -m tests.support.agent_client BASE TOKEN`.

Claims the next item and says so on stdout (one JSON line), renews the lease every RENEW seconds in the
background, and on the line "complete" from stdin completes the item with its fence; every answer it gets
is printed as a JSON line.
"""
from __future__ import annotations

import json
import sys
import threading

import requests

RENEW = 0.4


def say(**fields) -> None:
    print(json.dumps(fields), flush=True)


def main(base: str, token: str) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    claimed = session.post(f"{base}/api/claims/next", json={}, timeout=10).json()
    item_id, fence = claimed["item"]["id"], claimed["fence"]
    say(event="claimed", item=item_id, fence=fence)
    done = threading.Event()

    def renew_forever() -> None:
        while not done.wait(RENEW):
            answer = session.post(f"{base}/api/items/{item_id}/renew", json={"fence": fence}, timeout=10)
            if answer.status_code != 200:
                say(event="renew", status=answer.status_code, body=answer.json())
                return

    threading.Thread(target=renew_forever, daemon=True).start()
    for line in sys.stdin:
        if line.strip() == "complete":
            answer = session.post(f"{base}/api/items/{item_id}/complete", json={"fence": fence, "outcome": "resolved"},
                                  timeout=10)
            done.set()
            say(event="complete", status=answer.status_code, body=answer.json())
            return


if __name__ == "__main__":
    main(*sys.argv[1:3])
