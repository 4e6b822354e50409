"""The optimiser stays pure: importing all of it pulls in no web framework and no planner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import optimisation

MODULES = sorted(
    f"optimisation.{path.stem}"
    for path in Path(optimisation.__file__).parent.glob("*.py")
    if path.stem != "__init__"
)


def test_importing_every_module_pulls_in_no_flask_sqlalchemy_or_planner() -> None:
    """In a fresh interpreter, import everything, then look at sys.modules."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(result.stdout)
    assert "optimisation.optimiser" in loaded and len(MODULES) > 10
    forbidden = [
        name
        for name in loaded
        if name.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy", "planner")
    ]
    assert forbidden == []
