"""Benchmark of the test suite: how long `make test` takes, and how much work it is.

Run from the project folder (not part of pytest), with what `make test` needs beside it
(Chromium, and TEST_DATABASE_URL for PostgreSQL):

    .venv/bin/python bench/testes.py
    .venv/bin/python bench/testes.py -- tests/test_api.py   # pytest's arguments, after --

It runs the suite as `make test` does (pytest-xdist on every core) and prints its wall time
and the CPU time the whole machine spent meanwhile (from /proc/stat: Chromium's renderers
are not counted by the children's rusage). The CPU time over the cores is the least wall
time that this much work can take on this machine, however the tests are spread.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.maquina import busy_seconds, seconds  # noqa: E402

TARGET_SECONDS = 6 * 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pytest", nargs="*", help="os argumentos do pytest (depois de --)")
    args = parser.parse_args()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-n",
        os.environ.get("TEST_WORKERS", "auto"),
        "--dist",
        "loadgroup",
        "-q",
        *args.pytest,
    ]
    cores = os.cpu_count() or 1
    print("$ " + " ".join(command[2:]), flush=True)
    before = busy_seconds()
    started = time.perf_counter()
    # wide enough that pytest's summary keeps each failure's reason on its line
    environment = {**os.environ, "COLUMNS": "400"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - started
    busy = busy_seconds() - before
    lines = done.stdout.strip().splitlines()
    # pytest's short summary: one line per test that failed, with its reason
    for line in lines:
        if line.startswith(("FAILED ", "ERROR ")):
            print(f"  {line}")
    print(f"  {lines[-1]}" if lines else done.stderr[-2000:])
    print()
    print(f"Tempo:                 {seconds(wall)} (meta < {seconds(TARGET_SECONDS)})")
    shown = f"{busy / wall:.2f}".replace(".", ",")
    print(f"CPU (a máquina toda):  {seconds(busy)}, {shown} de {cores} núcleos ocupados")
    print(
        f"Menor tempo possível para este trabalho em {cores} núcleos: {seconds(busy / cores)}"
        + (" — acima da meta" if busy / cores > TARGET_SECONDS else "")
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
