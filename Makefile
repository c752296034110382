# nohold — `make run` starts the product, `make test` runs the suite. Everything installs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install bench eval faults clean-var

$(STAMP): requirements.txt requirements-dev.txt scripts/system-packages
	scripts/system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: a CPU build (a bare `torch` requirement would pull a multi-GB CUDA one)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m ivr run

test: $(STAMP)
	$(PY) -m pytest

# every benchmark beside its baseline measured in the same run, then one summary + docs/benchmarks.png
bench: $(STAMP)
	$(PY) -m bench.voice_load
	$(PY) -m bench.social_ack
	$(PY) -m bench.webhook_floor
	$(PY) -m bench.queue_claims
	$(PY) -m bench.intent_latency
	$(PY) -m bench.call_length
	$(PY) -m ivr.transcription eval
	$(PY) -m bench.report

eval: $(STAMP)
	$(PY) -m ivr.understanding eval
	$(PY) -m ivr.understanding eval --model lexical
	$(PY) -m ivr.transcription eval

# the fault-injection suites alone, with their printed figures (they are part of `make test` too)
faults: $(STAMP)
	$(PY) -m pytest -m faults -s

clean-var:
	rm -rf var
