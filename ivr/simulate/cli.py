"""`python -m ivr simulate`: arguments, the signing token, and the verdict of each call."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from dotenv import dotenv_values

from ivr.app.settings import PROJECT_ROOT, child_environment

from .callers import ScriptError
from .console import Console
from .phone import DEFAULT_FROM, DEFAULT_TO, Phone
from .transport import HttpTransport, Unreachable
from .twiml import CallBroken

NO_TOKEN = ("No signing token found. nohold only accepts requests signed like Twilio's, so the "
            "simulator needs the server's secret. Either start the server once in dev mode "
            "(`make run` writes var/dev-auth-token, which is picked up automatically), or set "
            "TWILIO_AUTH_TOKEN, or pass --token.")


def _dotenv(root: Path) -> dict[str, str]:
    """The project's .env, read without changing this process's environment (the server reads it too)."""
    path = root / ".env"
    if not path.is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v}


def find_token(explicit: str | None, environ=None,
               root: Path | None = None) -> tuple[str | None, str]:
    """The secret the server signs with, and where it was found (same order as ivr.app.settings)."""
    env = child_environment() if environ is None else environ
    root = PROJECT_ROOT if root is None else root
    dotenv = _dotenv(root)
    if explicit:
        return explicit, "--token"
    if env.get("TWILIO_AUTH_TOKEN"):
        return env["TWILIO_AUTH_TOKEN"], "the TWILIO_AUTH_TOKEN environment variable"
    if dotenv.get("TWILIO_AUTH_TOKEN"):
        return dotenv["TWILIO_AUTH_TOKEN"], "TWILIO_AUTH_TOKEN in .env"
    dev = env.get("NOHOLD_DEV_TOKEN") or dotenv.get("NOHOLD_DEV_TOKEN")
    if dev:
        return dev, "NOHOLD_DEV_TOKEN"
    var_dir = Path(env.get("NOHOLD_VAR_DIR") or dotenv.get("NOHOLD_VAR_DIR") or root / "var")
    path = var_dir / "dev-auth-token"
    token = path.read_text().strip() if path.is_file() else ""
    if token:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        return token, f"{shown} (the dev-mode token the server wrote)"
    return None, ""


def build_parser() -> argparse.ArgumentParser:
    port = child_environment().get("PORT") or _dotenv(PROJECT_ROOT).get("PORT") or "5000"
    parser = argparse.ArgumentParser(
        prog="python -m ivr simulate",
        description="A phone in your terminal: calls nohold exactly the way Twilio would "
                    "(signed webhooks, TwiML followed verb by verb).")
    parser.add_argument("--base", default=f"http://localhost:{port}",
                        help="where nohold listens (default: %(default)s)")
    parser.add_argument("--script", nargs="+", metavar="FILE",
                        help="run scenario file(s) non-interactively (see scenarios/README.md)")
    parser.add_argument("--from", dest="from_number", default=DEFAULT_FROM, metavar="NUMBER",
                        help="the caller's number (default: %(default)s)")
    parser.add_argument("--to", dest="to_number", default=DEFAULT_TO, metavar="NUMBER",
                        help="the nohold number called (default: %(default)s)")
    parser.add_argument("--token", help="signing token (default: TWILIO_AUTH_TOKEN, "
                                        "then var/dev-auth-token)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="scripts: print only the verdicts, not the conversation")
    parser.add_argument("--no-color", action="store_true", help="never use colour")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns 0 ok, 1 a call broke or an expectation failed, 2 usage/config."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help or a usage error; callers want a code, not an exit
        return exc.code if isinstance(exc.code, int) else 2
    plain = args.no_color or "NO_COLOR" in child_environment()
    say = Console(print, colour=not plain and sys.stdout.isatty())
    err = Console(lambda line: print(line, file=sys.stderr),
                  colour=not plain and sys.stderr.isatty())
    token, source = find_token(args.token)
    if not token:
        err.error(NO_TOKEN)
        return 2
    say.note(f"signing like Twilio with the token from {source}")
    phone = Phone(args.base, token, HttpTransport(), out=None if args.quiet else print,
                  colour=say.colour, from_number=args.from_number, to_number=args.to_number,
                  token_source=source)
    try:
        if args.script:
            return run_scripts(phone, args.script, say, err)
        return run_interactive(phone, say)
    except Unreachable:
        err.error(f"Nothing answers at {args.base} — is `make run` running? "
                  "(Or point --base at the server.)")
        return 2


def run_scripts(phone: Phone, paths: list[str], say: Console, err: Console) -> int:
    worst, passed = 0, 0
    for path in paths:
        try:
            script = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            name = (script.get("name") if isinstance(script, dict) else None) or path
            say.note(f"── {name} ({path})")
            result = phone.run_script(script)
        except (OSError, yaml.YAMLError, ScriptError) as exc:
            err.error(f"{path}: {exc}")
            worst = 2
            continue
        say.note(result.summary())
        if result.ok:
            passed += 1
            say.ok(name)
        else:
            say.error(f"{name}: {result.error}")
            worst = max(worst, 1)
    if len(paths) > 1:
        say.note(f"{len(paths)} scenarios: {passed} passed, {len(paths) - passed} did not")
    return worst


def run_interactive(phone: Phone, say: Console) -> int:
    say.note(f"calling nohold at {phone.base_url} from {phone.from_number} "
             f"(to {phone.to_number}).")
    say.note("Type what you'd say; digits, * and # are keypresses; an empty line is "
             "silence; /hangup or Ctrl-D hangs up.")
    result = phone.call_interactive(phone.from_number, input)
    say.note(result.summary())
    if not result.ok:
        say.error(result.error)
    say.note("Text nohold by SMS? (e.g. reply to its receipt)")
    while True:
        try:
            line = input(say.prompt("empty line to finish", "✉ you (SMS)")).strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            break
        try:
            if not phone.send_sms(phone.from_number, line, echo=False):
                say.note("(no reply)")
        except CallBroken as exc:
            say.error(str(exc))
            break
    return 0 if result.ok else 1
