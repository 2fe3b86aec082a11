"""Start localstripe on a loopback address, for the benchmark only.

This file runs under ``bench/.venv-localstripe/bin/python``, never under the
project's own interpreter, so it imports nothing from ``seikyu`` or ``bench``.

It differs from ``localstripe --port N --from-scratch`` in two ways, both kept
cost-neutral so the figures are localstripe's own:

* upstream binds ``::`` (every interface); the benchmark must only listen on
  loopback, so the app is served on ``--host`` instead;
* upstream pickles its whole store to the fixed path ``/tmp/localstripe.pickle``
  after every write; the same pickling is kept, byte for byte, but written to
  ``--pickle-path`` so that a run never clobbers somebody else's localstripe
  state (or another run's).
"""

from __future__ import annotations

import argparse
import logging
import pickle
from pathlib import Path
from typing import Any

from aiohttp import web  # type: ignore[import-not-found]
from localstripe import resources, server  # type: ignore[import-not-found]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pickle-path", type=Path, required=True)
    return parser.parse_args()


def redirect_store_dump(pickle_path: Path) -> None:
    """Make every store dump go to ``pickle_path``, with upstream's exact work."""

    def dump_to_disk(self: Any) -> None:
        with open(pickle_path, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.dump_to_disk = dump_to_disk


def main() -> None:
    args = parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        raise SystemExit(f"refusing to listen on non-loopback host {args.host!r}")
    redirect_store_dump(args.pickle_path)

    # Same access logging as upstream's start(), so per-request cost matches.
    logger = logging.getLogger("aiohttp.access")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(logging.StreamHandler())

    web.run_app(server.app, host=args.host, port=args.port, access_log=logger)


if __name__ == "__main__":
    main()
