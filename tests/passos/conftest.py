"""Fixtures for the tests of the passos Sphinx extension (docs/_ext/passos)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apoio_passos import BuildResult, copy_project, run_sphinx


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the system Chromium with Playwright")


@pytest.fixture
def projeto(tmp_path: Path) -> Path:
    """A copy of the test manual, without figures."""
    return copy_project(tmp_path / "docs")


@pytest.fixture
def sphinx() -> Callable[..., BuildResult]:
    return run_sphinx
