"""`python -m checker FILE ...` is the same as `check FILE ...`."""
import sys

from checker.cli import main

sys.exit(main())
