"""Why the emulator cannot start, in words for the person who ran it."""

from __future__ import annotations


class EmulatorUnavailable(RuntimeError):
    """moto is not installed, or is not a version the emulator was written and tested for."""
