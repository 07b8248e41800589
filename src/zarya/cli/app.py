"""The ``zarya`` command: the Typer application, its entry point and how errors are said.

Bad input never ends in a traceback: every :class:`~zarya.errors.ZaryaError` and every
usage error prints one line on stderr and exits with status 2. Ctrl-C (SIGINT) exits 130
and SIGTERM 143, after the work in hand is undone (an import rolled back, a batch's
temporary file removed: the commands' ``finally`` clauses run), with one line saying so.
The library's sentences name inputs neutrally (:func:`~zarya.errors.param`); here they
are worded with the command line's flags (``--days``), with the command line's advice where
there is some (how to go on with stale elements, how to add elements to the store).
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Annotated, Any

import typer

from ..errors import StaleElementsError, UnknownSatelliteError, ZaryaError

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "Terminated", "app",
           "flag", "main", "sentence"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised where the process stands so that cleanup runs on the way out."""

_SETTINGS: dict[str, Any] = {
    "name": "zarya",
    "help": "Follow the International Space Station (or any satellite) from the ground.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
app = typer.Typer(**_SETTINGS)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            sys.stdout.write(f"zarya {version('zarya')}\n")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            sys.stdout.write("zarya (not installed)\n")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Follow the International Space Station (or any satellite) from the ground."""


def flag(name: str) -> str:
    """The command line's flag for an input the library names (``min_elevation`` ->
    ``--min-elevation``)."""
    return "--" + name.replace("_", "-")


def sentence(exc: ZaryaError) -> str:
    """The error as the command line says it: flags for inputs, and the command line's
    advice where there is some."""
    text = exc.worded(flag)
    if isinstance(exc, StaleElementsError):
        text += " (use --allow-stale to compute anyway, or import fresher elements)"
    elif isinstance(exc, UnknownSatelliteError) and exc.remedy == "import":
        text += "; add some with `zarya elements import FILE` or `zarya elements update`"
    return text


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and ``python -m zarya``."""
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("zarya: interrupted\n")
        _forget_interrupt()
        return EXIT_INTERRUPTED
    except Terminated:
        sys.stderr.write("zarya: terminated\n")
        return EXIT_TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _forget_interrupt() -> None:
    """Keep the exit status 130 once Ctrl-C has been handled here.

    CPython 3.11 marks a KeyboardInterrupt "unhandled" whenever one leaves code run from a
    string (``exec``/``eval``: dataclasses, namedtuples and typing build methods that way,
    so Ctrl-C during an import does it) even if it is caught further out, and at exit the
    interpreter then kills itself with SIGINT (status -2) instead of returning ours. The
    mark is cleared at the start of every such run, so an empty one clears it.
    """
    exec("")  # noqa: S102 - an empty string; see above


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def _command(args: list[str]) -> Any:
    """The click command for these arguments: the application with only the command they
    name (building every command's parameters from its signature costs 30 ms of a 0.2 s
    run), or the whole application where they name none it knows (``--help``, a
    mistyped command: the same messages as ever)."""
    first = next((a for a in args if not a.startswith("-")), None)
    commands = [c for c in app.registered_commands
                if first == (c.name or typer.main.get_command_name(
                    getattr(c.callback, "__name__", "")))]
    groups = [g for g in app.registered_groups if first is not None and g.name == first]
    if not commands and not groups:
        return typer.main.get_command(app)
    one = typer.Typer(**_SETTINGS)
    one.registered_callback = app.registered_callback
    one.registered_commands, one.registered_groups = commands, groups
    return typer.main.get_command(one)


def _main(argv: list[str] | None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = _command(args)
    try:
        result = command.main(args=args, prog_name="zarya", standalone_mode=False)
    except ZaryaError as exc:
        _fail(sentence(exc))
        return EXIT_BAD_INPUT
    except Exception as exc:  # usage errors of the (vendored) click parser
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            if type(exc).__name__ == "Abort":
                raise KeyboardInterrupt from None
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `zarya`: the help, as asked
                sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
                return 0
            code = exc.exit_code
            if code == 0:
                return 0
            _fail(exc.format_message())
            return EXIT_BAD_INPUT
        raise
    if result == EXIT_INTERRUPTED:  # typer turns Ctrl-C into Exit(130) and returns it
        raise KeyboardInterrupt
    return 0


def _fail(message: str) -> None:
    line = " ".join(message.split())
    sys.stderr.write(f"zarya: error: {line}\n")
