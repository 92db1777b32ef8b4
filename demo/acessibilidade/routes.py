"""The Acessibilidade page and the high-contrast switch; registered once per site.

The switch is a plain form: it sets a cookie and sends the person back to the page they were
on, which the server then renders with the high-contrast class. It works with scripts off, and
the choice persists across visits and across the two sites (the cookie's path is the root).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..forms import csrf_checked_by_form, safe_next
from ..sites import current_site
from .forms import ContrastForm

bp = Blueprint("acessibilidade", __name__, template_folder="templates")

#: The cookie that remembers the choice, and how long it lasts.
CONTRAST_COOKIE = "contraste"
HIGH = "alto"
ONE_YEAR = 365 * 24 * 60 * 60


def high_contrast() -> bool:
    """Whether this browser asked for high contrast."""
    return request.cookies.get(CONTRAST_COOKIE) == HIGH


@bp.get("/acessibilidade")
def pagina():
    return render_template("acessibilidade/pagina.html")


@bp.post("/acessibilidade/contraste")
@csrf_checked_by_form
def contraste():
    form = ContrastForm()
    back = safe_next(form.voltar.data) or url_for(f"{current_site().accessibility}.pagina")
    response = redirect(back, code=303)
    if not form.validate_on_submit():
        flash(
            "Não foi possível mudar o contraste: recarregue a página e tente novamente.", "danger"
        )
        return response
    if high_contrast():
        response.delete_cookie(CONTRAST_COOKIE, path="/")
    else:
        response.set_cookie(
            CONTRAST_COOKIE,
            HIGH,
            max_age=ONE_YEAR,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def contrast_form() -> ContrastForm:
    """The switch as every page shows it: it comes back to the page it was pressed on."""
    form = ContrastForm(formdata=None)
    form.voltar.data = request.full_path.rstrip("?") if request.query_string else request.path
    return form
