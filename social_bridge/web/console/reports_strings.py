"""The console's words for the reports page (issue 19), Italian first; strings.py holds the rest."""
from __future__ import annotations

REPORTS_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "nav": "Report", "title": "Report",
        "intro": "Contatti, risoluzione in autonomia e lavoro del team, per giorno o per settimana.",
        "from": "Dal", "to": "Al", "by": "Raggruppa", "by.day": "Per giorno", "by.week": "Per settimana",
        "show": "Mostra", "csv": "Scarica CSV",
        "contacts": "Contatti per canale", "rates": "Risolte in autonomia e livello di servizio",
        "ch.voice": "Telefono", "ch.messenger": "Messenger", "ch.whatsapp": "WhatsApp", "ch.sms": "SMS",
        "ch.x": "X", "ch.other": "Altro",
        "line.containment": "Chiamate risolte in autonomia",
        "line.service_level": "Chat con risposta entro l'obiettivo",
        "bar": "{period}: {total} contatti", "segment": "{period}, {channel}: {count}",
        "dot": "{period}, {name}: {value}%", "no_rates": "Nessuna chiamata né chat in questo periodo.",
        "figures": "Cifre", "agents": "Lavorate per operatore", "no_agents": "Nessuna richiesta completata.",
        "intents": "Contatti per motivo", "no_contacts": "Nessun contatto in questo periodo.",
        "col.period": "Periodo", "col.contacts": "Contatti", "col.calls": "Chiamate",
        "col.contained": "Risolte in autonomia", "col.hung_up": "Riattaccato prima di scegliere",
        "col.handled": "Completate", "col.handle": "Durata media", "col.reached": "Richiamate riuscite",
        "col.machine": "Segreteria", "col.failed": "Non raggiunti", "col.first": "Prima risposta",
        "col.sl": "Livello di servizio", "col.csat": "Soddisfazione", "col.agent": "Operatore",
        "col.intent": "Motivo", "total": "Totale",
        "bad.malformed": "Le date vanno scritte come 2026-12-01.",
        "bad.reversed": "La data finale ({end}) viene prima di quella iniziale ({start}).",
        "bad.too_long": "Un report copre al massimo {max} giorni; questo intervallo ne ha {days}.",
        "bad.by": "Si raggruppa per giorno o per settimana.",
    },
    "en": {
        "nav": "Reports", "title": "Reports",
        "intro": "Contacts, self-service and the team's work, per day or per week.",
        "from": "From", "to": "To", "by": "Group", "by.day": "By day", "by.week": "By week",
        "show": "Show", "csv": "Download CSV",
        "contacts": "Contacts by channel", "rates": "Contained calls and service level",
        "ch.voice": "Phone", "ch.messenger": "Messenger", "ch.whatsapp": "WhatsApp", "ch.sms": "SMS",
        "ch.x": "X", "ch.other": "Other",
        "line.containment": "Calls solved in self-service", "line.service_level": "Chats answered within target",
        "bar": "{period}: {total} contacts", "segment": "{period}, {channel}: {count}",
        "dot": "{period}, {name}: {value}%", "no_rates": "No calls or chats in this period.",
        "figures": "Figures", "agents": "Handled per agent", "no_agents": "No request completed.",
        "intents": "Contacts by reason", "no_contacts": "No contacts in this period.",
        "col.period": "Period", "col.contacts": "Contacts", "col.calls": "Calls",
        "col.contained": "Self-service", "col.hung_up": "Hung up before choosing",
        "col.handled": "Handled", "col.handle": "Average handle time", "col.reached": "Callbacks reached",
        "col.machine": "Answering machine", "col.failed": "Not reached", "col.first": "First response",
        "col.sl": "Service level", "col.csat": "Satisfaction", "col.agent": "Agent",
        "col.intent": "Reason", "total": "Total",
        "bad.malformed": "Dates must be written like 2026-12-01.",
        "bad.reversed": "The end date ({end}) comes before the start date ({start}).",
        "bad.too_long": "A report covers at most {max} days; this range has {days}.",
        "bad.by": "Group by day or by week.",
    },
}


def reports_strings(lang: str) -> dict[str, str]:
    return REPORTS_STRINGS.get(lang, REPORTS_STRINGS["it"])
