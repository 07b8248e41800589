"""Hamlib's network daemons, spoken to directly: ``rotctld`` (antenna rotators) and
``rigctld`` (radios), over their documented TCP protocol (the Hamlib manual pages
rotctld(1) and rigctld(1)).

Each command is one line; a command that sets something is answered ``RPRT 0`` (or
``RPRT -n``, a Hamlib error code); one that gets something is answered with its values,
one per line (``p``: azimuth then elevation; ``f``, ``i``: a frequency in Hz). The commands
used: rotctld ``P AZ EL`` (set position), ``p`` (get position), ``S`` (stop); rigctld
``F HZ`` and ``f`` (the receive VFO's frequency), ``S 1 VFOB`` (split on, transmit on
VFO B), ``I HZ`` and ``i`` (the transmit frequency in split), ``V VFOB`` (select a VFO,
where a radio has no split).

A :class:`Daemon` with ``dry_run`` sends nothing: it hands each command line to ``echo``
and answers as the daemon would (a position or frequency read back is the last one set);
reading back is not echoed.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import OptionError, StationError, param, shown

__all__ = ["HAMLIB_ERRORS", "Daemon", "Endpoint", "Rigctld", "Rotctld", "parse_endpoint"]

# Hamlib's error codes (rig.h, enum rig_errcode_e), as RPRT -n gives them
HAMLIB_ERRORS = {
    1: "invalid parameter", 2: "invalid configuration", 3: "out of memory",
    4: "not implemented", 5: "timeout", 6: "I/O error", 7: "internal Hamlib error",
    8: "protocol error", 9: "command rejected", 10: "argument truncated",
    11: "function not available", 12: "VFO not targetable", 13: "bus error",
    14: "bus busy", 15: "invalid argument", 16: "invalid VFO", 17: "argument out of domain",
    18: "deprecated", 19: "security error", 20: "rig not powered on",
}
MAX_LINE = 4096


@dataclass(frozen=True)
class Endpoint:
    """Where a daemon listens."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_endpoint(text: str, name: str) -> Endpoint:
    """``HOST:PORT`` (``[::1]:4533`` for IPv6) as an :class:`Endpoint`; an
    :class:`OptionError` naming ``name`` otherwise."""
    raw = str(text).strip()
    host, sep, port = raw.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    ok = bool(sep and host and port.isascii() and port.isdigit() and len(port) <= 5
              and 1 <= int(port) <= 65535 and host.isprintable() and " " not in host
              and len(host) <= 253
              and (":" in host or all(0 < len(label) <= 63 for label in host.split("."))))
    if not ok:
        raise OptionError(
            f"{param(name)} {shown(text)} is not an address: expected HOST:PORT, e.g. "
            f"localhost:{4533 if 'rot' in name else 4532}", parameter=name, value=text,
        )
    return Endpoint(host, int(port))


class Daemon:
    """One TCP connection to a Hamlib daemon, command by command.

    Errors are :class:`~zarya.errors.StationError`: ``lost`` True when the connection
    failed or went away (reconnect and go on), False when the daemon answered with an
    error (``code``, Hamlib's error number).
    """

    name = "daemon"

    def __init__(self, endpoint: Endpoint, *, timeout_s: float = 3.0, dry_run: bool = False,
                 echo: Callable[[str], None] | None = None) -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.dry_run = dry_run
        self.echo = echo
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._state: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- connection
    @property
    def connected(self) -> bool:
        return self.dry_run or self._sock is not None

    def connect(self) -> None:
        if self.connected:
            return
        try:
            self._sock = socket.create_connection(
                (self.endpoint.host, self.endpoint.port), timeout=self.timeout_s)
        except (OSError, UnicodeError) as exc:
            raise self._error(f"cannot connect: {_reason(exc)} (is {self.name} running "
                              "there?)", lost=True) from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _error(self, text: str, *, lost: bool = False, code: int | None = None
               ) -> StationError:
        return StationError(f"{self.name} at {self.endpoint}: {text}", daemon=self.name,
                            host=self.endpoint.host, port=self.endpoint.port, lost=lost,
                            code=code)

    # ------------------------------------------------------------------ commands
    def command(self, line: str, answers: int = 0) -> list[str]:
        """Send one command line; return the ``answers`` value lines (for a get), or check
        the ``RPRT`` line (for a set)."""
        if self.dry_run:
            return self._dry(line, answers)
        if self._sock is None:
            self.connect()
        assert self._sock is not None
        verb = line.split()[0]
        try:
            self._sock.sendall((line + "\n").encode("ascii"))
            first = self._readline()
            if first.startswith("RPRT "):  # a refusal is one line, even for a get
                code = _rprt(first)
                if code != 0:
                    raise self._error(
                        f"{verb!r} refused: RPRT {code} "
                        f"({HAMLIB_ERRORS.get(-code, 'unknown error')})", code=code)
                if answers:
                    raise self._out_of_step(f"{line!r} answered RPRT 0 without a value")
                return []
            if not answers:
                raise self._out_of_step(f"unexpected answer {shown(first)} to {verb!r}")
            return [first] + [self._readline() for _ in range(answers - 1)]
        except OSError as exc:
            self.close()
            raise self._error(f"connection lost ({_reason(exc)})", lost=True) from None
        except StationError:
            raise
        except BaseException:
            # Ctrl-C or SIGTERM inside an exchange: its answer may still be on the way, and
            # the next command would read it as its own; start afresh
            self.close()
            raise

    def _out_of_step(self, text: str) -> StationError:
        """A protocol surprise: the connection is out of step; closed, so that the next
        command opens a fresh one (the loop reconnects)."""
        self.close()
        return self._error(text, lost=True, code=-8)

    def _readline(self) -> str:
        assert self._sock is not None
        while b"\n" not in self._buffer:
            chunk = self._sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("closed by the daemon")
            self._buffer += chunk
            if len(self._buffer) > MAX_LINE:
                raise ConnectionError("an answer line over 4096 bytes")
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("ascii", "replace").strip()

    def _dry(self, line: str, answers: int) -> list[str]:
        if self.echo is not None and not answers:  # the sets; reading back is silent
            self.echo(f"{self.name} {self.endpoint}: {line}")
        verb, *args = line.split()
        if answers:
            return self._state.get(verb.upper(), ["0"] * answers)[:answers]
        self._state[verb] = args
        return []


class Rotctld(Daemon):
    """An antenna rotator behind ``rotctld`` (default port 4533)."""

    name = "rotctld"

    def set_position(self, az_deg: float, el_deg: float) -> None:
        self.command(f"P {az_deg:.2f} {el_deg:.2f}")

    def get_position(self) -> tuple[float, float]:
        az, el = self.command("p", 2)
        return _number(self, az, "azimuth"), _number(self, el, "elevation")

    def stop(self) -> None:
        self.command("S")


class Rigctld(Daemon):
    """A radio behind ``rigctld`` (default port 4532)."""

    name = "rigctld"

    def __init__(self, endpoint: Endpoint, **kw: object) -> None:
        super().__init__(endpoint, **kw)  # type: ignore[arg-type]
        self.uplink_via: str | None = None  # "split" or "vfo", once set up

    def set_frequency(self, hz: float) -> None:
        self.command(f"F {round(hz)}")

    def get_frequency(self) -> float:
        return _number(self, self.command("f", 1)[0], "frequency")

    def setup_uplink(self) -> str:
        """Split on, transmitting on VFO B (``S 1 VFOB``); where the radio has no split,
        the uplink is set on VFO B directly. Returns how: ``"split"`` or ``"vfo"``."""
        try:
            self.command("S 1 VFOB")
            self.uplink_via = "split"
        except StationError as exc:
            if exc.lost:
                raise
            self.uplink_via = "vfo"
        return self.uplink_via

    def set_uplink(self, hz: float) -> None:
        if self.uplink_via is None:
            self.setup_uplink()
        if self.uplink_via == "split":
            self.command(f"I {round(hz)}")
        else:
            self.command("V VFOB")
            self.command(f"F {round(hz)}")
            self.command("V VFOA")

    def get_uplink(self) -> float | None:
        if self.uplink_via != "split":
            return None
        return _number(self, self.command("i", 1)[0], "transmit frequency")


def _rprt(line: str) -> int:
    try:
        return int(line.split()[1])
    except (IndexError, ValueError):
        return -8


def _number(daemon: Daemon, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise daemon._error(f"answered {shown(text)} for the {what}: not a number", code=-8)
    return value


def _reason(exc: OSError | UnicodeError) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, socket.gaierror | UnicodeError):
        return "unknown host"
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()
