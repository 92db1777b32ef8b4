"""Home of the support site."""

from flask import Blueprint, render_template

bp = Blueprint("suporte", __name__, template_folder="templates")


@bp.get("/")
def inicio():
    return render_template("suporte/inicio.html")
