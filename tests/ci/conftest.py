"""The CI-output tests' shared fixtures (built in kovn_ci_helpers.py): the flagship spec with
a fix taken out, and the CI outputs of its run."""
from kovn_ci_helpers import broken_ipam, broken_outputs  # noqa: F401 - fixtures, found by name
