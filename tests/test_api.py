"""The public API: one curated ``__all__``, every name importable and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import zarya


def test_all_is_sorted_unique_and_importable():
    names = zarya.__all__
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(zarya, name), name


def test_every_public_name_is_documented():
    for name in zarya.__all__:
        obj = getattr(zarya, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_no_stray_public_names():
    """Everything public in the package namespace is either in __all__ or a submodule."""
    stray = [
        n for n in vars(zarya)
        if not n.startswith("_") and n not in zarya.__all__
        and not inspect.ismodule(getattr(zarya, n))
        and n not in {"annotations"}
    ]
    assert stray == []


def test_every_name_resolves_lazily_to_its_module():
    for name in zarya.__all__:
        obj = getattr(zarya, name)
        module = getattr(obj, "__module__", "")
        assert module.startswith("zarya"), (name, module)


def test_import_is_pure_and_light():
    """Importing zarya reads no element file and does not load the gazetteer or the CLI."""
    code = (
        "import sys, zarya; "
        "print(sorted(m for m in ('zarya.domain.places', 'zarya.cli', 'zarya.engine', 'typer', "
        "'rich', 'timezonefinder', 'numpy', 'sgp4', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
