"""A Flask app served for real on 127.0.0.1 in a thread, for tests that need a URL (a browser, a second process).

    with served(app) as url:
        ...  # http://127.0.0.1:PORT

On leaving, the console's watcher (if the app started one) is closed first, so no open event stream outlives the
test, then the server shuts down.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from werkzeug.serving import make_server


@contextmanager
def served(app, port: int = 0) -> Iterator[str]:
    http = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        if "console_watcher" in app.extensions:
            app.extensions["console_watcher"].close()  # ends the open streams: no poller outlives the test
        http.shutdown()
