"""`python -m ivr.simulate` — same as `python -m ivr simulate`."""
from ivr.simulate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
