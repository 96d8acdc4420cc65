"""`python -m scripts.measure_faults`: the fault runs of scripts/faults (see there)."""

from scripts.faults.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
