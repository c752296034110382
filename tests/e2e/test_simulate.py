"""The terminal phone against a tiny signed IVR built here (not the product's endpoints)."""
from __future__ import annotations

import math
import re
import threading

import pytest
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.serving import make_server

from ivr.simulate import (CallResult, FlaskTransport, HttpTransport, Phone, ScriptError,
                          caller_seconds, find_token, main, validate_script)
from ivr.simulate.callers import InteractiveCaller
from ivr.simulate.model import Ask
from ivr.simulate.twiml import resolve

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "http://nohold.test"

GREETING = "Buongiorno, mi dica in poche parole il motivo della chiamata."
MENU = "Premi 1 per essere richiamato, 2 per lasciare un messaggio, 3 per altro."


def make_ivr(log: list[dict], mode: str = "normal") -> Flask:
    """A small scripted IVR that checks every signature, as nohold will."""
    app = Flask("tiny_ivr")
    validator = RequestValidator(TOKEN)

    def twiml(resp) -> Response:
        return Response(str(resp), mimetype="text/xml")

    @app.before_request
    def check_signature():
        signed = validator.validate(request.url, request.form,
                                    request.headers.get("X-Twilio-Signature", ""))
        log.append({"url": request.url, "path": request.path, "form": request.form.to_dict(),
                    "signed": signed})
        if not signed:
            abort(403)

    @app.post("/voice/incoming")
    def incoming():
        r = VoiceResponse()
        if mode == "music":
            r.say("Attenda in linea.")
            r.play("https://example.com/hold.mp3")
        elif mode == "loop":
            r.redirect("/voice/loop")
        elif mode == "not-xml":
            return "<html>oops</html"
        elif mode == "500":
            abort(500)
        else:
            g = r.gather(input="speech dtmf", action="reason?lang=it&step=1", language="it-IT")
            g.say(GREETING, language="it-IT")
            r.say("Non ho sentito nulla.", language="it-IT")
            r.redirect("/voice/incoming?retry=1")
        return twiml(r)

    @app.post("/voice/loop")
    def loop():
        r = VoiceResponse()
        r.redirect("loop")
        return twiml(r)

    @app.post("/voice/reason")
    def reason():
        said = request.form.get("SpeechResult") or request.form.get("Digits", "")
        r = VoiceResponse()
        r.say(f"Ho capito: {said}.")
        g = r.gather(input="dtmf", num_digits=1, action="/voice/choice?b=2&a=1")
        g.say(MENU)
        r.say("Nessuna scelta. Arrivederci.")
        r.hangup()
        return twiml(r)

    @app.post("/voice/choice")
    def choice():
        r = VoiceResponse()
        digit = request.form.get("Digits")
        if digit == "1":
            r.say("Perfetto, la richiameremo appena possibile. È tutto, arrivederci.")
            r.hangup()
        elif digit == "2":
            r.say("Lasci un messaggio dopo il segnale.")
            r.record(action=f"{request.host_url}voice/recorded?x=1&y=%2B", max_length=60,
                     recording_status_callback="/voice/recording-status")
            r.say("Nessun messaggio registrato. Arrivederci.")
            r.hangup()
        else:
            g = r.gather(input="speech", action="/voice/empty", action_on_empty_result=True)
            g.say("Vuole aggiungere qualcosa?")
            r.say("Questo non si sente mai.")
        return twiml(r)

    @app.post("/voice/recorded")
    def recorded():
        r = VoiceResponse()
        r.say(f"Grazie, messaggio di {request.form['RecordingDuration']} secondi ricevuto.")
        r.hangup()
        return twiml(r)

    @app.post("/voice/empty")
    def empty():
        r = VoiceResponse()
        r.say("Annotato." if request.form.get("SpeechResult") else "Va bene, niente da aggiungere.")
        return twiml(r)  # no <Hangup/>: Twilio hangs up at the end of the document

    @app.post("/voice/status")
    @app.post("/voice/recording-status")
    def status():
        return "", 204

    @app.post("/sms/incoming")
    def sms():
        r = MessagingResponse()
        r.message("Richiamata annullata." if request.form["Body"].strip().upper() == "ANNULLA"
                  else "Non ho capito.")
        return twiml(r)

    return app


@pytest.fixture
def log():
    return []


def phone_for(log, mode="normal", token=TOKEN) -> Phone:
    return Phone(BASE, token, FlaskTransport(make_ivr(log, mode)))


HAPPY = {
    "name": "callback as soon as possible",
    "answers": [
        {"say": "internet non funziona", "expect": "MOTIVO della chiamata"},
        {"digits": "1", "expect": ["ho capito: internet", "premi 1"]},
    ],
    "expect_end": ["richiameremo", "e tutto"],  # accents and case don't matter
    "max_seconds": 60,
}


def test_script_passes_and_every_request_is_signed(log):
    result = phone_for(log).run_script(HAPPY)
    assert result.ok, result.error
    assert result.ended_by == "nohold hung up"
    assert log
    assert all(entry["signed"] for entry in log)
    assert [e["url"] for e in log] == [
        f"{BASE}/voice/incoming", f"{BASE}/voice/reason?lang=it&step=1",
        f"{BASE}/voice/choice?b=2&a=1", f"{BASE}/voice/status"]
    first, speech, digits, status = (e["form"] for e in log)
    assert re.fullmatch(r"CA[0-9a-f]{32}", first["CallSid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", first["AccountSid"])
    assert first["CallStatus"] == "ringing"
    assert first["FromCountry"] == "IT"
    assert first["From"] == first["Caller"] == "+393471234567"
    assert (speech["SpeechResult"], speech["Confidence"]) == ("internet non funziona", "0.9")
    assert speech["CallStatus"] == "in-progress"
    assert speech["CallSid"] == first["CallSid"]
    assert digits["Digits"] == "1"
    assert status["CallStatus"] == "completed"
    assert status["CallDuration"] == str(math.ceil(result.caller_seconds))


def test_caller_time_counts_words_and_answers(log):
    result = phone_for(log).run_script(HAPPY)
    spoken = [GREETING, "Ho capito: internet non funziona.", MENU,
              "Perfetto, la richiameremo appena possibile. È tutto, arrivederci."]
    assert result.heard == spoken
    assert result.words == sum(len(s.split()) for s in spoken) == 36
    assert result.answers == 2
    assert result.caller_seconds == pytest.approx(36 / 2.5 + 2 * 3)
    assert caller_seconds(80, 3) == 41
    summary = CallResult(True, [], [], 41.0, 80, 3).summary()
    assert summary == "This call cost the caller ~41 s: 80 words spoken, 3 answers"


def test_silence_waits_count_and_fall_through_to_the_next_verb(log):
    result = phone_for(log).run_script({"answers": [
        {"silence": True},
        {"say": "la bolletta", "expect": "non ho sentito nulla"},
        {"digits": "1"}]})
    assert result.ok, result.error
    assert f"{BASE}/voice/incoming?retry=1" in [e["url"] for e in log]
    assert result.answers == 2
    assert result.waited_seconds == 5  # Gather's default timeout
    assert result.caller_seconds == pytest.approx(result.words / 2.5 + 2 * 3 + 5)


def test_relative_and_absolute_actions_keep_their_query_strings(log):
    result = phone_for(log).run_script({"answers": [
        {"say": "internet"}, {"digits": "2"},
        {"record": "salve volevo dire che internet non va da ieri sera"}],
        "expect_end": "messaggio di 4 secondi"})
    assert result.ok, result.error
    urls = [e["url"] for e in log]
    assert f"{BASE}/voice/choice?b=2&a=1" in urls            # absolute path, unsorted query
    assert f"{BASE}/voice/reason?lang=it&step=1" in urls     # relative to /voice/incoming
    rec = next(e for e in log if e["path"] == "/voice/recorded")
    assert rec["url"] == f"{BASE}/voice/recorded?x=1&y=%2B"  # absolute URL, kept as written
    form = rec["form"]
    assert form["RecordingDuration"] == "4"
    assert form["Digits"] == "#"
    assert re.fullmatch(rf"https://api\.twilio\.com/2010-04-01/Accounts/{form['AccountSid']}"
                        rf"/Recordings/{form['RecordingSid']}", form["RecordingUrl"])
    assert urls.index(f"{BASE}/voice/recording-status") > urls.index(rec["url"])
    assert resolve("http://h/voice/a?q=1", "b?z=2&a=1") == "http://h/voice/b?z=2&a=1"
    assert resolve("http://h/voice/a", "/x/y?b=1&a=2") == "http://h/x/y?b=1&a=2"
    assert resolve("http://h/voice/a", "https://o.example/y?b=1") == "https://o.example/y?b=1"
    assert resolve("http://h/voice/a?q=1", None) == "http://h/voice/a?q=1"


def test_empty_recording_skips_the_action_like_twilio(log):
    result = phone_for(log).run_script({"answers": [
        {"say": "internet"}, {"digits": "2"}, {"silence": True}],
        "expect_end": "nessun messaggio registrato"})
    assert result.ok, result.error
    assert "/voice/recorded" not in [e["path"] for e in log]


def test_action_on_empty_result_posts_and_a_document_without_hangup_ends_the_call(log):
    result = phone_for(log).run_script({"answers": [
        {"say": "altro"}, {"digits": "3"}, {"silence": True, "expect": "aggiungere"}],
        "expect_end": "niente da aggiungere"})
    assert result.ok, result.error
    empty = next(e for e in log if e["path"] == "/voice/empty")
    assert empty["form"]["SpeechResult"] == ""
    assert "Questo non si sente mai." not in result.heard
    assert result.ended_by.startswith("end of TwiML")


def test_a_wrong_expectation_fails_saying_which_step_and_what_was_heard(log):
    script = {**HAPPY, "answers": [HAPPY["answers"][0], {"digits": "1", "expect": "bolletta"}]}
    result = phone_for(log).run_script(script)
    assert not result.ok
    assert "answer 2 (digits: '1')" in result.error
    assert "bolletta" in result.error
    assert MENU in result.error


def test_expect_end_and_max_seconds_are_checked(log):
    result = phone_for(log).run_script({**HAPPY, "expect_end": "arrivederla"})
    assert not result.ok
    assert "expect_end" in result.error
    assert "arrivederla" in result.error
    result = phone_for(log).run_script({**HAPPY, "max_seconds": 10})
    assert not result.ok
    assert "max_seconds" in result.error
    assert "10 s" in result.error


def test_hold_music_breaks_the_call(log):
    result = phone_for(log, "music").run_script({"answers": []})
    assert not result.ok
    assert "<Play>" in result.error
    assert "hold music" in result.error
    assert log[-1]["path"] == "/voice/status"  # Twilio still reports the call's end


@pytest.mark.parametrize("mode, words", [("loop", "more than 40 requests"),
                                         ("not-xml", "did not answer TwiML"),
                                         ("500", "HTTP 500")])
def test_broken_servers_are_reported(log, mode, words):
    result = phone_for(log, mode).run_script({"answers": []})
    assert not result.ok
    assert words in result.error


def test_answers_left_over_fail(log):
    script = {**HAPPY, "answers": HAPPY["answers"] + [{"say": "grazie"}]}
    result = phone_for(log).run_script(script)
    assert not result.ok
    assert "never asked for: answer 3 (say: 'grazie')" in result.error


def test_a_gather_with_no_answers_left_fails(log):
    result = phone_for(log).run_script({"answers": [{"say": "internet"}]})
    assert not result.ok
    assert "asked for answer 2" in result.error
    assert "only 1" in result.error


def test_an_answer_the_gather_cannot_take_fails(log):
    result = phone_for(log).run_script({"answers": [{"say": "internet"}, {"say": "uno"}]})
    assert not result.ok
    assert "does not take say" in result.error


def test_a_wrong_token_is_refused_with_a_hint(log):
    result = Phone(BASE, "not-the-token", FlaskTransport(make_ivr(log)),
                   token_source="--token").run_script(HAPPY)
    assert not result.ok
    assert "signature" in result.error
    assert "PUBLIC_BASE_URL" in result.error


def test_sms_after_the_call(log):
    phone = phone_for(log)
    result = phone.run_script({**HAPPY, "then_sms": [{"body": "ANNULLA", "expect": "annullat"}]})
    assert result.ok, result.error
    assert result.sms_replies == ["Richiamata annullata."]
    sms = log[-1]["form"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", sms["MessageSid"])
    assert sms["NumSegments"] == "1"
    assert phone.send_sms("+393471234567", "boh") == ["Non ho capito."]
    result = phone.run_script({**HAPPY, "then_sms": [{"body": "ciao", "expect": "annullat"}]})
    assert not result.ok
    assert "then_sms[1]" in result.error
    assert "Non ho capito." in result.error


def test_interactive_caller_digits_speech_silence_and_hangup(log):
    typed = iter(["internet non va", "1"])
    lines: list[str] = []
    phone = Phone(BASE, TOKEN, FlaskTransport(make_ivr(log)), out=lines.append)
    result = phone.call_interactive("+393471234567", input_fn=lambda prompt: next(typed))
    assert result.ok
    assert result.answers == 2
    assert result.ended_by == "nohold hung up"
    assert any(line.startswith("☎ nohold [it-IT]: Buongiorno") for line in lines)
    assert not any("\x1b" in line for line in lines)  # no colour unless asked

    def hang_up(prompt):
        raise EOFError

    result = phone.call_interactive(input_fn=hang_up)
    assert result.ok
    assert result.ended_by == "caller hung up"
    ask_for_keys = InteractiveCaller(lambda p: "vorrei parlare", phone.console)
    answer = ask_for_keys.answer(Ask("gather", frozenset({"dtmf"}), timeout=5))
    assert answer.kind == "silence"  # words to a keypad-only menu are not heard


def test_script_format_is_validated():
    with pytest.raises(ScriptError, match="unknown key"):
        validate_script({"answer": []})
    with pytest.raises(ScriptError, match="exactly one of"):
        validate_script({"answers": [{"say": "x", "digits": "1"}]})
    script = validate_script({"from": 393471234567, "answers": [{"digits": 1}]})
    assert script["from"] == "+393471234567"
    assert script["answers"][0]["text"] == "1"


def test_token_comes_from_flag_env_or_the_dev_token_file(tmp_path):
    assert find_token(None, environ={}, root=tmp_path) == (None, "")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "dev-auth-token").write_text("devtoken\n")
    token, where = find_token(None, environ={}, root=tmp_path)
    assert token == "devtoken"
    assert "var/dev-auth-token" in where
    assert find_token(None, environ={"TWILIO_AUTH_TOKEN": "t"}, root=tmp_path)[0] == "t"
    assert find_token("x", environ={"TWILIO_AUTH_TOKEN": "t"}, root=tmp_path) == ("x", "--token")


@pytest.fixture
def live_url(log):
    """The same tiny IVR served over real HTTP on a free port."""
    server = make_server("127.0.0.1", 0, make_ivr(log), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_http_transport_against_a_real_server(live_url, log):
    result = Phone(live_url, TOKEN, HttpTransport()).run_script(HAPPY)
    assert result.ok, result.error
    assert all(e["signed"] for e in log)
    assert log[1]["url"] == f"{live_url}/voice/reason?lang=it&step=1"


def write_script(tmp_path, text: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_exit_codes(live_url, tmp_path, capsys):
    ok = write_script(tmp_path, """
name: callback
answers:
  - say: "internet non funziona"
    expect: "motivo"
  - digits: "1"
expect_end: "richiameremo"
""")
    assert main(["--base", live_url, "--token", TOKEN, "--script", ok]) == 0
    out = capsys.readouterr().out
    assert "✓ callback" in out
    assert "This call cost the caller ~" in out
    assert "\x1b" not in out

    bad = write_script(tmp_path, """
name: wrong
answers:
  - say: "internet"
    expect: "benvenuto in nohold"
  - digits: "1"
""")
    assert main(["--base", live_url, "--token", TOKEN, "--script", bad]) == 1
    out = capsys.readouterr().out
    assert "answer 1" in out
    assert "benvenuto in nohold" in out
    assert GREETING in out

    assert main(["--base", "http://127.0.0.1:9", "--token", TOKEN, "--script", ok]) == 2
    assert "make run" in capsys.readouterr().err

    broken = write_script(tmp_path, "answers:\n  - shout: hello\n")
    assert main(["--base", live_url, "--token", TOKEN, "--script", broken]) == 2
    assert "exactly one of" in capsys.readouterr().err


def test_barge_in_counts_only_what_was_said_before_the_caller_answered():
    from ivr.simulate.player import unsaid_words

    spoken = [("Buongiorno, è l'assistenza clienti.", 5), ("For English, press 9.", 4), ("Mi dica il motivo.", 4)]
    assert unsaid_words(spoken, "for english, press 9") == 4
    assert unsaid_words(spoken, "motivo") == 0
    assert unsaid_words(spoken, "never said") == 0


def test_barge_in_needs_an_expect():
    import pytest as _pytest

    from ivr.simulate.callers import ScriptError, validate_script

    with _pytest.raises(ScriptError, match="barge_in needs an expect"):
        validate_script({"answers": [{"digits": "9", "barge_in": True}]})
