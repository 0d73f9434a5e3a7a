#!/usr/bin/env python3
"""Same as `cfngen generate`: write the templates for a config (see --help).

Runs from a checkout with any Python 3.11+: when the interpreter lacks cfngen's
dependencies (a plain `python3 generate.py`), it hands over to the checkout's
`.venv` (made by `make venv` / `make templates`) instead of failing on an import.
"""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
DEPENDENCIES = ("troposphere", "awacs", "yaml")


def main() -> int:
    if any(find_spec(name) is None for name in DEPENDENCIES):
        if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent:
            os.execv(VENV_PYTHON, [str(VENV_PYTHON), __file__, *sys.argv[1:]])
        print(
            f"generate.py: {sys.executable} lacks cfngen's dependencies (troposphere, awacs, "
            "pyyaml); run `make venv` first, which installs them into .venv",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(HERE / "src"))
    from cfngen.cli import main as cli

    return cli(["generate", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
