"""Benchmark: what one API call costs — the token's check and its counted call — beside the
work of the call itself.

Run from the project folder (not part of pytest):

    .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --database-url postgresql://u:s@host/banco

Each figure is the median of many calls through Flask's test client (no network): GET
/api/v1/categorias (almost nothing but the token), GET /api/v1/chamados/{numero}, and the same
with the call counter off (API_CALLS_PER_MINUTE = 0, one write a minute instead of one a call).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from demo import create_app  # noqa: E402
from demo.extensions import db  # noqa: E402
from demo.services import accounts, api_tokens, demo_data  # noqa: E402

CALLS = 300


def portal(url: str, folder: Path, limit: int):
    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_OUTBOX": str(folder / "caixa"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "API_CALLS_PER_MINUTE": limit,
        },
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        upgrade()
        demo_data.load(with_tickets=True)
        token = api_tokens.create(
            accounts.find_user("maria.souza@agro.gov.br"), "bench", "leitura", None
        ).secret
        number = db.session.execute(sa.text("SELECT number FROM tickets LIMIT 1")).scalar()
        db.session.remove()
    return app, token, number


def median_ms(client, path: str, token: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for _ in range(CALLS):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.json
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    for limit in (10 * CALLS, 0):
        with tempfile.TemporaryDirectory() as folder:
            url = args.database_url or f"sqlite:///{Path(folder) / 'portal.db'}"
            app, token, number = portal(url, Path(folder), limit)
            client = app.test_client()
            counted = "contadas" if limit else "sem contagem"
            for path in ("/api/v1/categorias", f"/api/v1/chamados/{number}"):
                print(f"{path:34} chamadas {counted:13} {median_ms(client, path, token):6.2f} ms")
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
