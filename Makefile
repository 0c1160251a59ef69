# The two commands of the README's quick start. Both install what is missing first.
.PHONY: lecture test bench setup

setup:
	@bash scripts/setup.sh

lecture: setup
	@.venv/bin/manim -ql scenes/intro.py TitleScene

test: setup
	@.venv/bin/python -m pytest -q

bench: setup
	@.venv/bin/python scripts/bench.py
