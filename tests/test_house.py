"""The house: one idea a module, the layers, errors that carry data and name no flag.

These read the source tree itself: every module has a docstring and an ``__all__`` and
stays readable in one sitting; no sentence the library raises names a command-line flag or
a web query parameter (each face words the inputs its own way); the import contracts of
pyproject.toml hold (``lint-imports``, also run by CI with mypy).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import zarya
from zarya.cli import main
from zarya.cli.app import sentence
from zarya.errors import ObserverError, StaleElementsError, TimeRangeError, ZaryaError, param
from zarya.web.queries import public_sentence

SRC = Path(zarya.__file__).resolve().parent
MODULES = sorted(p for p in SRC.rglob("*.py") if p.name != "__main__.py")
# Where sentences may name flags and query parameters: the faces.
FACES = (SRC / "cli", SRC / "web")
MAX_LINES = 600
# The web's query parameters whose names are not plain English words (a sentence that says
# "days" or "place" is fine; one that says "min_elevation" or "allow_stale=1" speaks web).
QUERY_WORDS = ("alt_m", "min_elevation", "allow_stale", "radius_km", "step_s", "freq_mhz")


def _library_modules() -> list[Path]:
    return [p for p in MODULES if not any(face in p.parents for face in FACES)]


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (module, class, function)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _sentences(path: Path, *, raised_only: bool = False) -> list[tuple[int, str]]:
    """Every piece of text (string constants, the literal parts of f-strings) outside
    docstrings, with its line: what the module can say to a user; with ``raised_only``,
    only the text inside ``raise`` statements (error messages)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):  # the names of marked inputs are data, not sentences
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "param":
            skip.update(id(a) for a in node.args)
        if isinstance(node, ast.keyword) and node.arg == "parameter":
            skip.add(id(node.value))
    roots = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)] if raised_only else [tree]
    out = []
    for root in roots:
        for node in ast.walk(root):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip):
                out.append((node.lineno, node.value))
    return out


def test_the_scan_sees_what_it_looks_for():
    """The scanner below finds a flag in a raise, an f-string and a warning, and lets a
    docstring be (so that it is not vacuous)."""
    probe = SRC.parent / "zarya_probe_not_a_module.py"
    probe.write_text(
        '"""Docstring naming --days is fine."""\n'
        "def f(x):\n"
        '    """So is ``--json`` here."""\n'
        "    raise ValueError(f'--days {x} is too long, allow_stale=1')\n"
        "W = ['try a longer --step-s']\n"
    )
    try:
        said = " ".join(text for _, text in _sentences(probe))
        raised = " ".join(text for _, text in _sentences(probe, raised_only=True))
    finally:
        probe.unlink()
    assert "--days" in said and "--step-s" in said and "--json" not in said
    assert "allow_stale=1" in raised and "--step-s" not in raised


@pytest.mark.parametrize("path", _library_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_library_sentence_names_a_flag(path):
    """Below the faces, inputs are marked (zarya.errors.param), never named as a flag
    (--days): not in errors, not in warnings, not in any text a report carries."""
    for line, text in _sentences(path):
        assert not re.search(r"(?<![\w-])--[a-z]", text), (line, text)


ENGINE_AND_ELEMENTS = [
    p for p in _library_modules()
    if p.relative_to(SRC).parts[0] in ("engine", "elements", "domain", "reports")
]


@pytest.mark.parametrize("path", ENGINE_AND_ELEMENTS, ids=lambda p: str(p.relative_to(SRC)))
def test_no_error_message_names_a_query_parameter(path):
    """Nor as the web's parameter (min_elevation, allow_stale=1): the web words them."""
    for line, text in _sentences(path, raised_only=True):
        for word in QUERY_WORDS:
            assert not re.search(rf"\b{word}\b", text), (line, text)
        assert not re.search(r"\b[a-z_]+=\S", text), (line, text)


def test_no_module_is_too_long_and_each_says_what_it_is_and_exports():
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(SRC))
        assert len(text.splitlines()) <= MAX_LINES, name
        tree = ast.parse(text)
        assert ast.get_docstring(tree), f"{name} has no docstring"
        exported = [
            node for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and any(getattr(t, "id", None) == "__all__"
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        ]
        assert exported, f"{name} has no __all__"


def test_every_name_in_each_all_exists():
    import importlib

    for path in MODULES:
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        dotted = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        module = importlib.import_module(dotted)
        for name in module.__all__:
            assert hasattr(module, name), (dotted, name)


def test_the_clock_is_read_through_timescale():
    """zarya reads the clock in zarya.engine.timescale.utc_now and nowhere binds that function
    at import time (``from ..engine.timescale import utc_now`` at module level), so a test that
    replaces it there (the freeze_clock fixture) fixes "now" for every face."""
    bound = []
    for path in MODULES:
        todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
        while todo:  # everything but function bodies: an import in a function runs late
            node = todo.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(node, ast.ImportFrom) and any(a.name == "utc_now" for a in node.names):
                bound.append(f"{path.relative_to(SRC)}:{node.lineno}")
            todo.extend(ast.iter_child_nodes(node))
    assert not bound, bound


def test_the_import_contracts_hold():
    """pyproject.toml's contracts: the layers, no element I/O in the engine and the domain,
    nothing imports the command line, no cycles (the same check CI runs)."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=SRC.parents[1], capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


# -------------------------------------------------------- errors: data, worded by faces
@pytest.mark.parametrize(
    ("error", "library", "command_line", "web"),
    [
        (
            TimeRangeError(f"{param('days')} 400 is too long: at most 366 days",
                           parameter="days", value=400.0, limit=366.0),
            "days 400 is too long: at most 366 days",
            "--days 400 is too long: at most 366 days",
            "days 400 is too long: at most 366 days",
        ),
        (
            ObserverError(f"{param('min_elevation')} 95 is impossible", parameter="min_elevation"),
            "minimum elevation 95 is impossible",
            "--min-elevation 95 is impossible",
            "min_elevation 95 is impossible",
        ),
    ],
)
def test_one_error_three_wordings(error, library, command_line, web):
    assert str(error) == library
    assert sentence(error) == command_line
    assert public_sentence(error) == web


def test_errors_raised_by_the_library_carry_their_data():
    from zarya import Observer, Window, load_satellite, parse_instant
    from zarya.domain.overflights import check_radius
    from zarya.engine.look import check_angle

    with pytest.raises(ObserverError) as info:
        Observer(95.0, 0.0)
    assert (info.value.parameter, info.value.value, info.value.high) == ("lat", 95.0, 90.0)
    with pytest.raises(TimeRangeError) as info:
        Window.days(parse_instant("2016-04-04"), 400.0, max_days=366.0)
    assert (info.value.parameter, info.value.value, info.value.limit) == ("days", 400.0, 366.0)
    with pytest.raises(ObserverError) as info:
        check_radius(-1.0)
    assert info.value.parameter == "radius_km" and info.value.value == -1.0
    with pytest.raises(ObserverError) as info:
        check_angle("sun_limit", float("nan"))
    assert info.value.parameter == "sun_limit"
    with pytest.raises(StaleElementsError) as info:
        load_satellite().check_age(Window.days(parse_instant("2031-01-01"), 1))
    stale = info.value
    assert stale.age_days > 30.0 and stale.limit_days == 30.0 and stale.epoch.year == 2025
    for exc in (stale,):
        assert isinstance(exc, ZaryaError) and "--" not in str(exc)


# ----------------------------------------------------------------- one time-zone rule
def test_tz_auto_is_case_blind_on_the_command_line_and_the_web(capsys):
    """`zarya passes --tz AUTO` used to fail while the web accepted tz=AUTO: one resolver
    (zarya.domain.places.resolve_zone) serves both."""
    base = ["passes", "--place", "Astana", "--from", "2016-04-04", "--days", "1"]
    outputs = []
    for tz in ("auto", "AUTO", "Auto"):
        assert main([*base, "--tz", tz]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "Asia/" in outputs[0]
    assert main([*base, "--tz", "utc"]) == 0 and "UTC" in capsys.readouterr().out

    from fastapi.testclient import TestClient

    from zarya.web import create_app

    client = TestClient(create_app())
    at = "2016-04-04T14:37:07Z"
    charts = [
        client.get(f"/charts/sky.svg?place=Astana&at={at}&tz={tz}") for tz in ("auto", "AUTO")
    ]
    assert charts[0].status_code == charts[1].status_code == 200
    assert charts[0].content == charts[1].content
    bad = client.get(f"/charts/sky.svg?place=Astana&at={at}&tz=Mars/Olympus")
    assert bad.status_code == 422 and "unknown time zone 'Mars/Olympus'" in bad.json()["detail"]
    assert main([*base, "--tz", "Mars/Olympus"]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err


def test_the_readme_table_of_rule_sets_is_the_code_s() -> None:
    """The README's table of rule sets is the one zarya.domain.rules describes (each
    setting, each rule set): the documentation cannot drift from the code."""
    from zarya.domain.rules import rules_table

    lines = (Path(__file__).resolve().parents[1] / "README.md").read_text().splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("| | zarya |"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    expected = rules_table()
    assert table[0] == expected[0] and table[2:] == expected[1:]
