"""`python -m ivr privacy erase | export`: a person's right to erasure (art. 17) and of access (art. 15).

    python -m ivr privacy erase  --phone "+39 347 123 4567" [--by "Maria Rossi"]
    python -m ivr privacy erase  --item ITEM_ID | --thread THREAD_ID | --case 12345678 | --customer cu_…
    python -m ivr privacy export --phone 3471234567 --out person.json

Both find the person the same way (the number in any format, an item or a thread, widened to every
item, thread and call of theirs) and print counts only: the output names nobody. Erasure is idempotent.
By case number or customer id, the customers package (issue 17) names the person and every identity of theirs.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import phonenumbers

from ivr.app.privacy_parts import Privacy, build_privacy
from ivr.app.settings import load_settings
from ivr.runtime.embedded import ensure_embedded_redis
from ivr.runtime.redis_client import state_client
from ivr.runtime.twilio_rest import make_twilio_client
from social_bridge.chat.threads import Threads
from social_bridge.privacy.erasure import RecordingNotDeleted
from social_bridge.privacy.export import export_person
from social_bridge.privacy.pseudonyms import PersonKeys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ivr privacy", description="Erase or export one person's data.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("erase", "remove every record of the person (recordings at Twilio too)"),
                       ("export", "write a JSON of everything kept about the person")):
        command = commands.add_parser(name, help=text)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone", help="the number in any format (+39…, 39…, 347…, spaced)")
        who.add_argument("--item", help="a work item id (console URL)")
        who.add_argument("--thread", help="a thread id")
        who.add_argument("--case", help="a case number (8 digits)")
        who.add_argument("--customer", help="a customer id (cu_…)")
        command.add_argument("--by", default="operator", help="who asked, for the access log")
        if name == "export":
            command.add_argument("--out", default="-", help="file to write (default: standard output)")
    return parser


def e164(number: str, region: str = "IT") -> str:
    """+393471234567 from "+39 347 123 4567", "393471234567", "347 1234567"…; ValueError otherwise."""
    digits = number.strip()
    if digits.isdigit() and digits.startswith("39") and len(digits) >= 11:
        digits = "+" + digits
    try:
        parsed = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def privacy_parts(settings) -> Privacy:
    """Only what a privacy request needs (no intent model): Redis, PersonKeys, threads, Twilio's REST."""
    client = state_client(settings, decode_responses=True)
    persons = PersonKeys(settings.person_key_secret)
    return build_privacy(client, make_twilio_client(settings), persons, Threads(client, persons), settings)


def main(argv: list[str], settings=None, out=sys.stdout) -> int:
    args = _parser().parse_args(argv)
    if settings is None:
        settings = load_settings()
        if not settings.redis_url and not settings.redis_cluster_url:
            settings = settings.with_overrides(redis_url=ensure_embedded_redis(settings.var_dir))
    privacy = privacy_parts(settings)
    records = privacy.records
    try:
        person = (records.by_phone(e164(args.phone, settings.callback_countries[0])) if args.phone
                  else records.by_item(args.item) if args.item
                  else records.by_thread(args.thread) if args.thread
                  else records.resolve(privacy.customers.by_case(args.case.strip())) if args.case
                  else records.resolve(privacy.customers.by_customer(args.customer.strip())))
    except ValueError as exc:
        print(f"privacy {args.command}: {exc}", file=sys.stderr)
        return 2
    number = e164(args.phone, settings.callback_countries[0]) if args.phone else ""
    subject = privacy.subject(number, args.item or "", args.thread or "", args.case or "", args.customer or "")
    if args.command == "export":
        privacy.access_log.record(args.by, "export", subject, detail=person.describe())
        document = export_person(records, person, {"voice": privacy.voice.export,
                                                   "customers": privacy.customers.export}, now=time.time())
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
        if args.out == "-":
            print(text, file=out)
        else:
            with open(args.out, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            print(f"exported {person.describe()} to {args.out}", file=out)
        return 0
    try:
        removed = privacy.erase(person, args.by, subject)
    except RecordingNotDeleted as exc:
        print(f"privacy erase: {exc}; run it again later", file=sys.stderr)
        return 1
    print("erased: " + (", ".join(f"{kind} {n}" for kind, n in sorted(removed.items())) or "nothing was left"),
          file=out)
    return 0
