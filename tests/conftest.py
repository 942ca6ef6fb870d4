"""Shared fixtures: a real deployment in a temporary folder, a frozen clock."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_config_path(tmp_path: Path) -> Path:
    """The demo deployment's config.yaml, copied so that its data root is inside tmp_path."""
    target = tmp_path / "config.yaml"
    shutil.copy(REPO / "config.yaml", target)
    return target
