"""The import contracts `make lint` checks hold today and fail when one is broken on purpose."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the packages and contracts in a tree."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "setup.cfg")],
        cwd=tree,
        # The copied packages come before the installed (editable) ones.
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the packages and the contracts, to break."""
    for package in ("planner", "optimisation"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")
    return tmp_path


def contract_named(start: str) -> str:
    """The whole name of the one contract in setup.cfg whose name begins so."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    names = [
        config[section]["name"]
        for section in config.sections()
        if section.startswith("importlinter:contract:")
    ]
    (name,) = [name for name in names if name.startswith(start)]
    return name


def add_import(tree: Path, module: str, statement: str) -> None:
    """Add an import to the end of a module of the copy."""
    path = tree / f"{module.replace('.', '/')}.py"
    path.write_text(path.read_text() + f"\n{statement}\n")


def test_every_contract_is_kept_today(tree: Path) -> None:
    """The packages as they are keep every contract."""
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        (
            "optimisation.parts",
            "import optimisation.optimiser  # noqa",
            "No import cycles between the modules of a package",
        ),
        ("optimisation.bands", "import planner.models  # noqa", "The optimiser imports nothing"),
        ("planner.domain.weeks", "import flask  # noqa", "The domain imports no Flask"),
        ("planner.models.staff", "import planner.plans.batch  # noqa", "Layers:"),
        ("planner.cases.services", "import planner.staff.views  # noqa", "planner.cases imports"),
        (
            "planner.plans.snapshot",
            "import optimisation.tiers  # noqa",
            "The planner reaches the optimiser only through its face",
        ),
    ],
)
def test_a_broken_contract_fails_the_lint(
    tree: Path, module: str, statement: str, contract: str
) -> None:
    """An import against a contract makes lint-imports fail, naming that contract as broken."""
    add_import(tree, module, statement)
    result = lint_imports(tree)
    assert result.returncode != 0
    # The report wraps long contract names over lines.
    assert f"{contract_named(contract)} BROKEN" in " ".join(result.stdout.split()), result.stdout
