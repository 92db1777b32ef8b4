"""Benchmark: a class of 100 trainees walking "Abertura de Chamados" against `make run`'s server.

Run from the project folder (not part of pytest; needs the `bench` extra: locust):

    .venv/bin/python bench/carga_turma.py
    .venv/bin/python bench/carga_turma.py --database-url postgresql://u:s@host/banco --recriar
    .venv/bin/python bench/carga_turma.py --workers 3 --threads 8 --duracao 120

What it does:

1. a temporary instance folder, with `flask configurar-instancia` and `flask init-db`, as
   `make run` does (SQLite in that folder by default, or the database of --database-url);
2. 100 requester accounts of the MAPA, aluno001…aluno100@agro.gov.br, with one definitive
   password: one argon2 hash, computed once, given to every row in one transaction;
3. the production server, `flask --app demo servir` (gunicorn with conf/portal.toml's
   SERVER_WORKERS and SERVER_THREADS, unless --workers/--threads say otherwise, and the
   background process that delivers e-mail);
4. locust, headless, in a process of its own (bench/turma_locustfile.py): 100 people arriving
   10 per second, each walking the chapter with 1–3 s of thought between steps, again and
   again, for 150 s;
5. a table per step: requests, failures, p50/p95/p99 as locust measured them (the client
   side, which shares the 2 cores with the server) and p95 in the server's own access log;
   the CPU used by the server, by locust and by everything else on the machine; whether the
   targets hold.

Exit status 1 when any request failed (5xx, 429, or any answer the step did not expect).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.banco import empty_postgres  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "turma_locustfile.py"
PYTHON = sys.executable
PASSWORD = "Senha-da-turma-2026"
ORGANIZATION = "MAPA"
#: p95 targets, in ms: every page, and Entrar (which checks an argon2 hash on purpose).
TARGET_PAGE_MS = 300
TARGET_LOGIN_MS = 1000
LOGIN_STEP = "Entrar"

#: The server's access log (demo/server.py): `host "METHOD /path HTTP/1.1" status bytes Nms`;
#: HTTP/1.0 lines are this script's probes while the server starts.
ACCESS_LINE = re.compile(
    r'^\S+ "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.1" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms$'
)
#: Which step a request of the access log belongs to (method, path pattern).
SERVER_STEPS = [
    ("GET", r"/(static|vendor)/.*", "Arquivos estáticos (1ª visita)"),
    ("GET", r"/entrar", "Tela de entrada"),
    ("POST", r"/entrar", "Entrar"),
    ("GET", r"/", "Início"),
    ("GET", r"/processos/abrir", "Processos › Abrir"),
    ("POST", r"/processos/abrir/[^/]+", "Abertura de Chamado"),
    ("GET", r"/chamados/[^/]+/formulario", "Formulário"),
    ("POST", r"/chamados/[^/]+/formulario", "Aprovar"),
    ("GET", r"/chamados/[^/]+/enviado", "Chamado enviado"),
    ("GET", r"/minha-area/selecionados", "Minha Área › Selecionados"),
    ("GET", r"/minha-area/selecionados\?.*", "Selecionados › Buscar"),
    ("GET", r"/chamados/[^/?]+", "Chamado"),
    ("GET", r"/chamados/[^/]+/status", "Status"),
    ("GET", r"/chamados/[^/]+/acessar", "Acessar"),
    ("GET", r"/chamados/[^/]+/listagem", "Listagem"),
    ("POST", r"/sair", "Sair"),
]


def main() -> int:
    args = _arguments()
    folder = Path(tempfile.mkdtemp(prefix="bench-turma-"))
    server = None
    try:
        url = args.database_url or f"sqlite:///{folder / 'instancia' / 'portal.db'}"
        port = args.porta or _free_port()
        env = _environment(folder, url, args)
        if url.startswith("postgres"):
            empty_postgres(url, args.recriar)
        print(f"Banco: {_describe(url)}")
        print(f"Pasta temporária: {folder}")
        _flask(env, "configurar-instancia", "--host", "127.0.0.1", "--port", str(port))
        _flask(env, "init-db")
        started = time.perf_counter()
        _create_class(env, args.usuarios)
        print(
            f"{args.usuarios} contas de solicitante ({ORGANIZATION}) criadas em "
            f"{_dec(time.perf_counter() - started, 2)} s (senha definitiva: {PASSWORD})."
        )
        server = _Server(env, port, folder / "servidor.log")
        server.start()
        print(
            f"Servidor: gunicorn em http://127.0.0.1:{port}/ com {server.workers} processo(s) × "
            f"{server.threads} thread(s) (pid {server.process.pid}), e o processo de segundo "
            "plano."
        )
        samples_file = folder / "amostras.json"
        print(
            f"Locust: {args.usuarios} pessoas, chegando {args.chegada} por segundo, pausa de "
            f"{_dec(args.pausa[0], 0)}–{_dec(args.pausa[1], 0)} s entre os passos, "
            f"durante {args.duracao} s…",
            flush=True,
        )
        cpu = _CpuMeter(server.process.pid)
        profiler = _start_profiler(args, server.process.pid, folder) if args.perfil else None
        locust_rc, locust_output = _run_locust(args, port, samples_file, folder)
        usage = cpu.stop()
        if profiler is not None:
            profiler.wait()
        alive = server.process.poll() is None
        # The last approvals' e-mails are still being delivered when the class stops.
        drained_at = time.monotonic() + 15
        queued = _queue_left(env)
        while queued not in ("0", "não foi possível contar") and time.monotonic() < drained_at:
            time.sleep(1)
            queued = _queue_left(env)
        server.stop()
        server = None

        data = json.loads(samples_file.read_text("utf-8")) if samples_file.exists() else None
        if data is None:
            print(locust_output[-4000:])
            print("Erro: o locust não gravou as amostras.", file=sys.stderr)
            return 1
        server_times = _server_times(folder / "servidor.log")
        errors = _report(data, server_times, usage, args)
        if args.perfil:
            _profile_report(folder / "perfil.txt")
        print(f"\nE-mails ainda na fila depois do teste (até 15 s de espera): {queued}.")
        if not alive:
            print("O servidor terminou durante o teste:", file=sys.stderr)
            print((folder / "servidor.log").read_text("utf-8", "replace")[-3000:])
            errors += 1
        if locust_rc not in (0, 1):
            print(locust_output[-3000:])
        if args.manter:
            print(f"Arquivos mantidos em {folder} (servidor.log, locust.log, amostras.json).")
        return 1 if errors else 0
    finally:
        if server is not None:
            server.stop()
        if not args.manter:
            shutil.rmtree(folder, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mede o portal servido como no `make run` com uma turma de 100 pessoas "
        "seguindo o capítulo “Abertura de Chamados”."
    )
    parser.add_argument(
        "--database-url", help="banco a usar (padrão: SQLite na pasta temporária da instância)"
    )
    parser.add_argument(
        "--recriar",
        action="store_true",
        help="apagar todas as tabelas do banco indicado antes de começar (PostgreSQL)",
    )
    parser.add_argument("--usuarios", type=int, default=100, help="pessoas na turma (100)")
    parser.add_argument(
        "--chegada", type=float, default=10, help="pessoas que chegam por segundo (10)"
    )
    parser.add_argument(
        "--duracao", type=int, default=150, help="duração da medição, em segundos (150)"
    )
    parser.add_argument(
        "--pausa",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="pausa de cada pessoa entre dois passos, em segundos (1 3)",
    )
    parser.add_argument(
        "--workers", type=int, help="processos do gunicorn (padrão: SERVER_WORKERS)"
    )
    parser.add_argument("--threads", type=int, help="threads por processo (padrão: SERVER_THREADS)")
    parser.add_argument("--porta", type=int, help="porta do servidor (padrão: uma livre)")
    parser.add_argument(
        "--manter", action="store_true", help="não apagar a pasta temporária (logs e amostras)"
    )
    parser.add_argument(
        "--keep-alive",
        type=int,
        metavar="SEGUNDOS",
        help="experimento: o keep-alive do gunicorn (padrão dele: 2 s), via GUNICORN_CMD_ARGS; "
        "não é uma configuração do portal",
    )
    parser.add_argument(
        "--perfil",
        action="store_true",
        help="gravar com o py-spy (no PATH ou em $PY_SPY) onde o tempo dos pedidos vai, depois "
        "da chegada da turma, e mostrar o resumo por tela (o py-spy também usa CPU)",
    )
    return parser.parse_args()


def _environment(folder: Path, url: str, args) -> dict[str, str]:
    # conf/portal.toml as `make run` reads it: this shell's PORTAL_* settings (a mail server,
    # other workers) and gunicorn options do not leak in; the flags below say what differs.
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "GUNICORN_CMD_ARGS"
        and (not key.startswith("PORTAL_") or key == "PORTAL_CONF_DIR")
    }
    env.update(
        PORTAL_INSTANCE_PATH=str(folder / "instancia"),
        DATABASE_URL=url,
    )
    if args.workers:
        env["PORTAL_SERVER_WORKERS"] = str(args.workers)
    if args.threads:
        env["PORTAL_SERVER_THREADS"] = str(args.threads)
    if args.keep_alive is not None:
        env["GUNICORN_CMD_ARGS"] = f"--keep-alive {args.keep_alive}"
    return env


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "demo", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"Erro: `flask {' '.join(args)}` falhou:\n{result.stdout}{result.stderr}")
    return result.stdout


def _create_class(env: dict, count: int) -> None:
    """aluno001…: requesters of the MAPA with one known definitive password, in one go.

    In a child process, so that this one never holds the portal's configuration or a
    connection to its database; through the portal's own models and `writing()`.
    """
    code = f"""
import sys
from sqlalchemy import select
from demo import create_app
from demo.database import writing
from demo.extensions import db
from demo.models import Organization, Profile, User
from demo.services import passwords

app = create_app()
with app.app_context():
    hashed = passwords.hash_password({PASSWORD!r})
    with writing():
        org = db.session.scalar(
            select(Organization).where(Organization.acronym == {ORGANIZATION!r})
        )
        db.session.add_all(
            User(
                email=f"aluno{{n:03d}}@agro.gov.br",
                name=f"Aluno {{n:03d}}",
                organization=org,
                profile=Profile.REQUESTER,
                password_hash=hashed,
            )
            for n in range(1, {count} + 1)
        )
    db.session.remove()
    db.engine.dispose()
"""
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"Erro: as contas da turma não foram criadas:\n{result.stderr}")


def _queue_left(env: dict) -> str:
    code = """
from demo import create_app
from demo.extensions import db
from demo.services import delivery
app = create_app()
with app.app_context():
    print(delivery.pending_count())
    db.session.remove()
    db.engine.dispose()
"""
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else "não foi possível contar"


class _Server:
    """`flask --app demo servir`, as `make run` starts it, in a process group of its own."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env = env
        self.port = port
        self.log = log
        self.process: subprocess.Popen | None = None
        settings = _settings(env)
        self.workers = settings["SERVER_WORKERS"]
        self.threads = settings["SERVER_THREADS"]

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "flask", "--app", "demo", "servir"]
                + ["--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"Erro: o servidor terminou ao iniciar:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET /entrar HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if sock.recv(12).startswith(b"HTTP/"):
                        return
            except OSError:
                time.sleep(0.2)
        sys.exit("Erro: o servidor não respondeu em 60 s.")

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        for signum, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(group, signum)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        self.process = None


def _settings(env: dict) -> dict:
    code = (
        "import json; from demo.config import settings; s = settings(); "
        "print(json.dumps({k: int(s[k]) for k in ('SERVER_WORKERS', 'SERVER_THREADS')}))"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _run_locust(args, port: int, samples: Path, folder: Path) -> tuple[int, str]:
    env = {
        **os.environ,
        "TURMA_SENHA": PASSWORD,
        "TURMA_CONTAS": str(args.usuarios),
        "TURMA_PAUSA_MIN": str(args.pausa[0]),
        "TURMA_PAUSA_MAX": str(args.pausa[1]),
        "TURMA_SAIDA": str(samples),
    }
    command = [
        PYTHON,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.usuarios),
        "--spawn-rate",
        str(args.chegada),
        "--run-time",
        f"{args.duracao}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log = folder / "locust.log"
    with open(log, "wb") as out:
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return result.returncode, log.read_text("utf-8", "replace")


class _CpuMeter:
    """CPU seconds used by the server's processes, by locust and by the whole machine."""

    def __init__(self, server_pid: int):
        import psutil  # a dependency of locust

        self.psutil = psutil
        self.server = psutil.Process(server_pid)
        self.started = time.monotonic()
        self.server_start = self._server_cpu()
        self.postgres_start = self._postgres_cpu()
        self.children_start = self._children_cpu()
        self.machine_start = psutil.cpu_times()
        self.load_start = os.getloadavg()

    def _server_cpu(self) -> float:
        total = 0.0
        for process in [self.server, *self.server.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except self.psutil.Error:
                pass
        return total

    def _postgres_cpu(self) -> dict[int, float]:
        """CPU of each local PostgreSQL process (the portal's backends among them)."""
        found = {}
        for process in self.psutil.process_iter(["name", "cpu_times"]):
            times = process.info["cpu_times"]
            if process.info["name"] and process.info["name"].startswith("postgres") and times:
                found[process.pid] = times.user + times.system
        return found

    @staticmethod
    def _children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def stop(self) -> dict:
        psutil = self.psutil
        elapsed = time.monotonic() - self.started
        machine = psutil.cpu_times()
        busy = sum(
            getattr(machine, f) - getattr(self.machine_start, f)
            for f in machine._fields
            # guest time is already in user; steal is time the hypervisor gave elsewhere.
            if f not in ("idle", "iowait", "steal", "guest", "guest_nice")
        )
        postgres_now = self._postgres_cpu()
        postgres = sum(
            seconds - self.postgres_start.get(pid, 0.0) for pid, seconds in postgres_now.items()
        )
        return {
            "elapsed": elapsed,
            "postgres": postgres,
            "server": self._server_cpu() - self.server_start,
            "locust": self._children_cpu() - self.children_start,
            "machine": busy,
            "cores": psutil.cpu_count(),
            "load": os.getloadavg(),
            "load_start": self.load_start,
        }


def _server_times(log: Path) -> dict[str, list[int]]:
    """Per step, the times (ms) gunicorn logged for each request."""
    compiled = [(m, re.compile(p), name) for m, p, name in SERVER_STEPS]
    times: dict[str, list[int]] = defaultdict(list)
    for line in log.read_text("utf-8", "replace").splitlines():
        match = ACCESS_LINE.match(line)
        if not match:
            continue
        for method, pattern, name in compiled:
            if match["method"] == method and pattern.fullmatch(match["path"]):
                times[name].append(int(match["ms"]))
                break
    return times


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _report(data: dict, server_times: dict, usage: dict, args) -> int:
    by_step: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    for name, ms, is_failure, _start in data["amostras"]:
        by_step[name].append(ms)
        failed[name] += bool(is_failure)
    # The chapter's order (importing the locustfile would monkey-patch this process).
    order = list(dict.fromkeys(name for _method, _path, name in SERVER_STEPS))
    names = [s for s in order if s in by_step] + sorted(set(by_step) - set(order))
    header = (
        f"{'Passo':<31} {'Pedidos':>8} {'Falhas':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'máx ms':>8} │ {'servidor p95':>12}"
    )
    print("\nTempos medidos pelo locust (do pedido ao último byte da resposta):\n")
    print(header)
    print("─" * len(header))
    all_times: list[float] = []
    misses: list[str] = []
    for name in names:
        values = by_step[name]
        all_times += values
        p95 = _percentile(values, 95)
        server = server_times.get(name)
        server_p95 = _dec(_percentile(server, 95), 0) if server else "—"
        print(
            f"{name:<31} {len(values):>8} {failed[name]:>7} {_dec(_percentile(values, 50), 0):>8} "
            f"{_dec(p95, 0):>8} {_dec(_percentile(values, 99), 0):>8} {_dec(max(values), 0):>8} │ "
            f"{server_p95:>12}"
        )
        target = TARGET_LOGIN_MS if name == LOGIN_STEP else TARGET_PAGE_MS
        if p95 >= target:
            misses.append(f"{name}: p95 {_dec(p95, 0)} ms (meta < {target} ms)")
    errors = sum(failed.values())
    print("─" * len(header))
    print(
        f"{'Total':<31} {len(all_times):>8} {errors:>7} {_dec(_percentile(all_times, 50), 0):>8} "
        f"{_dec(_percentile(all_times, 95), 0):>8} {_dec(_percentile(all_times, 99), 0):>8} "
        f"{_dec(max(all_times), 0):>8} │"
    )
    starts = [s[3] for s in data["amostras"]]
    span = max(starts) - min(starts) if len(starts) > 1 else 1
    print(
        f"\n{len(all_times)} pedidos em {_dec(span, 0)} s: {_dec(len(all_times) / span, 1)} "
        "pedidos/s. “servidor p95”: o tempo que o próprio gunicorn registrou (sem a fila do "
        "locust)."
    )
    # Over time: a burst of work elsewhere on the machine shows as one bad interval.
    windows: dict[int, list[float]] = defaultdict(list)
    for _name, ms, _failed, start in data["amostras"]:
        windows[int((start - min(starts)) // 15)].append(ms)
    print("p95 de todos os passos, por intervalo de 15 s desde a chegada do primeiro:")
    print(
        "  "
        + "  ".join(
            f"{index * 15}s: {_dec(_percentile(values, 95), 0)}"
            for index, values in sorted(windows.items())
        )
    )
    if data["falhas"]:
        print("\nFalhas por passo (os motivos mais frequentes):")
        for name, reasons in data["falhas"].items():
            for reason, count in sorted(reasons.items(), key=lambda r: -r[1])[:5]:
                print(f"  {name}: {count} × {reason}")

    cores = usage["cores"]
    elapsed = usage["elapsed"]
    other = max(0.0, usage["machine"] - usage["server"] - usage["locust"] - usage["postgres"])
    print(
        f"\nCPU durante o teste ({_dec(elapsed, 0)} s × {cores} núcleos = "
        f"{_dec(elapsed * cores, 0)} s de CPU disponíveis):"
    )
    for label, seconds in (
        ("servidor (gunicorn e segundo plano)", usage["server"]),
        ("locust (o gerador de carga, na mesma máquina)", usage["locust"]),
        *([("PostgreSQL (processos locais)", usage["postgres"])] if usage["postgres"] else []),
        ("outros processos da máquina", other),
    ):
        print(
            f"  {label:<47} {_dec(seconds, 1):>7} s  "
            f"({_dec(100 * seconds / (elapsed * cores), 0)}% da máquina)"
        )
    print(
        f"  carga média (1 min) no início e no fim: {_dec(usage['load_start'][0], 2)} → "
        f"{_dec(usage['load'][0], 2)}"
    )
    if other > 0.1 * elapsed * cores:
        print(
            "  Atenção: outros processos usaram a máquina durante o teste; os tempos acima são "
            "piores do que numa máquina livre. Repita com a máquina ociosa."
        )

    print("\nMetas:")
    print(f"  zero erros: {'cumprida' if errors == 0 else f'NÃO cumprida ({errors} falhas)'}")
    print(
        f"  p95 < {TARGET_PAGE_MS} ms em toda página e < {TARGET_LOGIN_MS} ms em “Entrar”: "
        + ("cumprida" if not misses else "NÃO cumprida")
    )
    for miss in misses:
        print(f"    {miss}")
    return errors


def _start_profiler(args, server_pid: int, folder: Path) -> subprocess.Popen:
    """py-spy on the server and its workers, from the end of the arrival to the end."""
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not binary:
        sys.exit("Erro: --perfil precisa do py-spy (pip install py-spy; ou defina PY_SPY).")
    arrival = math.ceil(args.usuarios / args.chegada) + 5
    duration = max(10, args.duracao - arrival - 5)
    command = (
        f"sleep {arrival} && exec {binary} record --pid {server_pid} --subprocesses --idle "
        f"--nonblocking --rate 50 --format raw --duration {duration} -o {folder / 'perfil.txt'}"
    )
    return subprocess.Popen(
        ["sh", "-c", command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


#: What a request thread is doing, by the first matching frame of its stack (py-spy raw).
PROFILE_ACTIVITIES = [
    ("espera a vez de gravar (BEGIN IMMEDIATE)", "_on_begin (demo/database.py"),
    ("espera uma conexão do pool", "QueuePool._do_get"),
    ("argon2 (senha)", "argon2"),
    ("commit", "Session.commit"),
    ("fluxo BPMN (SpiffWorkflow)", "(demo/services/workflow.py"),
    ("montar e-mails", "(demo/services/mail.py"),
    ("templates (Jinja)", "render_template"),
    ("SQL", "do_execute"),
]


def _profile_report(path: Path) -> None:
    """Per view, the share of wall time of the request threads by activity."""
    if not path.exists():
        print("\nPerfil: o py-spy não gravou nada (permissão de ptrace?).")
        return
    views: dict[str, int] = defaultdict(int)
    activities: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    total = 0
    for line in path.read_text("utf-8", "replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if "handle_request (gunicorn/workers/gthread.py" not in stack or not count.isdigit():
            continue  # idle threads, the master, the background process
        frames = stack.split(";")
        view = "antes da tela (_gate: sessão de login)" if "preprocess_request" in stack else "—"
        for index, frame in enumerate(frames):
            if frame.startswith("Flask.dispatch_request"):
                own = [f for f in frames[index + 1 :] if "(demo/" in f and "demo/forms.py" not in f]
                if own:
                    name, _, where = own[0].partition(" (")
                    view = f"{name} ({where.split(':')[0]})"
                break
        samples = int(count)
        total += samples
        views[view] += samples
        activity = next((a for a, needle in PROFILE_ACTIVITIES if needle in stack), "outros")
        activities[view][activity] += samples
    if not total:
        print("\nPerfil: nenhuma amostra de pedido.")
        return
    print("\nPerfil (py-spy, tempo de relógio das threads que atendiam pedidos):")
    for view, samples in sorted(views.items(), key=lambda v: -v[1])[:10]:
        print(f"  {_dec(100 * samples / total, 1):>5}%  {view}")
        for activity, n in sorted(activities[view].items(), key=lambda a: -a[1])[:5]:
            print(f"           {_dec(100 * n / samples, 0):>3}% {activity}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _describe(url: str) -> str:
    if url.startswith("sqlite"):
        return "SQLite (na pasta da instância)"
    return "PostgreSQL " + re.sub(r"//[^@/]*@", "//", url).split("//", 1)[-1]


def _dec(value: float, places: int = 1) -> str:
    """A number with a decimal comma, as Brazilians write it."""
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


if __name__ == "__main__":
    sys.exit(main())
