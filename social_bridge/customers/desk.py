"""What the console's customer page and the API read and do: search, one person's history, cases, merging.

Plain Python over the stores (customers, cases, the queue, threads, notes); the web layers only render.
A person's history is every item of every case — calls, voice messages, threads, callback attempts, notes,
self-service steps — and every thread of their identities, as one timeline, newest first.
"""
from __future__ import annotations

import re
from dataclasses import asdict
from typing import Callable

from social_bridge.customers import case_numbers
from social_bridge.customers.cases import Case, Cases
from social_bridge.customers.customers import Customer, Customers
from social_bridge.customers.proofs import OneTimeCodes, Proof
from social_bridge.queue.notes import Notes

CHANNELS_OF = {"phone": ("sms",), "whatsapp": ("whatsapp",), "messenger": ("messenger",), "x": ("x",), "web": ("web",)}
MERGE = "merge"
_PHONE = re.compile(r"^\+?[\d\s().-]{6,20}$")
_HANDLE = re.compile(r"^[A-Za-z0-9_.:-]{3,64}$")


def _e164(text: str) -> str | None:
    digits = re.sub(r"[^\d]", "", text)
    if not _PHONE.fullmatch(text.strip()) or len(digits) < 6:
        return None
    if text.strip().startswith("+"):
        return "+" + digits
    return "+39" + digits if not digits.startswith("39") or len(digits) <= 10 else "+" + digits


class CustomerDesk:
    def __init__(self, customers: Customers, cases: Cases, threads, codes: OneTimeCodes,
                 send_code: Callable[[str, str], object], notes: Notes | None = None):
        """send_code(e164, code): texts a one-time code (the composition root's SMS)."""
        self.customers, self.cases, self.queue, self.threads = customers, cases, cases.queue, threads
        self.codes, self.send_code = codes, send_code
        self.notes = notes or Notes(cases.redis, cases.clock, cases.queue.keys)

    # -- search ---------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list[Customer]:
        """By case number, phone number, handle (PSID, X id), customer code or line number, or name prefix."""
        q = (query or "").strip()
        if not q or len(q) > 100:
            return []
        found: list[Customer] = []
        number = case_numbers.normalize(q)
        case = self.cases.get(number) if number else None
        if case and case.customer_id:
            found.append(self.customers.get(case.customer_id))
        phone = _e164(q)
        if phone:
            found += [self.customers.find(kind, phone) for kind in ("phone", "whatsapp")]
        if _HANDLE.fullmatch(q):
            found += [self.customers.find(kind, q) for kind in ("messenger", "x")]
            found.append(self.customers.by_account(q))
        found += self.customers.by_name(q, limit)
        unique = {c.id: c for c in found if c is not None}
        return list(unique.values())[:limit]

    # -- one person -----------------------------------------------------------------------------
    def case_view(self, case: Case) -> dict:
        item = self.queue.get(case.item_id)
        return {"number": case.number, "display": case.display, "state": case.state, "item_id": case.item_id,
                "items": list(case.items), "channels": list(case.channels), "acquired_at": case.acquired_at,
                "opened_at": case.opened_at, "resolved_at": case.resolved_at or None, "reopened": case.reopened,
                "kind": case.kind, "intent": item.intent if item else "", "customer_id": case.customer_id,
                "position": self.queue.position(case.item_id) if case.state == "open" else None,
                "satisfaction": case.satisfaction or None}  # the customer's 1-5 answer after it was resolved

    def page(self, customer_id: str, words: Callable[[object], bool] = lambda item: False) -> dict | None:
        """The customer page: identities, open and past cases, and the timeline. `words(item)`: whether the
        reader may see what the customer said on that item (the console's rule); otherwise only the kind."""
        customer = self.customers.get(customer_id)
        if customer is None:
            return None
        cases = [self.case_view(c) for c in self.cases.of_customer(customer_id)]
        return {"customer": asdict(customer),
                "open_cases": [c for c in cases if c["state"] != "resolved"],
                "past_cases": [c for c in cases if c["state"] == "resolved"],
                "timeline": self.history(customer, words)}

    def history(self, customer: Customer, words: Callable[[object], bool] = lambda item: False) -> list[dict]:
        """Every event of the person's requests and conversations, newest first."""
        events, threads = [], set()
        for case in self.cases.of_customer(customer.id):
            for item_id in case.items:
                item = self.queue.get(item_id)
                if item is None:
                    continue
                events += self._item_events(case, item, words(item))
                threads.update(t for t in [item.details.get("thread_id")] + list(item.details.get("thread_ids") or [])
                               if t)
        for identity in customer.identities:
            kind, value = identity.split(":", 1)
            for channel in CHANNELS_OF.get(kind, ()):
                thread = self.threads.for_customer(channel, value)
                if thread is not None:
                    threads.add(thread.id)
        for thread_id in sorted(threads):
            events += self._thread_events(thread_id, customer, words)
        return sorted(events, key=lambda e: e["at"], reverse=True)

    def _item_events(self, case: Case, item, shown: bool) -> list[dict]:
        base = {"case": case.number, "item_id": item.id, "kind": item.kind, "channel": item.channel}
        out = []
        for event in self.queue.history(item.id):
            what = event.get("event", "")
            kind = "attempt" if what in ("attempt", "attempt_failed") else "item"
            out.append({**base, "at": event.get("at", 0), "type": kind, "event": what,
                        "detail": {k: v for k, v in event.items() if k not in ("at", "event")}})
        if item.call_sid:
            out.append({**base, "at": item.acquired_at, "type": "call", "event": "voicemail" if item.kind == "voicemail"
                        else "call", "detail": {"call_sid": item.call_sid, "seconds": item.recording_seconds or None,
                                                "summary": item.summary if shown else ""}})
        for step in item.details.get("tried") or []:
            out.append({**base, "at": item.acquired_at, "type": "self_service", "event": str(step.get("step", "")),
                        "detail": {"result": step.get("result", "")}})
        for note in self.notes.for_item(item.id):
            out.append({**base, "at": note["at"], "type": "note", "event": "note",
                        "detail": {"agent": note["agent"], "text": note["text"]}})
        return out

    def _thread_events(self, thread_id: str, customer: Customer, words) -> list[dict]:
        thread = self.threads.get(thread_id)
        if thread is None:
            return []
        item = self.queue.get(thread.item_id) if thread.item_id else None
        shown = words(item) if item is not None else False
        return [{"at": m.at, "type": "message", "event": m.direction, "channel": thread.channel, "thread_id": thread.id,
                 "item_id": thread.item_id, "case": item.case_number if item else "", "kind": m.kind,
                 "detail": {"text": m.text if shown else "", "agent": m.agent}}
                for m in self.threads.messages(thread.id)]

    # -- merging two records of one person, with proof -----------------------------------------------
    def send_merge_code(self, keep_id: str, other_id: str) -> bool:
        """A one-time code to a phone number of `other`: typed back, it proves both records are one person."""
        keep, other = self.customers.get(keep_id), self.customers.get(other_id)
        phones = (other.values("phone") + other.values("whatsapp")) if other else []
        if keep is None or not phones:
            return False
        self.send_code(phones[0], self.codes.issue(MERGE, f"{keep_id}>{other_id}"))
        return True

    def merge(self, keep_id: str, other_id: str, code: str = "") -> Customer | None:
        """Merges with a proof: the backend confirmed the same customer code on both, or the one-time code."""
        keep, other = self.customers.get(keep_id), self.customers.get(other_id)
        if keep is None or other is None or keep_id == other_id:
            return None
        if keep.customer_code and keep.customer_code == other.customer_code:
            return self.customers.merge(keep_id, other_id, Proof("backend", keep.customer_code))
        if code and self.codes.verify(MERGE, f"{keep_id}>{other_id}", code):
            return self.customers.merge(keep_id, other_id, Proof("one_time_code", "merge"))
        return None
