# nohold — `make run` starts the product, `make test` runs the suite. Everything installs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install bench faults clean-var

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m ivr run

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench.voice_load
	$(PY) -m bench.webhook_floor
	$(PY) -m bench.queue_claims
	$(PY) -m bench.call_length

faults: $(STAMP)
	$(PY) -m pytest -m faults -s tests/test_dialer_faults.py

clean-var:
	rm -rf var
