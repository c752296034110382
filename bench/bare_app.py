"""The baseline: a bare Flask app answering the voice paths with one constant TwiML, and the
Messenger webhook with Meta's constant acknowledgement.

No signature check, no form parsing, no Redis: what 2 gunicorn workers of Flask can do at best
on this machine. `bench.voice_load` serves it with the same gunicorn settings as nohold.
"""
from __future__ import annotations

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="it-IT" voice="Polly.Carla">Buongiorno, grazie di aver chiamato.</Say>'
    '<Gather action="/voice/step?seq=1" actionOnEmptyResult="true" input="speech dtmf" language="it-IT" '
    'method="POST" numDigits="1" speechTimeout="auto" timeout="5">'
    '<Say language="it-IT" voice="Polly.Carla">Mi dica in poche parole il motivo della chiamata.</Say>'
    '</Gather></Response>'
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/voice/incoming")
    @app.post("/voice/step")
    def voice():
        return Response(TWIML, mimetype="text/xml")

    @app.post("/social/messenger")
    def messenger():  # what Meta expects back; no signature check, no JSON parsing, no Redis
        return Response("EVENT_RECEIVED", mimetype="text/plain")

    return app


app = create_app()
