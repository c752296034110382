"""gunicorn settings of the console's stream server (`-c python:ivr.runtime.streams_conf`; the app is ivr/runtime/streams.py).

No imports of the app here: gunicorn's master reads this file, and gevent must patch threading and sockets
in the worker before Flask, redis-py and the console's watcher are imported (hence no --preload either).

The worker runs at a lower CPU priority than the web server's (`nice`): a queue change wakes every open
stream at once (2,000 writes), and that burst must never delay a webhook sharing the cores. A change
still reaches every console well within a second (docs/benchmarks.md).
"""
import os

worker_class = "gevent"
workers = 1
worker_connections = 4000   # open streams one worker accepts at once (and the open-files limit must allow)
graceful_timeout = 5        # on stop: streams are cut after this; EventSource reconnects to the next server
control_socket_disable = True
NICE = 10


def post_worker_init(worker):
    os.nice(NICE)
