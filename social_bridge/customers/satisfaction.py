"""Satisfaction: one question after a completed written request, its 1-5 answer, and the figures per agent,
team and channel.

`ask(item)` (Claims' on_complete) sends the question once, on the thread's own channel, as an automated message
(Delivery: never under Messenger's HUMAN_AGENT tag). A reply within WINDOW that is a score ("4", "5 stelle",
"cinque", "five") is the answer (`answer`): stored on the case (Cases.rate) and counted for the day; the Inbox
then thanks the customer and does not queue it. Anything else, or a reply after WINDOW, is a normal message (and
anything else withdraws the question).

Read API (reports, issue 19; days are the desk's local dates "YYYY-MM-DD", both ends included):
  summary(day_from, day_to) -> {"all": Figures, "agent": {id: Figures}, "team": {name: Figures},
                                "channel": {name: Figures}}, each Figures a dict {"count", "average" (None
                                without answers), "distribution": {"1": n, ..., "5": n}}
  answers(day_from, day_to) -> [dict]   each answer: score, agent, team, channel, case, item, at, day
"""
from __future__ import annotations

import json
import re
import time
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from social_bridge.chat.delivery import ReplyRefused
from social_bridge.customers.satisfaction_keys import SatisfactionKeys
from social_bridge.queue.work_item import WorkItem

WINDOW = 24 * 3600   # an answer counts within a day of the question
KEEP_DAYS = 400      # per-day figures are kept this long (a year's reports and a bit)
MAX_DAYS = 366       # longest range one summary reads
SCORES = ("1", "2", "3", "4", "5")
DIMENSIONS = ("agent", "team", "channel")
ASKED_AFTER = ("resolved", "other")  # not after a wrong number or an unreachable customer
_WORDS = {"uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5,
          "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SCORE = re.compile(r"^(?:voto|score|rating)?\s*([1-5]|[a-z]+)\s*(?:stelle|stella|stars?|/\s*5|su\s*5|out\s*of\s*5)?"
                    r"\s*[.!]*\s*$")


def score_of(text: str) -> int | None:
    """1-5 when the whole message is a score ("4", "5 stelle", "cinque", "five", "4/5"); None otherwise."""
    match = _SCORE.match((text or "").strip().lower())
    if not match:
        return None
    word = match.group(1)
    return int(word) if word.isdigit() else _WORDS.get(word)


def _figures(counts: dict[str, int]) -> dict:
    total = sum(counts.values())
    average = round(sum(int(s) * n for s, n in counts.items()) / total, 2) if total else None
    return {"count": total, "average": average, "distribution": {s: counts.get(s, 0) for s in SCORES}}


class Satisfaction:
    def __init__(self, redis, threads, delivery, prompts, cases, clock: Callable[[], float] = time.time,
                 timezone: str = "Europe/Rome", keys: SatisfactionKeys | None = None):
        self.redis, self.threads, self.delivery, self.prompts, self.cases = redis, threads, delivery, prompts, cases
        self.clock, self.zone, self.keys = clock, ZoneInfo(timezone), keys or SatisfactionKeys()

    def day(self, at: float) -> str:
        """The desk's local date of a moment, "YYYY-MM-DD"."""
        return datetime.fromtimestamp(at, self.zone).date().isoformat()

    @staticmethod
    def parse_day(day: str) -> date:
        return date.fromisoformat(day)

    def recent(self, days: int = 7, day_to: str = "") -> tuple[str, str]:
        """(from, to) of the `days` days ending with day_to (default today, the desk's calendar)."""
        day_to = day_to or self.day(self.clock())
        return (self.parse_day(day_to) - timedelta(days=days - 1)).isoformat(), day_to

    # -- asking and answering ---------------------------------------------------------------------
    def ask(self, item: WorkItem) -> bool:
        """After a completed thread request: the question, once, on its channel; False when not asked."""
        thread_id = item.details.get("thread_id", "") if item.kind == "thread" else ""
        thread = self.threads.get(thread_id) if thread_id and item.outcome in ASKED_AFTER else None
        if thread is None or not self.redis.set(self.keys.asked(item.id), "1", nx=True, ex=2 * WINDOW):
            return False
        pending = {"item": item.id, "agent": item.claimed_by, "team": getattr(item, "team", ""),
                   "channel": item.channel, "case": item.case_number, "asked_at": self.clock()}
        try:
            self.delivery.send(thread, self.prompts.text(thread.lang, "chat.satisfaction.question"), auto=True)
        except ReplyRefused:  # the channel cannot carry an automated message now: nobody is asked
            return False
        self.redis.set(self.keys.pending(thread.id), json.dumps(pending), ex=WINDOW + 3600)
        return True

    def answer(self, thread, text: str) -> int | None:
        """The score, stored, when `text` answers this thread's question in time; None: a normal message.
        Any other message first withdraws the question: a later "4" may answer an agent in a new conversation."""
        score = score_of(text)
        if score is None:
            self.redis.delete(self.keys.pending(thread.id))
            return None
        raw = self.redis.get(self.keys.pending(thread.id))
        asked = json.loads(raw) if raw else None
        now = self.clock()
        if asked is None or now - float(asked["asked_at"]) > WINDOW:
            return None
        if self.redis.getdel(self.keys.pending(thread.id)) is None:  # another process took this answer
            return None
        if asked["case"]:
            self.cases.rate(asked["case"], score)
        self._count(asked, score, now)
        return score

    def _count(self, asked: dict, score: int, now: float) -> None:
        day = self.day(now)
        answer = {"score": score, "agent": asked["agent"], "team": asked["team"], "channel": asked["channel"],
                  "case": asked["case"], "item": asked["item"], "at": now, "day": day}
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.keys.day(day), f"all||{score}", 1)
            for dimension in DIMENSIONS:
                pipe.hincrby(self.keys.day(day), f"{dimension}|{asked[dimension]}|{score}", 1)
            pipe.rpush(self.keys.answers(day), json.dumps(answer))
            for key in (self.keys.day(day), self.keys.answers(day)):
                pipe.expire(key, KEEP_DAYS * 86400)
            pipe.execute()

    # -- reading ----------------------------------------------------------------------------------
    @staticmethod
    def days(day_from: str, day_to: str) -> list[str]:
        """Every date from day_from to day_to; ValueError for a bad date, a reversed or too long range."""
        first, last = Satisfaction.parse_day(day_from), Satisfaction.parse_day(day_to)
        if last < first or (last - first).days >= MAX_DAYS:
            raise ValueError(f"a range of 1 to {MAX_DAYS} days, from before to")
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

    def summary(self, day_from: str, day_to: str) -> dict:
        with self.redis.pipeline(transaction=False) as pipe:
            for day in self.days(day_from, day_to):
                pipe.hgetall(self.keys.day(day))
            hashes = pipe.execute()
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for h in hashes:
            for field, n in h.items():
                dimension, value, score = field.split("|")
                bucket = counts.setdefault((dimension, value), {})
                bucket[score] = bucket.get(score, 0) + int(n)
        result = {"all": _figures(counts.get(("all", ""), {}))}
        for dimension in DIMENSIONS:
            result[dimension] = {value: _figures(c) for (d, value), c in sorted(counts.items()) if d == dimension}
        return result

    def answers(self, day_from: str, day_to: str) -> list[dict]:
        with self.redis.pipeline(transaction=False) as pipe:
            for day in self.days(day_from, day_to):
                pipe.lrange(self.keys.answers(day), 0, -1)
            return [json.loads(a) for day in pipe.execute() for a in day]
