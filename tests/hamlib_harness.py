"""Hamlib's real daemons for the tests: Debian's ``rotctld`` and ``rigctld`` (package
libhamlib-utils; .ci/run installs it) with their dummy backends (model 1), on loopback
ports found free, and what they say they were told.

``rotctld -vvvvv`` logs every position its backend is handed (``dummy_rot_set_position
called: AZ EL``): that log is how a test reads back the commands the antenna got, since the
dummy rotator slews at a simulated 6 degrees a second and so lags a rehearsal at 60x.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

__all__ = ["HamlibDaemon", "free_port", "need_hamlib", "talk"]

SET_POSITION = re.compile(r"dummy_rot_set_position called: (-?[\d.]+) (-?[\d.]+)")


def need_hamlib() -> None:
    """Skip (or, in CI, fail) where Hamlib's daemons are not installed."""
    missing = [b for b in ("rotctld", "rigctld") if shutil.which(b) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: .ci/run must install libhamlib-utils",
                        pytrace=False)
        pytest.skip(f"{', '.join(missing)} missing (apt-get install libhamlib-utils)",
                    allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HamlibDaemon:
    """One daemon (``rotctld`` or ``rigctld``, dummy model) on a loopback port."""

    def __init__(self, binary: str, log: Path, port: int | None = None) -> None:
        self.binary, self.log = binary, log
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> HamlibDaemon:
        for _ in range(50):  # the port may still be held a moment after a kill
            with open(self.log, "ab") as fh:
                self.proc = subprocess.Popen(
                    [self.binary, "-m", "1", "-T", "127.0.0.1", "-t", str(self.port), "-vvvvv"],
                    stdout=fh, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return self
                except OSError:
                    time.sleep(0.05)
            self.stop()
            time.sleep(0.2)
        raise RuntimeError(f"{self.binary} would not listen on port {self.port}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    stop = kill

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def positions(self) -> list[tuple[float, float]]:
        """Every position the rotator backend was handed, in order (rotctld's log)."""
        text = self.log.read_text(errors="replace")
        return [(float(a), float(e)) for a, e in SET_POSITION.findall(text)]


def talk(port: int, line: str, answers: int = 1) -> list[str]:
    """One command to a daemon on a connection of its own; its answer lines."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall((line + "\n").encode())
        data = b""
        while data.count(b"\n") < answers:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().splitlines()[:answers]
