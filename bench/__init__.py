"""Benchmarks kept with the code: `make bench` runs `python -m bench.voice_load`."""
