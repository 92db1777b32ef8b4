"""Login, logout and password change; registered once per site."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..forms import csrf_checked_by_form, safe_next
from ..services import accounts, clock
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
            next_url = safe_next(request.args.get("next"))
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


@bp.post("/renovar-sessao")
def renovar_sessao():
    """Continuar conectado (the warning before the session ends): a use of the session.

    Asked by a script (demo/static/sessao.js) with the page's CSRF token in a header; the
    answer is how many seconds the session now has left.
    """
    ends = accounts.extend_session(current_user.get_id(), current_site().key)
    left = max(0, int((ends - clock.now()).total_seconds())) if ends else 0
    return jsonify(restante=left)


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
