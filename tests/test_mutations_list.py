"""The mutation list of tools/mutate.py stays honest as the code moves: every mutation's source text
occurs exactly once in its file (else the mutation is *stale* and tests nothing), its replacement
differs, and every test it names exists."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reluregions_tools_mutate", ROOT / "tools" / "mutate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


MUTATIONS = _load_mutate().MUTATIONS


def test_ids_are_unique() -> None:
    ids = [m.id for m in MUTATIONS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("m", MUTATIONS, ids=lambda m: m.id)
def test_each_mutation_applies_exactly_once(m: Any) -> None:
    text = (ROOT / m.path).read_text()
    assert text.count(m.old) == 1, f"{m.id}: its source text occurs {text.count(m.old)} times in {m.path}"
    assert m.new != m.old


@pytest.mark.parametrize("m", MUTATIONS, ids=lambda m: m.id)
def test_each_mutation_names_existing_tests(m: Any) -> None:
    assert m.tests, f"{m.id}: no tests"
    for selection in m.tests:
        path, _, name = selection.partition("::")
        assert (ROOT / path).is_file(), f"{m.id}: no test file {path}"
        if name:
            source = (ROOT / path).read_text()
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{m.id}: no test {selection}"
