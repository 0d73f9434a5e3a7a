"""cfngen: one YAML config in, nested CloudFormation templates out, and a deployer for them."""

from __future__ import annotations

__version__ = "0.1.0"
