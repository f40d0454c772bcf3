"""The ``svl-tui`` console script: headless commands, or the terminal UI.

Headless commands never import Textual, so ``svl-tui invoke`` in a script or CI
starts as fast as the engine allows.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from invokers import cli

    args = cli.parse(argv)
    if args.command is not None:
        return cli.run(args)
    from tui.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
