"""Helpers of the tests of the passos Sphinx extension (a test manual, sphinx-build in-process).

A module of its own: `from conftest import …` would be ambiguous beside tests/conftest.py."""

from __future__ import annotations

import io
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = Path(__file__).resolve().parents[2] / "docs" / "_ext"
TEMPLATE = Path(__file__).resolve().parent / "projeto"

if str(EXTENSIONS) not in sys.path:
    sys.path.insert(0, str(EXTENSIONS))


@dataclass
class BuildResult:
    """What a sphinx-build run gave: exit status, output streams, output folder."""

    status: int
    out: str
    err: str
    outdir: Path

    @property
    def text(self) -> str:
        return self.out + self.err


def copy_project(destination: Path, source: Path = TEMPLATE) -> Path:
    """A fresh copy of a test manual (its sources, the example portal, its figures)."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return destination


def run_sphinx(srcdir: Path, builder: str = "html", *arguments: str) -> BuildResult:
    """Run sphinx-build in-process; return its exit status and output.

    ``arguments`` are options, then optionally file names (only those documents).
    """
    from sphinx.cmd.build import build_main

    options = [a for a in arguments if a.startswith("-") or "=" in a]
    filenames = [str(srcdir / a) for a in arguments if a not in options]
    outdir = srcdir / "_build" / builder
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = build_main(
            ["--no-color", "-b", builder, *options, str(srcdir), str(outdir), *filenames]
        )
    return BuildResult(status, out.getvalue(), err.getvalue(), outdir)


def line_of(path: Path, text: str) -> int:
    """The line (1-based) where ``text`` first appears: a directive's first line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")
