# The two commands of the README's quick start. Both install what is missing first.
.PHONY: lecture test test-fast bench setup

setup:
	@bash scripts/setup.sh

lecture: setup
	@.venv/bin/lecture video -q l

# Two workers (pytest-xdist), a test file each at a time, longest first (tests/conftest.py, LONGEST_FIRST;
# --no-loadscope-reorder keeps that order): renders are mostly one process each, so two
# run side by side on two cores; the session's renders are shared (tests/conftest.py, session_render).
test:
	@EXTRA_APT_PACKAGES=chromium bash scripts/setup.sh
	@.venv/bin/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=20

# The edit loop's tier: everything not marked slow (no render, process, browser or voice), under a minute.
test-fast: setup
	@.venv/bin/python -m pytest -q -m "not slow"

bench: setup
	@.venv/bin/python -m scripts.bench
