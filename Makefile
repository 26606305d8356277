# The two commands of the README. Both set everything up first (scripts/setup.sh).
.PHONY: check test setup

check: setup
	.venv/bin/check spec/ipam.kovn

test: setup
	.venv/bin/python -m pytest -n auto --dist loadgroup

setup:
	@scripts/setup.sh
