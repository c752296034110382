"""Command line: `python -m ivr run | worker | simulate | outbox | report`."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "simulate":  # the terminal phone has its own options
        from ivr.simulate import main as simulate

        return simulate(argv[1:])
    if argv and argv[0] == "agents":  # so does agent management
        from ivr.runtime.agents_cli import main as agents

        return agents(argv[1:])
    if argv and argv[0] == "privacy":  # erasure and export of one person's data
        from ivr.runtime.privacy_cli import main as privacy

        return privacy(argv[1:])
    if argv and argv[0] == "report":  # reports per day or week, a table or CSV (issue 19)
        from ivr.runtime.report_cli import main as report

        return report(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m ivr", description="nohold: no more hold music.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="embedded Redis + web server + stream server + job worker (`make run`)")
    run.add_argument("--port", type=int, default=None, help="web port (default $PORT or 5000)")
    run.add_argument("--web-workers", type=int, default=2)
    run.add_argument("--streams-port", type=int, default=None,
                     help="the console's live-update server (default: the port of CONSOLE_STREAM_URL, or web port + 1)")
    commands.add_parser("worker", help="one RQ job worker (REDIS_URL, or the embedded Redis)")
    commands.add_parser("simulate", help="a terminal phone that calls the running server (see --help)")
    commands.add_parser("agents", help="add / list agents, issue API tokens (see `agents --help`)")
    commands.add_parser("privacy", help="erase or export one person's data (see `privacy --help`)")
    commands.add_parser("report", help="contacts, containment, handling per day or week (see `report --help`)")
    reconcile = commands.add_parser("reconcile", help="adopt or flag dial attempts left by crashed workers")
    reconcile.add_argument("--grace", type=float, default=60.0)
    outbox = commands.add_parser("outbox", help="show what dev mode would have sent")
    outbox.add_argument("-n", type=int, default=20)
    args = parser.parse_args(argv)
    from ivr.runtime import launcher

    if args.command == "run":
        return launcher.run(args.port, args.web_workers, args.streams_port)
    if args.command == "worker":
        return launcher.worker()
    if args.command == "reconcile":
        return launcher.reconcile(args.grace)
    return launcher.show_outbox(args.n)


if __name__ == "__main__":
    sys.exit(main())
