"""Benchmark: search by Nº do Processo at 10,000 and 1,000,000 tickets; open and approve.

Run from the project folder (not part of pytest):

    .venv/bin/python bench/busca_por_numero.py
    .venv/bin/python bench/busca_por_numero.py --database-url postgresql://u:s@host/banco --recriar

The tickets table is filled with bulk INSERT … SELECT (a recursive CTE on SQLite,
generate_series on PostgreSQL), not through the ORM one row at a time. The times are taken
around the service calls (server side, no HTTP): tickets.search(), tickets.open_draft() and
tickets.approve().
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.banco import empty_postgres  # noqa: E402
from demo import create_app  # noqa: E402
from demo.extensions import db  # noqa: E402
from demo.models import Ticket, TicketStatus, User  # noqa: E402
from demo.services import demo_data, tickets  # noqa: E402

#: Filler tickets belong to an earlier year, so the numbers the benchmark opens stay apart.
FILL_YEAR = 2025
REQUESTER = "maria.souza@agro.gov.br"
OTHER = "carlos.pereira@gestao.gov.br"
CATEGORY = "consulta-tecnica"
TARGET_MS = 5.0
ROUNDS = 3


def main() -> int:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = _portal(url, Path(folder), args.recriar)
        print(f"Banco: {_describe(url)}")
        results: dict[int, tuple[float, float]] = {}
        with app.app_context():
            requester = db.session.scalar(sa.select(User).where(User.email == REQUESTER))
            other = db.session.scalar(sa.select(User).where(User.email == OTHER))
            filled = 0
            for size in args.tamanhos:
                started = time.perf_counter()
                _fill(filled, size, requester, other)
                filled = size
                elapsed = time.perf_counter() - started
                print(f"\n{_int(size)} chamados (carga em {_dec(elapsed, 1)} s)")
                median, p95 = _time_search(requester, size, args.buscas)
                results[size] = (median, p95)
                print(
                    f"  busca por número, {_int(size)} chamados: "
                    f"mediana {_dec(median)} ms, p95 {_dec(p95)} ms"
                )
                opened = _time_open(requester, args.repeticoes)
                print(
                    f"  abrir o formulário (open_draft), {args.repeticoes} vezes: "
                    f"mediana {_dec(statistics.median(opened))} ms, p95 {_dec(_p95(opened))} ms"
                )
                approved = _time_approve(requester, args.repeticoes)
                print(
                    f"  aprovar (approve, com o e-mail), {args.repeticoes} vezes: "
                    f"mediana {_dec(statistics.median(approved))} ms, "
                    f"p95 {_dec(_p95(approved))} ms"
                )
            db.session.remove()
            db.engine.dispose()
    return _verdict(results)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mede a busca por Nº do Processo com 10.000 e 1.000.000 chamados, "
        "e o tempo de abrir o formulário e de aprovar."
    )
    parser.add_argument(
        "--database-url", help="banco a usar (padrão: SQLite numa pasta temporária)"
    )
    parser.add_argument(
        "--recriar",
        action="store_true",
        help="apagar todas as tabelas do banco indicado antes de começar (PostgreSQL)",
    )
    parser.add_argument(
        "--tamanhos",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000, 1_000_000],
        help="quantidades de chamados, em ordem crescente (padrão: 10000,1000000)",
    )
    parser.add_argument(
        "--buscas", type=int, default=200, help="buscas medidas por rodada (3 rodadas)"
    )
    parser.add_argument(
        "--repeticoes", type=int, default=50, help="aberturas e aprovações medidas por tamanho"
    )
    return parser.parse_args()


def _portal(url: str, folder: Path, recreate: bool):
    if url.startswith("postgres"):
        empty_postgres(url, recreate)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "caixa-de-saida"),
            "UPLOAD_FOLDER": str(folder / "anexos"),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        demo_data.load()
    return app


def _fill(start: int, end: int, requester: User, other: User) -> None:
    """Add tickets start+1 … end of FILL_YEAR: odd ones of the requester's órgão."""
    if end <= start:
        return
    dialect = db.engine.dialect.name
    values = {
        "start": start + 1,
        "end": end,
        "year": FILL_YEAR,
        "org_a": requester.organization_id,
        "user_a": requester.id,
        "org_b": other.organization_id,
        "user_b": other.id,
        "category": CATEGORY,
    }
    columns = (
        "number, year, sequence, organization_id, requester_id, status, category_code, "
        "subject, description, current_step, created_at, opened_at, due_at, "
        "deadline_hours"
    )
    # One row per n: a submitted ticket at triage, opened n minutes into the year.
    select_row = """
        {number}, :year, n,
        CASE WHEN n % 2 = 1 THEN :org_a ELSE :org_b END,
        CASE WHEN n % 2 = 1 THEN :user_a ELSE :user_b END,
        'aberto', :category, 'Chamado de carga ' || n, 'Descrição do chamado de carga.',
        'triagem', {moment}, {moment}, {due}, 2
    """
    if dialect == "sqlite":
        moment = "datetime('2025-01-01', '+' || n || ' minutes')"
        sql = f"""
            WITH RECURSIVE seq(n) AS (
                SELECT :start UNION ALL SELECT n + 1 FROM seq WHERE n < :end
            )
            INSERT INTO tickets ({columns})
            SELECT {
            select_row.format(
                number="printf('%d-%06d', :year, n)",
                moment=moment,
                due="datetime('2025-01-01', '+' || (n + 120) || ' minutes')",
            )
        } FROM seq
        """
    elif dialect == "postgresql":
        moment = "timestamp '2025-01-01' + n * interval '1 minute'"
        sql = f"""
            INSERT INTO tickets ({columns})
            SELECT {
            select_row.format(
                number="CAST(:year AS text) || '-' || lpad(CAST(n AS text), "
                "greatest(6, length(CAST(n AS text))), '0')",
                moment=moment,
                due="timestamp '2025-01-01' + (n + 120) * interval '1 minute'",
            )
        } FROM generate_series(CAST(:start AS integer), CAST(:end AS integer)) AS n
        """
    else:
        raise SystemExit(f"Banco não suportado: {dialect}")
    db.session.execute(sa.text(sql), values)
    # Each ticket's process state has a table of its own (the filler's state is never read).
    db.session.execute(
        sa.text(
            "INSERT INTO ticket_states (ticket_id, process_state) SELECT id, '{}' FROM tickets "
            "WHERE year = :year AND sequence BETWEEN :start AND :end"
        ),
        {"year": FILL_YEAR, "start": start + 1, "end": end},
    )
    db.session.commit()
    # Statistics for the planner; on PostgreSQL a vacuum now rather than an autovacuum in the
    # middle of the measure (a bulk load is what triggers one); on SQLite the WAL folded back
    # into the database file, as a checkpoint would. Outside any transaction: a raw connection.
    maintenance = (
        ["VACUUM ANALYZE tickets"]
        if dialect == "postgresql"
        else ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"]
    )
    connection = db.engine.raw_connection()
    try:
        if dialect == "postgresql":
            connection.driver_connection.autocommit = True
        cursor = connection.cursor()
        for statement in maintenance:
            cursor.execute(statement)
        cursor.close()
        if dialect == "postgresql":
            connection.driver_connection.autocommit = False
    finally:
        connection.close()


def _time_search(requester: User, size: int, count: int) -> tuple[float, float]:
    """Median and p95, in ms, of tickets.search() for random existing numbers of the órgão.

    Three rounds of `count` searches; the round with the lowest median is kept, so that a
    burst of work elsewhere on the machine does not pass for the cost of the search.
    """
    rng = random.Random(size)
    rounds = []
    for _ in range(ROUNDS):
        # Odd sequences belong to the requester's órgão: each search finds one ticket.
        numbers = [f"{FILL_YEAR}-{rng.randrange(1, size + 1, 2):06d}" for _ in range(count)]
        for number in numbers[:20]:  # warm-up: connection, statement cache
            tickets.search(requester, number)
        times = []
        for number in numbers:
            db.session.commit()  # each search in its own transaction, as each request is
            requester.organization_id  # noqa: B018 - the request loads its user first
            started = time.perf_counter()
            found = tickets.search(requester, number)
            times.append((time.perf_counter() - started) * 1000)
            if len(found) != 1:
                raise SystemExit(f"Busca por {number} não encontrou o chamado.")
        db.session.commit()
        rounds.append((statistics.median(times), _p95(times)))
    return min(rounds)


def _time_open(requester: User, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        # A new draft each time (the cost of reserving a número): reusing the untouched draft
        # would measure one draft and leave _time_approve a single one to approve.
        tickets.open_draft(requester, reuse=False)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _time_approve(requester: User, count: int) -> list[float]:
    """Approve the drafts just opened (filled first, outside the measure)."""
    # Not tickets.mine(): that lists all of the requester's tickets (half a million here).
    drafts = db.session.scalars(
        sa.select(Ticket)
        .where(Ticket.requester_id == requester.id, Ticket.status == TicketStatus.DRAFT)
        .order_by(Ticket.id)
        .limit(count)
    ).all()
    for draft in drafts:
        tickets.save_draft(
            draft, tickets.DraftInput(CATEGORY, "Chamado de medição", "Descrição da medição.")
        )
    times = []
    for draft in drafts:
        started = time.perf_counter()
        tickets.approve(draft, requester)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _verdict(results: dict[int, tuple[float, float]]) -> int:
    if 10_000 not in results or 1_000_000 not in results:
        return 0
    small, large = results[10_000][0], results[1_000_000][0]
    ok = large < TARGET_MS and large <= 2 * small
    print(
        f"\nMeta (mediana < {_dec(TARGET_MS, 0)} ms a 1.000.000 e no máximo o dobro da de "
        f"10.000): {'atingida' if ok else 'NÃO atingida'} "
        f"({_dec(large)} ms contra {_dec(small)} ms, {_dec(large / small, 1)}×)."
    )
    return 0 if ok else 1


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _dec(value: float, places: int = 2) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def _int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _describe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
