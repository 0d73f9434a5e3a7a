"""cfn-lint in-process, on the templates of a config or on template files already written.

One linter run covers every template it is given, as the ``cfn-lint`` command does, so
the nested-stack checks (E3043: a child's parameters against what the root passes)
see the children beside their root. A config's templates are rendered in memory and
written to a temporary folder only because cfn-lint follows ``TemplateURL`` on disk.
Settings in a ``.cfnlintrc`` of the working folder apply as they do for the ``cfn-lint``
command (ignored checks, for one), but its template list does not: what is linted is
exactly what is given.

cfn-lint's own entry points load its ~340 rule modules anew on every run (about half a
second, more than linting a template): here they are loaded once per process and the
same rules serve every run, as cfn-lint's ``api.lint(s, rules=...)`` allows (each run
configures and initializes every rule for the template it checks).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cfngen.config import Config
from cfngen.render import PARAMETERS_DIR, render

if TYPE_CHECKING:
    from cfnlint.match import Match
    from cfnlint.rules import Rules  # type: ignore[attr-defined]  # re-exported, no __all__
    from cfnlint.runner import Runner

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
LINT_FORMAT = "yaml"  # one format per config: the JSON twin holds the same template


class LintInputError(Exception):
    """A path that holds no template to lint."""


@dataclass(frozen=True)
class Report:
    """What one lint run found, and over how many templates."""

    findings: list[Finding]
    templates: int


@dataclass(frozen=True, order=True)
class Finding:
    """One cfn-lint match: where, which rule, what."""

    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule} {self.message}"


def template_files(path: Path) -> list[Path]:
    """The template files of a folder (not its parameter files), or the file itself."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise LintInputError(f"{path}: no such file or folder")
    found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in TEMPLATE_SUFFIXES)
    if not found:
        raise LintInputError(f"{path}: no templates ({', '.join(TEMPLATE_SUFFIXES)}) in it")
    return found


def lint_files(files: Sequence[Path], regions: Sequence[str]) -> list[Finding]:
    """cfn-lint's findings for ``files`` in ``regions``, sorted by file and line."""
    if not files:
        return []
    matches = _run([str(f) for f in files], list(regions))
    return sorted(
        Finding(str(m.filename or ""), int(m.linenumber), m.rule.id, str(m.message))
        for m in matches
    )


def _run(templates: list[str], regions: list[str]) -> list[Match]:
    """What ``cfnlint.api.lint_by_config`` returns for these settings, on the rules loaded
    once per process."""
    from cfnlint.config import ConfigMixIn  # lazy: cfn-lint loads its schemas on import
    from cfnlint.match import Match
    from cfnlint.rules.errors.config import ConfigError

    config = ConfigMixIn(templates=templates, regions=regions, merge_configs=False)
    try:
        config.validate()
    except ValueError as e:
        return [Match.create(message=str(e), filename="", rule=ConfigError())]
    return list(_runner_class()(config).run())


@functools.cache
def _runner_class() -> type[Runner]:
    """cfn-lint's ``Runner`` with its rules loaded once per process for each set of rule
    sources (the built-in rules folder, ``append_rules`` and ``custom_rules`` of a
    ``.cfnlintrc``): which of them run is still chosen per run from the run's settings."""
    from cfnlint.runner import Runner

    loaded: dict[tuple[tuple[str, ...], str], Rules] = {}

    class CachedRulesRunner(Runner):
        def _get_rules(self) -> None:
            key = (tuple(self.config.append_rules), str(self.config.custom_rules or ""))
            if key not in loaded:
                super()._get_rules()
                loaded[key] = self.rules
            self.rules = loaded[key]

    return CachedRulesRunner


def lint(
    configs: Sequence[tuple[str, Config]], paths: Sequence[Path], regions: Sequence[str]
) -> Report:
    """Lint the templates of each ``(label, config)`` in its region and the templates under
    ``paths`` in ``regions``: one cfn-lint run per region set, since loading the linter and
    its schemas costs more than linting a template. A config's files are named ``label/...``."""
    with tempfile.TemporaryDirectory(prefix="cfngen-lint-") as tmp:
        labels: dict[Path, str] = {}
        runs: dict[tuple[str, ...], list[Path]] = {}
        for label, cfg in configs:
            folder = Path(tmp) / str(len(labels))
            folder.mkdir()
            for name, data in render(cfg, (LINT_FORMAT,)).files.items():
                if not name.startswith(PARAMETERS_DIR + "/"):
                    (folder / name).write_bytes(data)
            labels[folder] = label
            runs.setdefault((cfg.region,), []).extend(template_files(folder))
        files = [f for path in paths for f in template_files(path)]
        if files:
            runs.setdefault(tuple(regions), []).extend(files)
        findings = [
            _relabel(finding, labels)
            for run_regions, run_files in runs.items()
            for finding in lint_files(run_files, run_regions)
        ]
        return Report(sorted(findings), sum(len(f) for f in runs.values()))


def _relabel(finding: Finding, labels: dict[Path, str]) -> Finding:
    """A rendered template's temporary path -> ``label/name``; other paths as given."""
    path = Path(finding.file)
    label = labels.get(path.parent)
    if label is None:
        return finding
    return Finding(f"{label}/{path.name}", finding.line, finding.rule, finding.message)
