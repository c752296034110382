"""The console's words for written channels' service levels and satisfaction (issue 19), Italian first."""
from __future__ import annotations

WRITTEN_SERVICE_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "title": "Chat oltre o vicino all'obiettivo",
        "col.clock": "Tempo", "col.channel": "Canale", "col.elapsed": "Trascorso", "col.target": "Obiettivo",
        "col.state": "Stato", "col.agent": "Operatore",
        "clock.first_response": "Prima risposta", "clock.resolution": "Soluzione",
        "state.breach": "Oltre l'obiettivo", "state.near": "Vicino all'obiettivo",
        "none": "Nessuna chat oltre o vicino all'obiettivo.", "nobody": "nessuno",
        "sat.title": "Soddisfazione (ultimi 7 giorni)", "sat.average": "Media", "sat.count": "Voti", "decimal": ",",
        "sat.none": "Ancora nessuna risposta.", "sat.by.agent": "Per operatore", "sat.by.team": "Per gruppo",
        "sat.by.channel": "Per canale", "sat.no_team": "senza gruppo",
    },
    "en": {
        "title": "Chats over or near target",
        "col.clock": "Clock", "col.channel": "Channel", "col.elapsed": "Elapsed", "col.target": "Target",
        "col.state": "State", "col.agent": "Agent",
        "clock.first_response": "First response", "clock.resolution": "Resolution",
        "state.breach": "Over target", "state.near": "Near target",
        "none": "No chat over or near its target.", "nobody": "nobody",
        "sat.title": "Satisfaction (last 7 days)", "sat.average": "Average", "sat.count": "Ratings", "decimal": ".",
        "sat.none": "No answers yet.", "sat.by.agent": "By agent", "sat.by.team": "By team",
        "sat.by.channel": "By channel", "sat.no_team": "no team",
    },
}


def written_service_strings(lang: str) -> dict[str, str]:
    return WRITTEN_SERVICE_STRINGS.get(lang, WRITTEN_SERVICE_STRINGS["it"])
