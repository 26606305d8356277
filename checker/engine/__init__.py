"""The explorer: a Model in, a CheckResult out. It never imports the front end.

    from checker.engine import explore, CheckOptions
    result = explore(model, CheckOptions(max_states=10**6))
"""
from checker.engine.bfs import explore
from checker.engine.model import ActionInfo, Label, Model, ModelBase, ModelError, PropertyInfo, State
from checker.engine.options import CheckOptions
from checker.engine.progress import Progress, Reporter
from checker.engine.result import (
    ActionCoverage,
    CheckResult,
    PropertyResult,
    RuntimeFailure,
    Stats,
    Status,
    Step,
    Trace,
    Verdict,
)
from checker.engine.trace import rebuild_trace

__all__ = [
    "ActionCoverage", "ActionInfo", "CheckOptions", "CheckResult", "Label", "Model", "ModelBase",
    "ModelError", "Progress", "PropertyInfo", "PropertyResult", "Reporter", "RuntimeFailure",
    "State", "Stats", "Status", "Step", "Trace", "Verdict", "explore", "rebuild_trace",
]
