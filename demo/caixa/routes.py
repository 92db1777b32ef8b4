"""List and read the e-mails written to the outbox folder."""

from flask import Blueprint, abort, current_app, render_template

from ..services import mail

bp = Blueprint("caixa", __name__, template_folder="templates")


@bp.before_request
def _only_in_demo_mode():
    if not current_app.config.get("DEMO_MODE"):
        abort(404)


@bp.get("/")
def lista():
    messages = mail.outbox_messages(current_app.config["MAIL_OUTBOX"])
    return render_template("caixa/lista.html", messages=messages)


@bp.get("/<message_id>")
def mensagem(message_id: str):
    message = mail.outbox_message(current_app.config["MAIL_OUTBOX"], message_id)
    if message is None:
        abort(404)
    return render_template("caixa/mensagem.html", message=message)
