"""Login, logout and password change; registered once per site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..forms import csrf_checked_by_form
from ..services import accounts
from ..services.errors import ServiceError
from ..sites import current_site
from .forms import ChangePasswordForm, LoginForm, LogoutForm

bp = Blueprint("contas", __name__, template_folder="templates")


@bp.route("/entrar", methods=["GET", "POST"])
@csrf_checked_by_form
def entrar():
    site = current_site()
    if current_user.is_authenticated:
        return redirect(url_for(site.home))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = accounts.log_in(form.usuario.data, form.senha.data, site.key, request.remote_addr)
        if result.user is None:
            form.senha.errors.append(result.error)
            status = 429 if result.throttled else 200
        else:
            next_url = _safe_next(request.args.get("next"))
            # A new session cookie at login: nothing from before the login carries over.
            session.clear()
            login_user(result.user)
            if result.user.must_change_password:
                flash("Primeiro acesso: escolha uma nova senha para continuar.", "warning")
                return redirect(url_for(f"{site.accounts}.trocar_senha"))
            return redirect(next_url or url_for(site.home))
    return render_template("contas/entrar.html", form=form), status


@bp.post("/sair")
@csrf_checked_by_form
def sair():
    site = current_site()
    if LogoutForm().validate_on_submit():
        accounts.end_session(current_user.get_id())
        logout_user()
        session.clear()
        flash("Você saiu do portal.", "success")
    else:
        flash("Não foi possível sair: recarregue a página e tente novamente.", "danger")
        return redirect(url_for(site.home))
    return redirect(url_for(f"{site.accounts}.entrar"))


@bp.route("/trocar-senha", methods=["GET", "POST"])
@csrf_checked_by_form
def trocar_senha():
    site = current_site()
    form = ChangePasswordForm()
    first_access = current_user.must_change_password
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user,
                form.senha_atual.data,
                form.nova_senha.data,
                form.confirmacao.data,
                request.remote_addr,
            )
        except ServiceError as error:
            getattr(form, error.field or "nova_senha").errors.append(error.message)
        else:
            flash("Senha alterada. A nova senha vale para os dois sites.", "success")
            return redirect(url_for(site.home))
    return render_template("contas/trocar_senha.html", form=form, first_access=first_access)


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this portal."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash ("/\evil" becomes "//evil") and drop tabs and
    # newlines (so "/\t/evil" does too): refuse them outright.
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target
