"""The outbox page: for those who run classes (every e-mail, in demo mode) and the gestor
(the e-mails that could not be delivered). Everyone else gets 404.
"""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..services import delivery, mail

bp = Blueprint("caixa", __name__, template_folder="templates")


@bp.before_request
def _trainers_only():
    if not delivery.may_read_outbox(current_user):
        abort(404)


@bp.get("/")
def lista():
    return render_template(
        "caixa/lista.html",
        messages=delivery.outbox(),
        with_bodies=delivery.may_read_bodies(),
    )


@bp.get("/<int(max=2147483647):message_id>")
def mensagem(message_id: int):
    row = delivery.readable(message_id)
    return render_template(
        "caixa/mensagem.html", row=row, text=mail.text_of(mail.parse(row.message))
    )
