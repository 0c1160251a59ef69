# The two commands of the README's quick start. Both install what is missing first.
.PHONY: lecture test bench setup

setup:
	@bash scripts/setup.sh

lecture: setup
	@.venv/bin/lecture video -q l

test:
	@EXTRA_APT_PACKAGES=chromium bash scripts/setup.sh
	@.venv/bin/python -m pytest -q

bench: setup
	@.venv/bin/python -m scripts.bench
