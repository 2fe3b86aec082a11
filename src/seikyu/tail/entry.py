"""What the `seikyu` following commands share: the key check, a terminal whose lines show as
they come, and a quiet end on Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from seikyu.tail.commands import Following, Terminal

MISSING_KEY = 2


def terminal() -> Terminal:
    def out(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()  # a pipe buffers: a follower's lines must show as they come

    def err(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return Terminal(out=out, err=err)


def run(
    command: Callable[[Following, Terminal], int],
    *,
    api_key: str | None,
    api_base: str,
    interval: float,
    history: int = 0,
) -> int:
    """The command's exit status: 0 when interrupted, non-zero when it could not go on."""
    screen = terminal()
    if not api_key:
        screen.err("No API key: pass --api-key or set SEIKYU_API_KEY.")
        return MISSING_KEY

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        return command(Following(api_base, api_key, interval, history), screen)
    except KeyboardInterrupt:
        return 0
