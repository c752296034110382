"""Whisper's decoding options: the eval's flags parse into WhisperOptions, and the worker's defaults reach the model."""
from __future__ import annotations

import pytest
import speech_recognition as sr

from ivr.transcription.__main__ import parse
from ivr.transcription.audio import normalise
from ivr.transcription.engine import domain_prompts, transcribe
from ivr.transcription.options import DEFAULT, from_flags
from tests.support.transcription_fixtures import clips, whisper  # noqa: F401  (session fixtures)


def options(*flags: str):
    return from_flags(parse(["eval", *flags]))


def test_no_flag_keeps_the_workers_options():
    assert options() == DEFAULT


def test_beam_size_parses():
    assert options("--beam-size", "1").beam_size == 1


def test_best_of_parses():
    assert options("--best-of", "2").best_of == 2


def test_a_single_temperature_turns_the_fallback_off():
    assert options("--temperature", "0").temperature == (0.0,)


def test_a_temperature_ladder_parses_in_order():
    assert options("--temperature", "0,0.2,0.4").temperature == (0.0, 0.2, 0.4)


@pytest.mark.parametrize("bad", ["hot", "0,1.5"])
def test_a_temperature_that_is_not_a_probability_is_refused(bad):
    with pytest.raises(SystemExit):
        options("--temperature", bad)


def test_condition_on_previous_text_can_be_turned_on():
    assert options("--condition-on-previous-text").condition_on_previous_text is True


def test_no_condition_on_previous_text_keeps_it_off():
    assert options("--no-condition-on-previous-text").condition_on_previous_text is False


def test_no_speech_threshold_takes_a_probability():
    assert options("--no-speech-threshold", "0.8").no_speech_threshold == 0.8


def test_no_speech_threshold_off_never_drops_a_segment():
    assert options("--no-speech-threshold", "off").no_speech_threshold is None


def test_vad_turns_the_filter_on():
    assert options("--vad").vad_filter is True


def test_vad_parameters_reach_transcribe_as_a_dict():
    chosen = options("--vad", "--vad-param", "threshold=0.3", "--vad-param", "min_silence_duration_ms=500")
    assert chosen.transcribe_kwargs()["vad_parameters"] == {"threshold": 0.3, "min_silence_duration_ms": 500.0}


def test_an_unknown_vad_parameter_is_refused():
    with pytest.raises(SystemExit):
        options("--vad-param", "loudness=3")


def test_no_prompt_is_an_option_too():
    assert options("--no-prompt").prompt is False


def test_voice_is_kept_for_the_clips():
    assert parse(["eval", "--lang", "it", "--voice", "it+f3"]).voice == "it+f3"


def test_voice_without_a_language_is_refused():
    with pytest.raises(SystemExit):
        parse(["eval", "--voice", "it+f3"])


def test_the_default_options_and_the_domain_prompt_reach_the_model_call(clips, whisper, monkeypatch):
    calls = []
    real = whisper.model.transcribe

    def recording(audio, **kwargs):  # the third-party model, observed: it still transcribes
        calls.append(kwargs)
        return real(audio, **kwargs)

    monkeypatch.setattr(whisper.model, "transcribe", recording)
    text = transcribe(whisper, normalise(clips("it", "billing")), "it")
    expected = {**DEFAULT.transcribe_kwargs(), "language": "it", "task": "transcribe",
                "initial_prompt": domain_prompts()["it"]}
    assert {name: calls[0].get(name) for name in expected} == expected
    assert "bolletta" in text.lower()


def test_no_vad_turns_the_filter_off():
    assert options("--no-vad").vad_filter is False


def test_a_silent_recording_gives_no_words_with_the_workers_options(whisper):
    silence = sr.AudioData(b"\x00\x00" * 16000 * 6, 16000, 2)  # before the VAD: "Buongiorno. Grazie."
    assert transcribe(whisper, silence, "it") == ""
