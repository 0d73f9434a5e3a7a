"""Stand-ins for the external tools `kubectl` and `aws`: real executables on PATH.

Each records its argv (and stdin) as one JSON line and answers from a reply
table, so tests see exactly the commands cfngen runs. Nothing of cfngen's own
is replaced.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """#!{python}
import json, os, sys
state = os.environ["FAKE_TOOLS_DIR"]
argv = [os.path.basename(sys.argv[0])] + sys.argv[1:]
stdin = "" if sys.stdin.isatty() else sys.stdin.read()
with open(os.path.join(state, "calls.jsonl"), "a") as f:
    f.write(json.dumps({{"argv": argv, "stdin": stdin}}) + "\\n")
replies = json.load(open(os.path.join(state, "replies.json")))
used_path = os.path.join(state, "used.json")
used = json.load(open(used_path)) if os.path.exists(used_path) else {{}}
line = " ".join(argv)
for i, r in enumerate(replies):
    if r["match"] in line and used.get(str(i), 0) < r.get("times", 10**9):
        used[str(i)] = used.get(str(i), 0) + 1
        json.dump(used, open(used_path, "w"))
        sys.stdout.write(r.get("stdout", ""))
        sys.stderr.write(r.get("stderr", ""))
        sys.exit(r.get("rc", 0))
sys.stderr.write("fake " + argv[0] + ": no reply for: " + line + "\\n")
sys.exit(99)
"""


@dataclass
class FakeTools:
    bin_dir: Path
    state: Path

    def reply(self, match: str, stdout: str = "", stderr: str = "", rc: int = 0,
              times: int | None = None) -> None:  # fmt: skip
        """Answer the first not-yet-exhausted command line containing ``match``."""
        path = self.state / "replies.json"
        replies = json.loads(path.read_text())
        entry: dict[str, object] = {"match": match, "stdout": stdout, "stderr": stderr, "rc": rc}
        if times is not None:
            entry["times"] = times
        replies.append(entry)
        path.write_text(json.dumps(replies))

    def calls(self) -> list[list[str]]:
        log = self.state / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line)["argv"] for line in log.read_text().splitlines()]


def install(tmp: Path, tools: tuple[str, ...] = ("kubectl", "aws")) -> FakeTools:
    """Fake executables in ``tmp/bin``; the caller puts it first on PATH and sets FAKE_TOOLS_DIR."""
    bin_dir, state = tmp / "bin", tmp / "fake-state"
    bin_dir.mkdir(parents=True)
    state.mkdir()
    (state / "replies.json").write_text("[]")
    for tool in tools:
        exe = bin_dir / tool
        exe.write_text(SCRIPT.format(python=sys.executable))
        exe.chmod(0o755)
    return FakeTools(bin_dir, state)
