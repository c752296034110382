"""The console's words for canned replies (issue 19), Italian first; strings.py holds the rest."""
from __future__ import annotations

CANNED_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "nav": "Risposte", "title": "Risposte pronte",
        "intro": "Testi pronti da inserire in una risposta: nella casella di risposta scrivi / e cerca.",
        "placeholders": "Segnaposto disponibili", "read_only": "Solo i supervisori possono modificarle.",
        "col.lang": "Lingua", "col.title": "Titolo", "col.text": "Testo", "none": "Nessuna risposta pronta.",
        "add": "Aggiungi una risposta", "save": "Salva", "delete": "Elimina", "edit": "Modifica",
        "saved": "Risposta salvata.", "deleted": "Risposta eliminata.", "missing": "Questa risposta non c'è più.",
        "unknown": "Segnaposto sconosciuto: {names}. Quelli disponibili sono {known}.",
        "invalid": "Servono lingua, titolo (fino a 80 caratteri) e testo (fino a 1600 caratteri).",
        "ph.name": "nome del cliente", "ph.case_number": "numero di richiesta",
        "ph.wait": "quanto ha atteso", "ph.reset_link": "link per reimpostare la password (da completare)",
        "picker.label": "Cerca una risposta pronta", "picker.none": "Nessuna risposta trovata.",
        "picker.keys": "Scrivi per filtrare, frecce per scorrere, Invio per inserire, Esc per chiudere.",
        "help": "nella risposta: inserisci una risposta pronta",
    },
    "en": {
        "nav": "Replies", "title": "Canned replies",
        "intro": "Ready-made texts to insert in a reply: type / in the reply box and search.",
        "placeholders": "Placeholders available", "read_only": "Only supervisors can change them.",
        "col.lang": "Language", "col.title": "Title", "col.text": "Text", "none": "No canned replies yet.",
        "add": "Add a reply", "save": "Save", "delete": "Delete", "edit": "Edit",
        "saved": "Reply saved.", "deleted": "Reply deleted.", "missing": "That reply is no longer there.",
        "unknown": "Unknown placeholder: {names}. The ones available are {known}.",
        "invalid": "Language, title (up to 80 characters) and text (up to 1,600 characters) are required.",
        "ph.name": "customer's name", "ph.case_number": "request number",
        "ph.wait": "how long they have waited", "ph.reset_link": "password reset link (to complete by hand)",
        "picker.label": "Search canned replies", "picker.none": "No reply found.",
        "picker.keys": "Type to filter, arrows to move, Enter to insert, Esc to close.",
        "help": "in a reply: insert a canned reply",
    },
}


def canned_strings(lang: str) -> dict[str, str]:
    return CANNED_STRINGS.get(lang, CANNED_STRINGS["it"])
