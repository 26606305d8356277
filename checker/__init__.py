"""kovn: a TLA+-style explicit-state model checker for Kubernetes controller races."""

__version__ = "0.1.0"
