"""The console's words for customers and cases (issue 17), Italian first; strings.py holds the rest."""
from __future__ import annotations

CUSTOMER_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "nav": "Clienti", "search.title": "Clienti", "search.label": "Cerca un cliente",
        "search.placeholder": "Telefono, numero di richiesta, nome, handle o codice cliente",
        "search.submit": "Cerca", "search.none": "Nessun cliente trovato.", "search.keys":
        "/ per cercare, j e k (o le frecce) per scorrere, Invio per aprire, q per tornare alla coda.",
        "customer.title": "Cliente", "customer.code": "Codice cliente", "customer.line": "Linea",
        "customer.unnamed": "Cliente senza nome", "identities": "Identità verificate", "identity.kind": "Tipo",
        "identity.value": "Identità", "identity.proof": "Verificata con",
        "proof.contact": "il canale stesso", "proof.handoff_code": "codice di passaggio",
        "proof.one_time_code": "codice via SMS", "proof.backend": "sistemi clienti",
        "kind.phone": "Telefono", "kind.whatsapp": "WhatsApp", "kind.messenger": "Messenger", "kind.x": "X",
        "cases.open": "Richieste aperte", "cases.past": "Richieste passate", "cases.none": "Nessuna.",
        "case.number": "Numero", "case.state": "Stato", "case.channels": "Canali", "case.position": "Posto",
        "case.opened": "Aperta", "case.reopened": "riaperta",
        "state.open": "Aperta", "state.in_progress": "In lavorazione",
        "state.waiting_customer": "In attesa del cliente",
        "state.resolved": "Risolta",
        "timeline": "Storico su tutti i canali", "timeline.none": "Ancora niente.",
        "col.when": "Quando", "col.what": "Cosa", "col.channel": "Canale", "col.detail": "Dettagli",
        "type.item": "Richiesta", "type.attempt": "Tentativo di richiamata", "type.call": "Chiamata",
        "type.self_service": "Self-service", "type.note": "Nota", "type.message": "Messaggio",
        "message.in": "dal cliente", "message.out": "da noi", "message.note": "nota",
        "words.hidden": "Il testo lo vede chi ha in carico la richiesta.",
        "customer.keys": "/ per cercare, o per aprire la prima richiesta aperta, q per tornare alla coda.",
        "help.search": "cerca un cliente (pagina Clienti)", "case.label": "Richiesta n.",
    },
    "en": {
        "nav": "Customers", "search.title": "Customers", "search.label": "Find a customer",
        "search.placeholder": "Phone, request number, name, handle or customer code",
        "search.submit": "Search", "search.none": "No customer found.", "search.keys":
        "/ to search, j and k (or the arrows) to move, Enter to open, q for the queue.",
        "customer.title": "Customer", "customer.code": "Customer code", "customer.line": "Line",
        "customer.unnamed": "Unnamed customer", "identities": "Verified identities", "identity.kind": "Kind",
        "identity.value": "Identity", "identity.proof": "Verified by",
        "proof.contact": "the channel itself", "proof.handoff_code": "handoff code",
        "proof.one_time_code": "code by text", "proof.backend": "customer systems",
        "kind.phone": "Phone", "kind.whatsapp": "WhatsApp", "kind.messenger": "Messenger", "kind.x": "X",
        "cases.open": "Open requests", "cases.past": "Past requests", "cases.none": "None.",
        "case.number": "Number", "case.state": "State", "case.channels": "Channels", "case.position": "Place",
        "case.opened": "Opened", "case.reopened": "reopened",
        "state.open": "Open", "state.in_progress": "In progress", "state.waiting_customer": "Waiting for the customer",
        "state.resolved": "Resolved",
        "timeline": "History across channels", "timeline.none": "Nothing yet.",
        "col.when": "When", "col.what": "What", "col.channel": "Channel", "col.detail": "Details",
        "type.item": "Request", "type.attempt": "Callback attempt", "type.call": "Call",
        "type.self_service": "Self-service", "type.note": "Note", "type.message": "Message",
        "message.in": "from the customer", "message.out": "from us", "message.note": "note",
        "words.hidden": "The text is shown to whoever holds the request.",
        "customer.keys": "/ to search, o to open the first open request, q for the queue.",
        "help.search": "find a customer (Customers page)", "case.label": "Request no.",
    },
}


def customer_strings(lang: str) -> dict[str, str]:
    return CUSTOMER_STRINGS.get(lang, CUSTOMER_STRINGS["it"])
