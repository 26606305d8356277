"""`python -m checker FILE ...` is the same as `check FILE ...`."""
from checker.cli import run

run()
