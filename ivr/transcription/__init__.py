"""Voicemail transcription: recordings → 16 kHz PCM → speech engine (speech_recognition) → transcript + intent.

audio.py normalises and chunks, engine.py holds the engines and the loaded model, model_files.py
finds or assembles the weights, store.py keeps the result on the work item, job.py is the RQ job,
worker.py its non-forking worker, evaluation.py the eval on generated phone clips.
"""
