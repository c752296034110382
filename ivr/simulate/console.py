"""What the terminal phone prints: who speaks, what the caller is asked, what went wrong."""
from __future__ import annotations

from typing import Callable

_CODES = {"nohold": "1;36", "you": "1;32", "note": "2", "error": "1;31", "ok": "1;32",
          "sms": "1;35", "lang": "2;36"}


class Console:
    """Formats transcript lines; silent when out is None, coloured only when asked."""

    def __init__(self, out: Callable[[str], object] | None = print, colour: bool = False):
        self.out = out
        self.colour = colour

    def paint(self, style: str, text: str) -> str:
        return f"\x1b[{_CODES[style]}m{text}\x1b[0m" if self.colour else text

    def _emit(self, line: str) -> None:
        if self.out is not None:
            self.out(line)

    def nohold(self, text: str, lang: str | None = None) -> None:
        tag = " " + self.paint("lang", f"[{lang}]") if lang else ""
        self._emit(f"{self.paint('nohold', '☎ nohold')}{tag}: {text}")

    def you(self, text: str) -> None:
        self._emit(f"{self.paint('you', '🗣 you')}: {text}")

    def sms(self, who: str, text: str) -> None:
        self._emit(f"{self.paint('sms', '✉ ' + who)}: {text}")

    def note(self, text: str) -> None:
        self._emit(self.paint("note", f"  · {text}"))

    def ok(self, text: str) -> None:
        self._emit(f"{self.paint('ok', '✓')} {text}")

    def error(self, text: str) -> None:
        self._emit(f"{self.paint('error', '✗')} {text}")

    def prompt(self, text: str, who: str = "🗣 you") -> str:
        """The string handed to input(): the caller's turn."""
        return f"{self.paint('you', who)} {self.paint('note', f'({text})')}: "
