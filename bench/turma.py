"""Benchmark: creating and resetting a class (turma), and a class reporting its tour at once.

Run from the project folder (not part of pytest):

    .venv/bin/python bench/turma.py                         # SQLite, 15 trainees
    .venv/bin/python bench/turma.py --alunos 60 --database-url postgresql://u:s@host/banco

Creating a class hashes every temporary password (argon2id, ~35 ms of one core each) before
its one transaction, on every core; the rest is the accounts, the class's órgão and groups,
and its five demo tickets opened through the services. The times are taken around the service
calls (server side, no HTTP), except the progress reports, which go through the portal's
endpoint as the tour's browsers send them.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from demo import create_app  # noqa: E402
from demo.extensions import db  # noqa: E402
from demo.services import classrooms, demo_data  # noqa: E402

RUNS = 5


def portal(url: str | None, folder: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder / 'portal.db'}",
            "MAIL_OUTBOX": str(folder / "caixa"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "RATELIMIT_ENABLED": False,
            "CLASS_MAX_TRAINEES": 10_000,
        }
    )
    with app.app_context():
        if url:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        demo_data.load()
    return app


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alunos", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="bench-turma-"))
    app = portal(args.database_url, folder)
    creations, resets = [], []
    with app.app_context():
        for run in range(RUNS):
            name = f"bench-{run}"
            creations.append(timed(lambda n=name: classrooms.create(n, args.alunos)))
            resets.append(timed(lambda n=name: classrooms.reset(n)))
            db.session.remove()
    print(f"banco: {'PostgreSQL' if args.database_url else 'SQLite'}; {os.cpu_count()} núcleos")
    print(
        f"criar uma turma de {args.alunos} alunos: mediana {statistics.median(creations):.2f} s "
        f"(mín. {min(creations):.2f} s, máx. {max(creations):.2f} s, {RUNS} vezes)"
    )
    print(
        f"reiniciar a turma: mediana {statistics.median(resets):.2f} s "
        f"(mín. {min(resets):.2f} s, máx. {max(resets):.2f} s)"
    )
    print(f"  (um hash de senha: {per_hash() * 1000:.0f} ms de um núcleo)")
    print(report_at_once(app, 30))


def per_hash() -> float:
    from demo.services import passwords

    return min(timed(lambda: passwords.hash_password("x" * 12)) for _ in range(5))


def report_at_once(app, people: int) -> str:
    """`people` browsers report a step of the tour in the same instant, through the endpoint."""
    import re

    with app.app_context():
        _created, lines = classrooms.create("bench-progresso", people)
        db.session.remove()
    clients = []
    for line in lines:
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/entrar").text)
        client.post(
            "/entrar",
            data={"csrf_token": token.group(1), "usuario": line.user, "senha": line.password},
        )
        page = client.get("/trocar-senha").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(
            "/trocar-senha",
            data={
                "csrf_token": token,
                "senha_atual": line.password,
                "nova_senha": "uma frase longa da turma",
                "confirmacao": "uma frase longa da turma",
            },
        )
        meta = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
        clients.append((client, meta))
    barrier = threading.Barrier(people)
    times: list[float] = [0.0] * people
    codes: list[int] = [0] * people

    def send(i: int) -> None:
        client, token = clients[i]
        barrier.wait()
        started = time.perf_counter()
        answer = client.post(
            "/praticar/progresso",
            json={"capitulo": "abertura-de-chamados", "passo": 3, "total": 14},
            headers={"X-CSRFToken": token},
        )
        times[i] = time.perf_counter() - started
        codes[i] = answer.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = sum(1 for code in codes if code != 204)
    return (
        f"{people} alunos informam o progresso ao mesmo tempo: mediana "
        f"{statistics.median(times) * 1000:.0f} ms, o mais lento {max(times) * 1000:.0f} ms, "
        f"{errors} erro(s)"
    )


if __name__ == "__main__":
    main()
