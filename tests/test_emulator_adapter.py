"""The emulator's one door into moto: it names the moto versions it was tested with.

An untested moto is refused with one line naming the tested versions and the way
out; setup.cfg pins moto to exactly those versions; importing the emulator's
public API does not import moto (the `[local]` extra stays optional).
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import threading

import pytest

from cfngen.cli import main
from cfngen.emulator import moto_adapter
from conftest import GUARD, ROOT


def test_the_installed_moto_is_a_tested_one() -> None:
    import moto

    assert moto.__version__ in moto_adapter.TESTED_MOTO_VERSIONS
    moto_adapter.check_version()


def test_an_untested_moto_is_refused_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(moto_adapter.ANY_MOTO_ENV, raising=False)
    with pytest.raises(moto_adapter.UnsupportedMoto) as err:
        moto_adapter.check_version("5.0.1")
    message = str(err.value)
    assert "moto 5.0.1 is installed" in message
    assert all(v in message for v in moto_adapter.TESTED_MOTO_VERSIONS)
    assert "pip install 'cfngen[local]'" in message and moto_adapter.ANY_MOTO_ENV in message
    monkeypatch.setenv(moto_adapter.ANY_MOTO_ENV, "1")
    moto_adapter.check_version("5.0.1")  # the user chose to try it


def test_setup_cfg_pins_moto_to_the_tested_versions() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    extras = cfg["options.extras_require"]
    for extra in ("local", "test"):
        pins = [line.strip() for line in extras[extra].splitlines() if "moto" in line]
        assert pins == [f"moto[server]=={moto_adapter.TESTED_MOTO_VERSIONS[0]}"], extra
    assert len(moto_adapter.TESTED_MOTO_VERSIONS) == 1  # a range would need a CI matrix


def test_cfngen_emulator_with_an_untested_moto_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import moto

    monkeypatch.delenv(moto_adapter.ANY_MOTO_ENV, raising=False)
    monkeypatch.setattr(moto, "__version__", "5.0.1")
    codes: list[int] = []  # in a thread: were the check to pass, serving would not block us
    run = threading.Thread(target=lambda: codes.append(main(["emulator", "--port", "0"])))
    run.start()
    run.join(timeout=GUARD)
    assert codes == [2]
    err = capsys.readouterr().err
    assert err.startswith("cfngen: the cfngen emulator was written for moto 5.2.5")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_public_api_does_not_import_moto() -> None:
    code = "import sys, cfngen.emulator; print(sorted(m for m in sys.modules if m == 'moto'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=GUARD
    )
    assert done.stdout.strip() == "[]", done.stderr
