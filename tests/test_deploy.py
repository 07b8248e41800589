"""The deployment files of the README: the systemd unit checked by ``systemd-analyze
verify`` where the machine has it (else parsed), pointing at the ``zarya serve`` it
documents; the reverse proxy's configuration sends the right paths to it."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "zarya.service")
    return parser


def test_the_unit_runs_zarya_serve_and_stops_gracefully() -> None:
    service = unit()["Service"]
    command = service["ExecStart"].split()
    assert command[0].endswith("/zarya") and command[1] == "serve"
    assert {"--workers", "--host", "--port"} <= set(command)
    assert command[command.index("--host") + 1] == "127.0.0.1"  # behind the proxy
    assert service["KillSignal"] == "SIGTERM" and int(service["TimeoutStopSec"]) > 30
    assert service["Restart"] == "on-failure"
    assert service["Environment"].startswith("ZARYA_HOME=")
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
    from zarya.cli import main

    assert main(["serve", "--help"]) == 0  # (every flag of ExecStart exists:)
    flags = [a for a in command if a.startswith("--")]
    help_text = subprocess.run([sys.executable, "-m", "zarya", "serve", "--help"],
                               capture_output=True, text=True, env={"COLUMNS": "200"}).stdout
    assert all(flag in help_text for flag in flags), flags


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    """The unit as installed, with ExecStart pointing at this zarya."""
    zarya = Path(sys.executable).parent / "zarya"
    text = (DEPLOY / "zarya.service").read_text().replace("/opt/zarya/venv/bin/zarya",
                                                           str(zarya))
    copy = tmp_path / "zarya.service"
    copy.write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "zarya.service" not in done.stderr, done.stderr  # no warning about the unit


def test_the_proxy_sends_everything_to_zarya_and_keeps_metrics_inside() -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    assert conf.count("proxy_pass http://127.0.0.1:8000;") == 2
    metrics = conf[conf.index("location = /metrics"):]
    assert "deny all;" in metrics[: metrics.index("}")]
