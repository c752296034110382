"""The one test clock: a callable the test moves by hand, as the product's `clock=` arguments expect."""
from __future__ import annotations

from datetime import datetime


class Clock:
    """Returns the epoch seconds it was set to; built from epoch seconds or an aware datetime.

    `now` is a plain attribute, so a test may also write `clock.now += seconds`."""

    def __init__(self, when: float | datetime) -> None:
        self.now = self._seconds(when)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, when: float | datetime) -> None:
        self.now = self._seconds(when)

    @staticmethod
    def _seconds(when: float | datetime) -> float:
        return when.timestamp() if isinstance(when, datetime) else float(when)
