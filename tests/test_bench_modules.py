"""Every benchmark module imports: the bench runs only at the end of `make test` (its smoke run), so a
name moved elsewhere in the code would otherwise be found after the whole end-to-end suite."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import bench


@pytest.mark.parametrize("name", sorted(module.name for module in pkgutil.iter_modules(bench.__path__)))
def test_the_bench_module_imports(name):
    importlib.import_module(f"bench.{name}")
