"""The `mlform` entry point: dispatch to a command, turn errors into messages and exit codes."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

from mlform.cli.arguments import UsageError, build_parser, parse
from mlform.errors import MlformError

EXIT_OK = 0
EXIT_ERROR = 1


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops a command the way Ctrl-C does: cleanly, locks released."""
    raise KeyboardInterrupt


def _unraisable(hook: Any) -> None:
    """An interrupt that lands inside a finalizer (a weakref callback, a `__del__`) is
    swallowed there with an "Exception ignored" traceback. Deliver it again instead, in the
    code the main thread runs next, so that it stops the command as any other interrupt."""
    if isinstance(hook.exc_value, KeyboardInterrupt):
        import _thread

        # from another thread, a moment later: once the finalizer and this hook have returned
        threading.Timer(0.05, _thread.interrupt_main, (signal.SIGTERM,)).start()
        return
    sys.__unraisablehook__(hook)


def main(argv: list[str] | None = None) -> int:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
        sys.unraisablehook = _unraisable
    try:
        args = parse(argv)
    except UsageError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    if args.command is None:
        build_parser().print_help()
        return EXIT_OK
    try:
        from mlform.cli import commands

        return int(getattr(commands, args.command.replace("-", "_"))(args))
    except MlformError as exc:
        from mlform.urls import masked

        sys.stderr.write(f"Error: {masked(exc)}\n")  # a database URL may name its password
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:
        import traceback

        traceback.print_exc()
        sys.stderr.write(
            "\nThis is a bug in mlform, not a mistake of yours: please report it with the output above.\n"
        )
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
