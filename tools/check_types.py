"""Type-check zarya with mypy (settings in pyproject.toml) against a baseline that only shrinks.

The engine (``zarya.engine``) and the error tree are checked strictly and must have no error
at all. Elsewhere, ``mypy-baseline.txt`` states how many errors each file is known to have
(today: matplotlib's stubs in the pictures); CI fails when a file has more than its
baseline, or errors where it had none. When a file gets fewer, the baseline shrinks with
``python tools/check_types.py --write``.

Usage: ``python tools/check_types.py [--write]`` (exit status 1 on a regression).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "mypy-baseline.txt"
STRICT = ("src/zarya/engine/", "src/zarya/errors.py")
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error: ")


def current() -> tuple[Counter[str], str]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    counts: Counter[str] = Counter()
    for line in done.stdout.splitlines():
        m = ERROR.match(line)
        if m:
            counts[m["path"]] += 1
    if done.returncode not in (0, 1):  # 2: mypy itself failed (bad configuration, crash)
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"mypy failed to run (exit status {done.returncode})")
    return counts, done.stdout


def baseline() -> Counter[str]:
    counts: Counter[str] = Counter()
    if BASELINE.exists():
        for line in BASELINE.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                n, path = line.split(maxsplit=1)
                counts[path] = int(n)
    return counts


def main(argv: list[str]) -> int:
    counts, output = current()
    if "--write" in argv:
        strict = [p for p in counts if p.startswith(STRICT)]
        if strict:
            sys.stdout.write(output)
            raise SystemExit(f"strict modules have errors, not written to the baseline: {strict}")
        lines = ["# mypy errors known per file (tools/check_types.py): this list only shrinks"]
        lines += [f"{n} {path}" for path, n in sorted(counts.items())]
        BASELINE.write_text("\n".join(lines) + "\n")
        print(f"wrote {BASELINE.name}: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    known = baseline()
    worse = {p: (n, known.get(p, 0)) for p, n in counts.items() if n > known.get(p, 0)}
    strict = {p: n for p, n in counts.items() if p.startswith(STRICT)}
    if worse or strict:
        sys.stdout.write(output)
        for path, (n, allowed) in sorted(worse.items()):
            print(f"{path}: {n} errors, the baseline allows {allowed}")
        for path, n in sorted(strict.items()):
            print(f"{path}: {n} errors in a strictly checked module (none allowed)")
        return 1
    better = {p: (counts.get(p, 0), n) for p, n in known.items() if counts.get(p, 0) < n}
    print(
        f"mypy: {sum(counts.values())} errors in {len(counts)} files, within the baseline "
        f"({sum(known.values())}); strict modules clean"
    )
    for path, (n, allowed) in sorted(better.items()):
        print(f"  {path}: {n} errors, baseline {allowed}: shrink it with --write")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
