"""First access: the e-mailed temporary password only lets the user choose a new one."""

from __future__ import annotations

from datetime import timedelta

from demo.auth import FIRST_ACCESS_VIEWS, PUBLIC_BLUEPRINTS, PUBLIC_VIEWS, SELF_AUTHENTICATED
from demo.services import accounts, clock
from demo.sites import MAPA, site_for_path

NEW = "paula.ramos@agro.gov.br"
NEW_PASSWORD = "um cavalo azul no pasto"


def user_state(app, email: str = NEW) -> tuple:
    with app.app_context():
        user = accounts.find_user(email)
        return user.password_hash, user.temp_password_hash, user.temp_password_expires_at


def pages_behind_login(app) -> list[str]:
    """A URL for every GET page of the portal that needs a login (dummy values for arguments)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            blueprint, _, view = rule.endpoint.rpartition(".")
            if "GET" not in rule.methods or view in PUBLIC_VIEWS | FIRST_ACCESS_VIEWS:
                continue
            if blueprint in PUBLIC_BLUEPRINTS | SELF_AUTHENTICATED:
                continue  # the API asks for its token, never for a login
            values = {
                name: 1 if type(converter).__name__ == "IntegerConverter" else "x"
                for name, converter in rule._converters.items()
            }
            urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def test_the_temporary_password_only_opens_trocar_senha(app, client, browser, mapa, create_account):
    temporary = create_account(app)
    response = browser.login(NEW, temporary)
    assert response.status_code == 302
    assert response.headers["Location"] == "/trocar-senha"

    page = client.get("/trocar-senha")
    assert page.status_code == 200
    assert "Primeiro acesso" in page.text
    assert "Primeiro acesso: escolha uma nova senha para continuar." in page.text

    # The gate also holds on the other site, once logged in there.
    assert mapa.login(NEW, temporary).headers["Location"] == "/mapa/trocar-senha"

    urls = pages_behind_login(app)
    assert "/" in urls
    assert "/mapa/" in urls
    assert "/mapa/solicitacoes/1" in urls
    for url in urls:
        response = client.get(url)
        expected = "/mapa/trocar-senha" if site_for_path(url) is MAPA else "/trocar-senha"
        assert response.status_code == 302, url
        assert response.headers["Location"] == expected, url


def test_the_new_password_policy(app, client, browser, create_account):
    temporary = create_account(app)
    browser.login(NEW, temporary)
    before = user_state(app)
    too_long = "x" * 129
    cases = [
        (temporary, "curta12", None, "A nova senha deve ter pelo menos 8 caracteres."),
        (temporary, too_long, None, "A nova senha deve ter no máximo 128 caracteres."),
        (temporary, "12345678", None, "Essa senha é muito comum e fácil de adivinhar."),
        (temporary, "Senha123", None, "Essa senha é muito comum e fácil de adivinhar."),
        (temporary, temporary, None, "não pode ser igual à senha temporária"),
        (temporary, NEW_PASSWORD, "outra coisa", "A confirmação não é igual à nova senha."),
        ("senha-atual-errada", NEW_PASSWORD, None, "A senha atual não confere."),
        (temporary, "", "", "Informe a nova senha."),
        ("", NEW_PASSWORD, None, "Informe a senha atual."),
    ]
    for current, new, confirmation, message in cases:
        response = browser.change_password(current, new, confirmation)
        assert response.status_code == 200, message
        assert message in response.text, message
        assert 'lang="pt-BR"' in response.text
        for typed in {current, new, confirmation} - {"", None}:
            assert typed not in response.text, f"{message}: a senha digitada voltou na página"
        assert user_state(app) == before, message
    assert client.get("/").headers["Location"] == "/trocar-senha"


def test_after_the_change_the_new_password_works_on_both_sites(
    app, client, browser, mapa, create_account
):
    temporary = create_account(app)
    browser.login(NEW, temporary)
    response = browser.change_password(temporary, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Senha alterada. A nova senha vale para os dois sites." in home.text

    password_hash, temp_hash, expires_at = user_state(app)
    assert password_hash.startswith("$argon2id$")
    assert temp_hash is None and expires_at is None

    # The temporary password is refused on both sites, by the form as by a fresh browser.
    for prefix in ("", "/mapa"):
        other = type(browser)(app.test_client(), prefix)
        refused = other.login(NEW, temporary)
        assert refused.status_code == 200
        assert accounts.LOGIN_REFUSED in refused.text

    # The new one opens the mapa site without asking for another change.
    response = mapa.login(NEW, NEW_PASSWORD)
    assert response.headers["Location"] == "/mapa/"
    area = client.get("/mapa/")
    assert area.status_code == 200
    assert "Minha área" in area.text


def test_the_change_on_the_mapa_site_counts_on_the_support_site(app, mapa, create_account):
    temporary = create_account(app)
    assert mapa.login(NEW, temporary).headers["Location"] == "/mapa/trocar-senha"
    assert mapa.change_password(temporary, NEW_PASSWORD).headers["Location"] == "/mapa/"

    support = type(mapa)(app.test_client())
    assert support.login(NEW, NEW_PASSWORD).headers["Location"] == "/"


def test_an_expired_temporary_password_is_refused(app, create_account, browser):
    app.config["FROZEN_TIME"] = "2026-11-30T12:00:00+00:00"
    temporary = create_account(app)
    valid_for = timedelta(hours=app.config["TEMPORARY_PASSWORD_HOURS"])
    with app.app_context():
        created = clock.now()

    app.config["FROZEN_TIME"] = (created + valid_for).isoformat()
    response = browser.login(NEW, temporary)
    assert response.status_code == 200
    assert accounts.TEMPORARY_EXPIRED in response.text
    assert accounts.LOGIN_REFUSED not in response.text
    assert browser.client.get("/").headers["Location"].startswith("/entrar")

    app.config["FROZEN_TIME"] = (created + valid_for - timedelta(seconds=1)).isoformat()
    assert browser.login(NEW, temporary).headers["Location"] == "/trocar-senha"


def test_trocar_senha_at_any_time(app, client, browser, mapa):
    maria, old = "maria.souza@agro.gov.br", "solicitante-demo"
    mapa.login(maria, old)
    browser.login(maria, old)
    page = client.get("/trocar-senha")
    assert page.status_code == 200
    assert "Primeiro acesso" not in page.text

    assert browser.change_password(old, NEW_PASSWORD).headers["Location"] == "/"
    # This session goes on; the one on the other site has ended and the old password is gone.
    assert client.get("/").status_code == 200
    assert client.get("/mapa/").headers["Location"].startswith("/mapa/entrar")
    assert accounts.LOGIN_REFUSED in mapa.login(maria, old).text
    assert mapa.login(maria, NEW_PASSWORD).headers["Location"] == "/mapa/"
