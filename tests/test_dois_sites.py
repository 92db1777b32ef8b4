"""Two sites, one account: the support site at / and the mapa site at /mapa."""

from __future__ import annotations

from sqlalchemy import select

from demo.config import read_toml
from demo.extensions import db
from demo.models import ServiceRequest, User

MARIA = "maria.souza@agro.gov.br"
CARLOS = "carlos.pereira@gestao.gov.br"
PASSWORD = "solicitante-demo"


def demo_requests(email: str) -> list[dict]:
    """The service requests conf/demo.toml gives a user."""
    return [item for item in read_toml("demo.toml")["solicitacoes"] if item["usuario"] == email]


def request_id(app, protocol: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ServiceRequest.id).where(ServiceRequest.protocol == protocol)
        )


def test_each_site_has_its_own_login_and_cookie(client, browser, mapa):
    response = browser.login(MARIA, PASSWORD)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("sessao_")]
    assert cookie.startswith("sessao_suporte=")
    assert "Path=/;" in cookie

    assert client.get("/").status_code == 200
    response = client.get("/mapa/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mapa/entrar?next=%2Fmapa%2F"
    login_page = client.get(response.headers["Location"])
    assert "site-mapa" in login_page.text
    assert "Interface de atendimento dos serviços públicos" in login_page.text

    response = mapa.login(MARIA, PASSWORD, query_string={"next": "/mapa/"})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("sessao_")]
    assert cookie.startswith("sessao_mapa=")
    assert "Path=/mapa;" in cookie
    assert response.headers["Location"] == "/mapa/"
    assert client.get_cookie("sessao_suporte", path="/") is not None
    assert client.get_cookie("sessao_mapa", path="/mapa") is not None

    # Leaving one site leaves the other one logged in.
    assert mapa.logout().headers["Location"] == "/mapa/entrar"
    assert client.get("/mapa/").status_code == 302
    assert client.get("/").status_code == 200


def test_minha_area_lists_the_users_own_requests(app, client, mapa):
    mine, others = demo_requests(MARIA), demo_requests(CARLOS)
    assert mine and others
    mapa.login(MARIA, PASSWORD)
    page = client.get("/mapa/")
    assert page.status_code == 200
    assert "<h1>Minha área</h1>" in page.text
    for item in mine:
        assert item["protocolo"] in page.text
        assert item["servico"] in page.text
        assert item["situacao"] in page.text
        link = f'href="/mapa/solicitacoes/{request_id(app, item["protocolo"])}"'
        assert link in page.text
    for item in others:
        assert item["protocolo"] not in page.text
        assert item["servico"] not in page.text
    # Newest first, in Brasília time.
    dates = sorted(mine, key=lambda item: item["aberta_em"], reverse=True)
    positions = [page.text.index(item["protocolo"]) for item in dates]
    assert positions == sorted(positions)
    assert "03/11/2026 10:20" in page.text  # 2026-11-03T13:20Z


def test_a_request_of_someone_else_is_not_found(app, client, mapa):
    mapa.login(MARIA, PASSWORD)
    own = demo_requests(MARIA)[0]
    page = client.get(f"/mapa/solicitacoes/{request_id(app, own['protocolo'])}")
    assert page.status_code == 200
    assert own["servico"] in page.text

    other = demo_requests(CARLOS)[0]
    for url in (
        f"/mapa/solicitacoes/{request_id(app, other['protocolo'])}",
        "/mapa/solicitacoes/999",
        "/mapa/solicitacoes/2147483648",  # past PostgreSQL's INTEGER
        "/mapa/solicitacoes/99999999999999999999",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Página não encontrada" in response.text
        assert other["protocolo"] not in response.text


def test_a_user_without_requests_sees_an_empty_area(app, client, mapa):
    with app.app_context():
        users = db.session.scalars(select(User.email)).all()
    owners = {item["usuario"] for item in read_toml("demo.toml")["solicitacoes"]}
    assert "joao.lima@suporte.gov.br" in set(users) - owners
    mapa.login("joao.lima@suporte.gov.br", "atendente-demo")
    page = client.get("/mapa/")
    assert "Você ainda não tem solicitações neste site." in page.text
