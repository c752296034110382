"""Times named by a meal or the working day, and the weekend (issue 15 §1, round 9): "teatime" is late afternoon,
"after dinner", "dopo cena" the evening, "after work", "dopo il lavoro" early evening, "after breakfast" the morning,
"the weekend one", "quella del fine settimana" the Saturday or Sunday window. Said over in the words times_said.py
reads ("tardo pomeriggio" and the like), then resolved against the windows offered, as every time is.
"""
from __future__ import annotations

import re
from datetime import datetime

from ivr.understanding.dates_said import WEEKDAYS

# (normalised phrase, what it means in words times_said.py reads); the longer phrases first
MEALS = (
    (r"(?:after|before) (?:the )?school run|(?:before|prima di|prima della) (?:the )?(?:school|scuola)", "morning"),
    (r"(?:after|dopo) (?:my |la |the )?(?:breakfast|colazione)", "morning"),
    (r"elevenses", "mid morning"),
    (r"(?:before|by|prima di|prima del|entro) (?:noon|midday|mezzogiorno|lunch ?time|l ora di pranzo|ora di pranzo)",
     "before lunch"), (r"in the a ?m", "morning"),   # round 10: the soonest window that ends by about two
    (r"(?:before|prima di|prima della|prima del) (?:my |the |la |il )?(?:breakfast|colazione|work|lavoro)"
     r"|before i go to work|prima di andare al lavoro|prima di andare a lavorare", "early morning"),
    (r"(?:pausa pranzo|lunch break|lunch hour)", "pranzo"),
    (r"(?:(?:at|around|about|by) )?(?:tea ?time|tea time)|(?:all |verso l )?ora del te|(?:all |verso l )?ora di merenda"
     r"|merenda|(?:before|prima di|prima della) (?:my |the |our )?(?:dinner|supper|cena|tea)", "late afternoon"),
    (r"(?:after|dopo) (?:my |the |la |il |our )?(?:dinner|supper|tea|cena|dopocena)|dopocena|after we ve eaten"
     r"|after i ve eaten|dopo mangiato la sera|(?:after|once) (?:i|we) ve had (?:my |our |the )?(?:tea|dinner|supper)"
     r"|dopo (?:aver|avere) cenato|dopo che (?:ho|abbiamo) cenato|quando (?:ho|abbiamo) cenato", "late evening"),
    (r"(?:after|dopo) (?:the |la )?(?:school|scuola)|(?:school|scuola) pick ?up|(?:when|once) the kids are (?:back|home)"
     r"(?: from school)?|quando (?:tornano|escono) (?:i bambini |i ragazzi )?da scuola", "late afternoon"),
    (r"(?:(?:at|around|about) )?(?:dinner ?time|supper ?time)|(?:all |verso l )?ora di cena|verso cena|a cena",
     "evening"),
    (r"(?:after|dopo|once i finish|when i finish|when i get (?:home|back) from|when i m back from|once i m back from"
     r"|quando finisco|quando esco"
     r"|uscito|uscita|finito) (?:my |the |il |l |lo |da |dal |dall |col )?(?:work|lavoro|ufficio|office|shift|turno"
     r"|lavorare|job)|quando stacco|after hours|home from work|back from work|tornato dal lavoro|tornata dal lavoro"
     r"|rientro dal lavoro|after the working day|fine giornata lavorativa|dopo l orario di lavoro", "early evening"),
)
_MEALS = [(re.compile(rf"\b(?:{pattern})\b"), words) for pattern, words in MEALS]
WEEKEND = re.compile(r"\b(?:weekend|week end|fine settimana|finesettimana|fine della settimana)\b")
# another day said beside it makes the weekend a reason ("il fine settimana sono via, quindi lunedì"); a negation
# refuses it
OTHER_DAY = set(WEEKDAYS) | {"oggi", "domani", "today", "tomorrow", "dopodomani", "stasera", "tonight", "domattina"}
REFUSED = re.compile(r"\b(?:non|not|no|never|mai)\b(?: \w+){0,2} (?:the |il |al |nel )?(?:weekend|week end|fine sett)")
DAY_NAMES = {5: "saturday", 6: "sunday"}


# "six ish", "sei circa": about that hour
_HOURS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|uno|una|due|tre|quattro|cinque|sei|sette"
          "|otto|nove|dieci|undici|dodici|\\d{1,2}")
_AT_ABOUT = re.compile(r"\b(?:at|by|for) (around|about|roughly|approximately)\b")
_ABOUT = re.compile(rf"\b(?:(?P<en>{_HOURS}) ?ish|(?P<it>{_HOURS}) circa)\b")


def plain_times(words: str) -> str:
    """Normalised words with each meal or working-day time said over as a part of the day, and "six ish", "sei
    circa" as "around six", "verso le sei"."""
    for pattern, meant in _MEALS:
        words = pattern.sub(meant, words)
    words = _ABOUT.sub(lambda m: f"around {m['en']}" if m["en"] else f"verso le {m['it']}", words)
    return _AT_ABOUT.sub(r"\1", words)  # "at around six": around six


def weekend_named(words: str, windows: list[tuple[datetime, datetime]]) -> str:
    """"the weekend one" -> "the saturday one" when the weekend windows offered are all on one day; else as said."""
    if not WEEKEND.search(words) or set(words.split()) & OTHER_DAY or REFUSED.search(words) \
            or _NEXT_WEEK.search(words):  # "dopo il weekend sono in ferie": not the weekend itself
        return words
    days = {start.weekday() for start, _ in windows if start.weekday() in DAY_NAMES}
    return WEEKEND.sub(DAY_NAMES[days.pop()], words) if len(days) == 1 else words



# "after the weekend", "dopo il fine settimana", "next week", "la settimana prossima": the week after the coming Sunday
_NEXT_WEEK = re.compile(
    r"\b(?:(?:after|dopo|passato|passata|finito|finita|once|when) (?:the |il |la |this |questo |questa )?"
    r"(?:weekend|week end|fine settimana|finesettimana)(?: s over| is over| is done)?"
    r"|(?:next|la prossima|prossima|la settimana|settimana) (?:week|settimana|prossima|ventura|entrante)"
    r"|(?:from|da) (?:next )?(?:monday|lunedi)(?: prossimo| in poi| on(?:wards?)?)|(?:after|dopo) (?:sunday|domenica)"
    r"|(?:la )?settimana (?:che viene|dopo)|the week after|the following week"
    r"|(?:la )?(?:prossima|next) (?:settimana|week))\b")

# the week after named as when the caller cannot ("next week i'm away", "dopo il weekend sono in ferie"): a reason
_AWAY = re.compile(r"\b(?:away|busy|on holiday|out of the country|not around|not here|working|sono via|siamo via|in ferie"
                   r"|non ci sono|non ci siamo|impegnat[oa]|non posso|can t|cannot|fuori)\b")


def next_week_named(words: str) -> tuple[str, bool]:
    """("", True) for "after the weekend", "la settimana prossima": the words without the phrase and whether it was
    said; a refusal before it ("not next week") leaves the words as said."""
    match = _NEXT_WEEK.search(words)
    if match is None or _AWAY.search(words) or re.search(r"\b(?:not|non|no)\s+(?:the\s+|la\s+|il\s+)?$", words[:match.start()]):
        return words, False
    return (words[:match.start()] + " " + words[match.end():]).strip(), True
