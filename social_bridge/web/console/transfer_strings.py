"""The console's words for transfers and assignments (issue 19), Italian first; strings.py holds the rest."""
from __future__ import annotations

TRANSFER_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "title": "Trasferisci", "to": "A chi", "to.agent": "Collega", "to.team": "Team",
        "note": "Nota per chi lo riceve", "note.placeholder": "Cosa hai già fatto, cosa manca",
        "send": "Trasferisci", "assign.title": "Assegna", "assign.to": "Agente", "assign.send": "Assegna",
        "team": "Team", "team.none": "nessuno",
        "done.agent": "Trasferito a {name}.", "done.team": "Rimesso in coda per il team {name}, al suo posto.",
        "done.assign": "Assegnato a {name}.",
        "live": "Assegnato a te da {name}", "live.open": "Apri", "live.close": "Chiudi",
        "err.no_target": "Scegli un collega oppure un team.",
        "err.unknown_agent": "Questo collega non esiste (o è disattivato).",
        "err.unknown_team": "Questo team non esiste.",
        "err.not_holder": "Solo chi ha in carico la richiesta può trasferirla.",
        "err.same_agent": "Ce l'hai già tu: scegli un collega.",
        "err.bad_note": "La nota è troppo lunga: al massimo 500 caratteri.",
        "err.final": "La richiesta è già chiusa: non si può più passare ad altri.",
        "err.not_supervisor": "Solo i supervisori assegnano le richieste.",
        "err.already_theirs": "Ce l'ha già in carico questo agente.",
        "err.unknown_item": "Questa richiesta non esiste.",
        "err.receiver_full": "Questo collega ne ha già in carico quante può: scegli qualcun altro o un team.",
        "err.receiver_paused": "Questo collega è in pausa: scegli qualcun altro o un team.",
    },
    "en": {
        "title": "Transfer", "to": "To", "to.agent": "Colleague", "to.team": "Team",
        "note": "Note for whoever receives it", "note.placeholder": "What you have done, what is left",
        "send": "Transfer", "assign.title": "Assign", "assign.to": "Agent", "assign.send": "Assign",
        "team": "Team", "team.none": "none",
        "done.agent": "Transferred to {name}.", "done.team": "Back in the queue for the {name} team, in its place.",
        "done.assign": "Assigned to {name}.",
        "live": "Transferred to you by {name}", "live.open": "Open", "live.close": "Close",
        "err.no_target": "Choose a colleague or a team.",
        "err.unknown_agent": "There is no such colleague (or their account is disabled).",
        "err.unknown_team": "There is no such team.",
        "err.not_holder": "Only the agent holding this request can transfer it.",
        "err.same_agent": "You already hold it: choose a colleague.",
        "err.bad_note": "The note is too long: 500 characters at most.",
        "err.final": "This request is closed: it can no longer be handed over.",
        "err.not_supervisor": "Only supervisors assign requests.",
        "err.already_theirs": "That agent already holds it.",
        "err.unknown_item": "There is no such request.",
        "err.receiver_full": "That colleague already holds as much as they can: choose someone else or a team.",
        "err.receiver_paused": "That colleague is on a break: choose someone else or a team.",
    },
}


def transfer_strings(lang: str) -> dict[str, str]:
    return TRANSFER_STRINGS.get(lang, TRANSFER_STRINGS["it"])
