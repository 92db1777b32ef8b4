"""The portal starts, migrates, and answers in Portuguese."""


def test_login_page_in_portuguese(client):
    response = client.get("/entrar")
    assert response.status_code == 200
    assert 'lang="pt-BR"' in response.text
    assert "Entrar" in response.text


def test_root_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/entrar" in response.headers["Location"]


def test_demo_requester_logs_in(browser):
    response = browser.login("maria.souza@agro.gov.br", "solicitante-demo", follow_redirects=True)
    assert "Olá, Maria Souza" in response.text
