"""The console's words for the supervisors' teams page (issue 19), Italian first."""
from __future__ import annotations

TEAM_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "nav": "Team", "title": "Team",
        "intro": "Ogni richiesta nuova va al team del suo motivo; gli agenti di un team prendono prima le sue "
                 "richieste e quelle degli altri team dopo {seconds} secondi di attesa. Un motivo che nessun "
                 "team elenca va al team Tecnico.",
        "col.team": "Team", "col.intents": "Motivi", "col.members": "Agenti", "none": "nessuno",
        "name": "Nome", "save": "Salva", "add": "Aggiungi un team", "add.send": "Aggiungi",
        "saved": "Team salvato.", "added": "Team aggiunto.",
        "err.no_name": "Serve un nome per il team (almeno una lettera o una cifra).",
        "err.name_too_long": "Il nome del team è troppo lungo: al massimo 40 caratteri.",
        "err.name_taken": "Esiste già un team che si chiama «{detail}».",
        "err.unknown_team": "Questo team non esiste.",
        "err.unknown_intent": "Motivo sconosciuto: {detail}.",
        "err.unknown_agent": "Agente sconosciuto: {detail}.",
    },
    "en": {
        "nav": "Teams", "title": "Teams",
        "intro": "Every new request goes to the team of its reason; a team's agents take its requests first and "
                 "other teams' ones once they have waited {seconds} seconds. A reason no team lists goes to the "
                 "Tecnico team.",
        "col.team": "Team", "col.intents": "Reasons", "col.members": "Agents", "none": "none",
        "name": "Name", "save": "Save", "add": "Add a team", "add.send": "Add",
        "saved": "Team saved.", "added": "Team added.",
        "err.no_name": "The team needs a name (at least one letter or digit).",
        "err.name_too_long": "The team name is too long: 40 characters at most.",
        "err.name_taken": "There is already a team called \u201c{detail}\u201d.",
        "err.unknown_team": "There is no such team.",
        "err.unknown_intent": "Unknown reason: {detail}.",
        "err.unknown_agent": "Unknown agent: {detail}.",
    },
}


def team_strings(lang: str) -> dict[str, str]:
    return TEAM_STRINGS.get(lang, TEAM_STRINGS["it"])
