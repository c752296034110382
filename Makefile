# nohold — `make run` starts the product, `make test` runs the suite. Everything installs itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The locks: every package and every transitive dependency, each with the SHA-256 of its files.
# requirements.txt / requirements-dev.txt are what people edit; `make lock` writes the locks from them:
# LOCK from requirements.txt (what the image installs, deploy/Dockerfile), DEV_LOCK from
# requirements-dev.txt with the same runtime pins (what make installs). pip-tools runs from its own
# venv, LOCK_TOOLS, never from the product's.
LOCK := requirements.lock.txt
DEV_LOCK := requirements-dev.lock.txt
LOCK_TOOLS := var/lock-tools
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: run test install lock bench eval faults clean-var

# Hash-checking mode: pip installs only files whose hash the lock lists, so no other version and no
# other build — torch is locked as 2.13.0+cpu, the CPU wheel pip finds here (a bare `torch` could
# pull a multi-GB CUDA one). pip is the venv's own: an unpinned `pip install --upgrade pip` would
# be the one download the lock does not cover.
$(STAMP): $(DEV_LOCK) scripts/system-packages
	scripts/system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(DEV_LOCK)
	touch $(STAMP)

install: $(STAMP)

# Rewrite both locks from requirements.txt and requirements-dev.txt, keeping every pin that still fits
# (`make lock LOCK_ARGS=--upgrade` takes the newest versions instead); hashes are those of the files
# this machine's pip configuration finds. Then commit the locks with the requirements change.
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || \
		{ $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install -q pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file=$(LOCK) requirements.txt
	$(PIP_COMPILE) --constraint=$(LOCK) --output-file=$(DEV_LOCK) requirements-dev.txt

run: $(STAMP)
	$(PY) -m ivr run

test: $(STAMP)
	$(PY) -m pytest

# every benchmark beside its baseline measured in the same run, then one summary + docs/benchmarks.png
bench: $(STAMP)
	$(PY) -m bench.voice_load
	$(PY) -m bench.console_streams
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
	$(PY) -m pytest -m faults -s -n 0

clean-var:
	rm -rf var
