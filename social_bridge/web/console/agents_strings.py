"""The words of the agents page (issue 19, supervisors only), Italian first; `refused.*` word the refusals of
social_bridge/queue/agent_admin.py (the API answers with the English ones)."""
from __future__ import annotations

AGENTS_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "nav": "Operatori", "title": "Operatori",
        "intro": ("Aggiungi operatori, disattivali, reimposta le password, rilascia token per l'API, "
                  "scegli lingue e team."),
        "col.name": "Nome", "col.role": "Ruolo", "col.languages": "Lingue", "col.teams": "Team",
        "col.status": "Stato", "col.phone": "Telefono", "col.tokens": "Token API",
        "enabled": "attivo", "disabled": "disattivato", "none": "—", "manage": "Gestisci",
        "add": "Aggiungi un operatore", "name": "Nome e cognome", "role": "Ruolo", "languages": "Lingue",
        "teams": "Team", "password": "Password iniziale",
        "password.hint": "Lascia vuoto per generarne una, che vedrai una sola volta.", "save": "Salva",
        "disable": "Disattiva", "enable": "Riattiva", "reset": "Reimposta la password",
        "new_password": "Nuova password",
        "token.issue": "Nuovo token API", "token.revoke": "Revoca",
        "secret.password": "Password di {agent}: comunicala ora, non sarà più mostrata.",
        "secret.token": ("Token API {token_id} di {agent}: copialo ora, non sarà più mostrato "
                         "(si conserva solo la sua impronta)."),
        "done.add": "Nuovo operatore: {agent}.",
        "done.disable": "Accesso disattivato per {agent}: non può più entrare e i suoi token non valgono più.",
        "done.released": "Richieste che aveva in carico, tornate in coda al loro posto: {count}.",
        "done.enable": "Accesso riattivato per {agent}.",
        "done.password": "Password di {agent} cambiata: le sue sessioni sono chiuse.",
        "done.revoke": "Token {token} di {agent} revocato.", "done.edit": "Dati di {agent} aggiornati.",
        "audit.title": "Modifiche agli operatori", "audit.none": "Nessuna modifica finora.",
        "audit.when": "Quando", "audit.who": "Chi", "audit.action": "Cosa", "audit.whom": "A chi",
        "audit.detail": "Dettagli",
        "action.add": "ha aggiunto", "action.disable": "ha disattivato", "action.enable": "ha riattivato",
        "action.password": "ha reimpostato la password di", "action.token_issued": "ha rilasciato un token a",
        "action.token_revoked": "ha revocato un token di", "action.edit": "ha modificato",
        "refused.unknown_agent": "Non c'è nessun operatore con id «{agent}».",
        "refused.unknown_token": "{agent} non ha nessun token con id «{token}».",
        "refused.duplicate_name": "Il nome «{name}» è già in uso (id {agent}): scegline un altro.",
        "refused.bad_name": "Il nome deve contenere almeno una lettera o una cifra (al massimo 80 caratteri).",
        "refused.unknown_language": "Lingua sconosciuta: {got}. Quelle disponibili sono {known}.",
        "refused.unknown_team": "Team sconosciuto: {got}. I team sono {known}.",
        "refused.bad_role": "Ruolo sconosciuto: {got}. I ruoli sono {known}.",
        "refused.short_password": "La password è troppo corta: servono almeno {min} caratteri.",
        "refused.self_disable": "Non puoi disattivare te stesso: chiedilo a un altro supervisore.",
        "refused.last_supervisor": "{agent} è l'ultimo supervisore attivo: deve restarne almeno uno.",
        "refused.not_supervisor": "Solo i supervisori possono gestire gli operatori.",
        "refused.bad_phone": "Il numero deve essere in formato internazionale, come +393471234567.",
        "refused.bad_field": "Non si può modificare: {got}. Si possono modificare {known}.",
    },
    "en": {
        "nav": "Agents", "title": "Agents",
        "intro": "Add agents, disable them, reset passwords, issue API tokens, choose languages and teams.",
        "col.name": "Name", "col.role": "Role", "col.languages": "Languages", "col.teams": "Teams",
        "col.status": "Status", "col.phone": "Phone", "col.tokens": "API tokens",
        "enabled": "active", "disabled": "disabled", "none": "—", "manage": "Manage",
        "add": "Add an agent", "name": "Full name", "role": "Role", "languages": "Languages",
        "teams": "Teams", "password": "Initial password",
        "password.hint": "Leave it empty to have one generated, shown to you once.", "save": "Save",
        "disable": "Disable", "enable": "Enable", "reset": "Reset the password", "new_password": "New password",
        "token.issue": "New API token", "token.revoke": "Revoke",
        "secret.password": "{agent}'s password: pass it on now, it will not be shown again.",
        "secret.token": ("{agent}'s API token {token_id}: copy it now, it will not be shown again "
                         "(only its digest is kept)."),
        "done.add": "{agent} added.",
        "done.disable": "{agent} disabled: they can no longer sign in and their tokens no longer work.",
        "done.released": "Items they held, now back in the queue in their place: {count}.",
        "done.enable": "{agent} enabled again.",
        "done.password": "{agent}'s password changed: their sessions are closed.",
        "done.revoke": "Token {token} of {agent} revoked.", "done.edit": "{agent} updated.",
        "audit.title": "Changes to agents", "audit.none": "No changes yet.",
        "audit.when": "When", "audit.who": "Who", "audit.action": "What", "audit.whom": "To whom",
        "audit.detail": "Details",
        "action.add": "added", "action.disable": "disabled", "action.enable": "enabled",
        "action.password": "reset the password of", "action.token_issued": "issued a token to",
        "action.token_revoked": "revoked a token of", "action.edit": "edited",
        "refused.unknown_agent": "There is no agent with id “{agent}”.",
        "refused.unknown_token": "{agent} has no API token with id “{token}”.",
        "refused.duplicate_name": "The name “{name}” is taken (id {agent}): choose another.",
        "refused.bad_name": "The name needs at least one letter or digit (80 characters at most).",
        "refused.unknown_language": "Unknown language: {got}. The ones available are {known}.",
        "refused.unknown_team": "Unknown team: {got}. The teams are {known}.",
        "refused.bad_role": "Unknown role: {got}. The roles are {known}.",
        "refused.short_password": "The password is too short: use at least {min} characters.",
        "refused.self_disable": "You cannot disable yourself: ask another supervisor.",
        "refused.last_supervisor": "{agent} is the last active supervisor: there must always be one.",
        "refused.not_supervisor": "Only supervisors manage agents.",
        "refused.bad_phone": "The phone number must be in international form, like +393471234567.",
        "refused.bad_field": "Not changeable: {got}. Changeable: {known}.",
    },
}


def agents_strings(lang: str) -> dict[str, str]:
    return AGENTS_STRINGS.get(lang, AGENTS_STRINGS["it"])


def refusal(lang: str, refused) -> str:
    """The sentence for an AdminRefused, in lang."""
    return agents_strings(lang)[f"refused.{refused.code}"].format(**refused.params)
