"""The floors hold: no app imports a higher one, no import circles, and the ML engine stays pure.

The contracts are in pyproject.toml (`[tool.importlinter]`) and `make lint` checks them too;
this test makes every test run check them, so a change that breaks a floor fails CI.
"""
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0, "an import breaks a floor: see the contract printed above"
