"""cfngen: one YAML config in, nested CloudFormation templates out, and a deployer for them."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__version__ = "0.1.0"


class _Deferred(types.ModuleType):
    """Stands in for a module in sys.modules until one of its attributes is used."""

    def __getattr__(self, name: str) -> Any:  # called only for attributes not set here
        del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        return getattr(real, name)


def _defer(name: str) -> None:
    """Put off importing ``name`` until something uses it.

    troposphere imports cfn_flip at import time (~40 ms, a fifth of a generate run) for
    ``Template.to_yaml``, which cfngen never calls: YAML comes from :mod:`cfngen.cfnyaml`.
    Code that does call it still works: the first attribute access loads the real module.
    (importlib.util.LazyLoader cannot do this: the import system itself reads ``__spec__``.)
    """
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stub = _Deferred(name)
    stub.__spec__ = spec
    sys.modules[name] = stub


_defer("cfn_flip")
