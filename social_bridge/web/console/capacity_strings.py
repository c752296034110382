"""The console's words for capacity and pause reasons (issue 19), Italian first; strings.py merges them in."""
from __future__ import annotations

CAPACITY_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "presence.pausa": "Pausa", "presence.formazione": "Formazione", "presence.back-office": "Back-office",
        "presence.pauses": "Pausa…",
        "capacity.threads_full": "Hai già {threads} conversazioni aperte: chiudine una prima di prenderne "
                                 "un'altra.",
        "capacity.voice_busy": "Hai già una chiamata o un messaggio vocale in corso: completalo prima di "
                               "prenderne un altro.",
        "capacity.full": "Hai già {threads} conversazioni aperte e una chiamata in corso: completa qualcosa "
                         "prima di prendere altro.",
        "capacity.paused": "Sei in pausa: torna Disponibile per prendere una richiesta.",
        "occupancy.title": "Occupazione di oggi", "occupancy.agent": "Operatore",
        "occupancy.logged": "Collegato", "occupancy.handling": "Su richieste", "occupancy.share": "Occupazione",
        "occupancy.paused": "In pausa",
        "occupancy.none": "Nessun operatore collegato oggi.",
    },
    "en": {
        "presence.pausa": "Break", "presence.formazione": "Training", "presence.back-office": "Back office",
        "presence.pauses": "Break…",
        "capacity.threads_full": "You already have {threads} conversations open: close one before taking "
                                 "another.",
        "capacity.voice_busy": "You already have a call or voicemail in hand: finish it before taking another.",
        "capacity.full": "You already have {threads} conversations open and a call in hand: finish something "
                         "before taking more.",
        "capacity.paused": "You are on a break: switch to Available to take a request.",
        "occupancy.title": "Occupancy today", "occupancy.agent": "Agent",
        "occupancy.logged": "Logged in", "occupancy.handling": "On requests", "occupancy.share": "Occupancy",
        "occupancy.paused": "Paused",
        "occupancy.none": "No agent logged in today.",
    },
}

# The API's sentences (English, like its other messages)
API_REFUSALS = {
    "threads_full": "you already hold {threads} conversations (AGENT_MAX_THREADS): complete one before taking another",
    "voice_busy": "you already hold a callback or voicemail: complete it before taking another",
    "full": "you already hold {threads} conversations and a voice item: complete one before taking more",
    "paused": "you are in a pause: set your state to available before taking work",
}
