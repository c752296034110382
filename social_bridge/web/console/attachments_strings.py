"""The console's words for customers' attachments (issue 19), Italian first; strings.py holds the rest."""
from __future__ import annotations

ATTACHMENT_STRINGS: dict[str, dict[str, str]] = {
    "it": {
        "only.image": "[immagine]", "only.file": "[file]", "only.audio": "[audio]", "only.video": "[video]",
        "alt.image": "Immagine inviata dal cliente", "download": "Scarica", "open": "Apri",
        "kind.image": "immagine", "kind.file": "file", "kind.audio": "audio", "kind.video": "video",
        "size.unknown": "dimensione nota dopo l'apertura", "unnamed": "Allegato {n}",
        "refused.not_found": "Questo allegato non c'è, o il fornitore non lo conserva più.",
        "refused.forbidden": "Solo chi ha in carico la richiesta, o un supervisore, può aprire i suoi allegati.",
        "refused.unavailable": "Gli allegati di questo canale non si possono scaricare da questo server.",
        "refused.host": "L'allegato non è sui server del fornitore: per sicurezza non è stato scaricato.",
        "refused.provider": "Il fornitore non ha consegnato l'allegato: riprova tra poco.",
        "refused.type": "Questo tipo di file non si può aprire dalla console.",
        "refused.mismatch": "Il file non è del tipo dichiarato: per sicurezza non viene mostrato.",
        "refused.too_large": "Il file supera la dimensione massima consentita ({limit}): non viene mostrato.",
    },
    "en": {
        "only.image": "[image]", "only.file": "[file]", "only.audio": "[audio]", "only.video": "[video]",
        "alt.image": "Image sent by the customer", "download": "Download", "open": "Open",
        "kind.image": "image", "kind.file": "file", "kind.audio": "audio", "kind.video": "video",
        "size.unknown": "size known once opened", "unnamed": "Attachment {n}",
        "refused.not_found": "This attachment is not there, or the provider no longer keeps it.",
        "refused.forbidden": "Only the agent holding the item, or a supervisor, can open its attachments.",
        "refused.unavailable": "Attachments from this channel cannot be fetched on this server.",
        "refused.host": "The attachment is not on the provider's own servers, so it was not fetched.",
        "refused.provider": "The provider did not hand the attachment over: try again shortly.",
        "refused.type": "This type of file cannot be opened from the console.",
        "refused.mismatch": "The file is not the type it claims to be, so it is not shown.",
        "refused.too_large": "The file is larger than the limit allowed ({limit}), so it is not shown.",
    },
}


def attachment_strings(lang: str) -> dict[str, str]:
    return ATTACHMENT_STRINGS.get(lang, ATTACHMENT_STRINGS["it"])
