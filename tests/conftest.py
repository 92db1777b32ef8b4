"""Fixtures: an app per test on a fresh database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from apoio_portal import Browser, Outbox, csrf_token, temporary_password_in  # noqa: F401
from flask_migrate import upgrade

from demo import config, create_app
from demo.extensions import db
from demo.services import accounts, demo_data, passwords

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
# Tests never read or write the instance folder of a `make run` on this machine (its address
# settings, its secret key); subprocesses (the manual's build, the CLI) inherit this.
os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="portal-testes-instancia-")
REQUIRE_POSTGRES = os.environ.get("PORTAL_TESTS_REQUIRE_POSTGRES") == "1"


def _worker_database(url: str) -> str:
    """This pytest-xdist worker's own PostgreSQL database, created on first use.

    Every test wipes the schema of the database it uses: two workers on one database would
    wipe each other's tables mid-test. Worker gw0 of `portal_teste` uses `portal_teste_gw0`
    (the role needs CREATEDB); without xdist the database named by TEST_DATABASE_URL is used.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


_WORKER_URLS: dict[str, str] = {}


def postgres_url() -> str:
    """The PostgreSQL database of this test process (see `_worker_database`)."""
    if POSTGRES_URL not in _WORKER_URLS:
        _WORKER_URLS[POSTGRES_URL] = _worker_database(POSTGRES_URL)
    return _WORKER_URLS[POSTGRES_URL]


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """A URL to an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("TEST_DATABASE_URL não definido, mas PostgreSQL é exigido neste ambiente.")
        pytest.skip("PostgreSQL não configurado (defina TEST_DATABASE_URL).")
    url = postgres_url()
    _reset_postgres(url)
    return url


def portal_config(database_url: str, tmp_path: Path, **overrides) -> dict:
    """The configuration of a portal under test: its own database, outbox and uploads."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "chave-de-teste",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_OUTBOX": str(tmp_path / "caixa-de-saida"),
        "MAIL_SERVER": "",
        "DEMO_MODE": True,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path / "anexos"),
        # Many tests move the frozen clock by days: sessions outlive them unless a test of
        # the expiry itself says otherwise.
        "SESSION_IDLE_MINUTES": 60 * 24 * 60,
        "SESSION_MAX_HOURS": 24 * 60,
    }
    config.update(overrides)
    return config


def make_app(database_url: str, tmp_path: Path, **overrides):
    """Create a migrated, seeded app for tests.

    On SQLite, the first portal of this test process with a given conf/ runs the migrations and
    loads the demo data; later ones start from a copy of that file, a tenth of the cost.
    PostgreSQL runs them every time: a CREATE DATABASE … TEMPLATE version of the same saved
    as much there, but failed one test's setup in a full run, for a reason not found; a flaky
    setup costs more than it saves.
    """
    key = _seed_key(database_url, overrides)
    if key in _SEEDED and _restore_seeded(database_url, _SEEDED[key]):
        return create_app(portal_config(database_url, tmp_path, **overrides))
    app = create_app(portal_config(database_url, tmp_path, **overrides))
    with app.app_context():
        upgrade()
        _load_demo_data()
    if key is not None and key not in _SEEDED:
        _SEEDED[key] = _keep_seeded(database_url)
    return app


#: The seeded SQLite database of each conf/ folder, kept by this test process (see make_app).
_SEEDED: dict[str, Path] = {}
_SEEDS_FOLDER = Path(tempfile.mkdtemp(prefix="portal-testes-semente-"))
atexit.register(shutil.rmtree, _SEEDS_FOLDER, ignore_errors=True)


def _seed_key(database_url: str, overrides: dict) -> str | None:
    """What the seeded database depends on; None when it is not kept (see make_app)."""
    if overrides or not database_url.startswith("sqlite"):
        return None
    return str(config.CONF_DIR)


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def _keep_seeded(database_url: str) -> Path:
    """Keep a copy of a freshly seeded SQLite database; return where it is."""
    kept = _SEEDS_FOLDER / f"semente-{len(_SEEDED)}.db"
    source, copy = sqlite3.connect(_sqlite_path(database_url)), sqlite3.connect(kept)
    try:
        source.backup(copy)  # consistent even while the portal's own connection is open
    finally:
        source.close()
        copy.close()
    return kept


def _restore_seeded(database_url: str, kept: Path) -> bool:
    """Make the database at `database_url` a copy of the kept one; False if it is in use."""
    path = _sqlite_path(database_url)
    if path.exists() and path.stat().st_size:
        return False
    shutil.copyfile(kept, path)
    return True


#: Hashes of the demo passwords, computed once per run: scrypt is slow on purpose.
_DEMO_HASHES: dict[str, str] = {}


def _load_demo_data() -> None:
    """Load conf/demo.toml, reusing the demo passwords' hashes from earlier tests."""
    real_hash = passwords.hash_password

    def cached_hash(password: str) -> str:
        if password not in _DEMO_HASHES:
            _DEMO_HASHES[password] = real_hash(password)
        return _DEMO_HASHES[password]

    passwords.hash_password = cached_hash
    try:
        demo_data.load()
    finally:
        passwords.hash_password = real_hash


def dispose(app) -> None:
    """Close an app's database connections (SQLite would warn about unclosed ones)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """A portal on a fresh database with the demo data."""
    app = make_app(database_url, tmp_path)
    yield app
    dispose(app)


@pytest.fixture
def empty_app(database_url: str, tmp_path: Path):
    """A portal on an empty database: no tables, no data."""
    app = create_app(portal_config(database_url, tmp_path))
    yield app
    dispose(app)


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path):
    """Build portals with config overrides, each on a fresh database of the test's kind.

    Do not combine with the `app` fixture: on PostgreSQL a new portal wipes the database.
    """
    apps = []

    def factory(**overrides):
        url = database_url
        if apps and url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'portal-{len(apps)}.db'}"
        elif apps:
            _reset_postgres(url)
        new = make_app(url, tmp_path / f"portal-{len(apps)}", **overrides)
        apps.append(new)
        return new

    yield factory
    for each in apps:
        dispose(each)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def browser(client) -> Browser:
    """The support site, driven through its forms."""
    return Browser(client)


@pytest.fixture
def mapa(client) -> Browser:
    """The mapa site, in the same cookie jar as `browser` (one person, one browser)."""
    return Browser(client, prefix="/mapa")


@pytest.fixture
def outbox(app) -> Outbox:
    return Outbox(app)


NEW_USER = "paula.ramos@agro.gov.br"


@pytest.fixture
def create_account():
    """Create an account as `criar-usuario` does; return its e-mailed temporary password."""

    def create(
        app,
        email: str = NEW_USER,
        name: str = "Paula Ramos",
        orgao: str = "MAPA",
        perfil: str = "solicitante",
    ) -> str:
        with app.app_context():
            accounts.create_user(email, name, orgao, perfil)
        return Outbox(app).temporary_password(email)

    return create


@pytest.fixture
def browser_for():
    """Drive another portal (one from `app_factory`) through its forms: browser_for(app)."""

    def make(app, prefix: str = "") -> Browser:
        return Browser(app.test_client(), prefix)

    return make


@pytest.fixture(scope="session")
def manual_build(tmp_path_factory) -> Path:
    """The manual exactly as `make docs` builds it (HTML, EPUB, one page and its PDF), once.

    Its folder has html/, epub/ and singlehtml/, as docs/_build has: the portal's MANUAL_DIR.
    Once per run, not per pytest-xdist worker: the first worker to need it builds it under a
    lock in the run's shared temporary folder, the others wait and reuse it (or its failure).
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the workers' folders sit side by side in the run's folder
    folder = shared / "manual"
    failure = shared / "manual-falhou.txt"
    with open(shared / "manual.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "pronto").exists() and not failure.exists():
            result = subprocess.run(
                ["make", "--no-print-directory", "docs", f"DOCS_BUILD={folder}"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=900,
            )
            if result.returncode == 0:
                (folder / "pronto").touch()
            else:
                failure.write_text(f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    assert not failure.exists(), f"make docs falhou:\n{failure.read_text()}"
    return folder


@pytest.fixture(scope="module")
def module_portal(tmp_path_factory):
    """Build portals on SQLite that a whole module shares (browser tests that only read):
    module_portal(**config_overrides), each on its own fresh database with the demo data."""
    apps = []

    def factory(**overrides):
        folder = tmp_path_factory.mktemp("portal-do-modulo")
        new = make_app(f"sqlite:///{folder / 'portal.db'}", folder, **overrides)
        apps.append(new)
        return new

    yield factory
    for each in apps:
        dispose(each)
