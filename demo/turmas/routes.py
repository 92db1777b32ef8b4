"""The trainer's screens (Turmas): everything under /turmas/ is the instrutor's; everyone
else gets 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from ..errors import http_status
from ..models import Profile, Ticket
from ..services import classrooms, guide, tickets
from ..services.errors import ServiceError
from ..templating import progress_text
from .forms import ConfirmForm, CreateForm, RoleForm

bp = Blueprint("turmas", __name__, template_folder="templates", static_folder="static")


@bp.before_request
def _trainers_only():
    if current_user.profile != Profile.TRAINER:
        abort(404)
    return None


@bp.get("/")
def lista():
    return _render_list(CreateForm())


def _render_list(form: CreateForm, status: int = 200):
    return (
        render_template(
            "turmas/lista.html",
            form=form,
            found=classrooms.list_all(),
            limit=classrooms.max_trainees(),
        ),
        status,
    )


@bp.post("/")
def criar():
    form = CreateForm()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    try:
        people = None
        upload = form.pessoas.data
        if upload and getattr(upload, "filename", ""):
            people = classrooms.parse_people(upload.read())
        elif form.alunos.data is None:
            raise_missing(form)
        ends_at = classrooms.parse_end(form.termino.data)
        created, _lines = classrooms.create(
            form.nome.data or "", None if people else form.alunos.data, people, ends_at
        )
    except ServiceError as error:
        _show(form, error)
        return _render_list(form, http_status(error))
    flash(f"Turma {created.name} criada. Imprima a ficha e entregue a cada aluno.", "success")
    return redirect(url_for(".turma", nome=created.name))


def raise_missing(form: CreateForm) -> None:
    from ..services.errors import Invalid

    raise Invalid("Informe o número de alunos ou envie a lista de pessoas (CSV).", "alunos")


#: Which field of the form shows a refusal about each service field.
_FIELDS = {"nome": "nome", "alunos": "alunos", "arquivo": "pessoas", "termino": "termino"}


def _show(form, error: ServiceError) -> None:
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, _FIELDS.get(problem.field or "", ""), None) or form.nome
        field.errors = [*field.errors, problem.message] if field.errors else [problem.message]


@bp.get("/<nome>")
def turma(nome: str):
    classroom = classrooms.get(nome)
    return _render_class(classroom)


def _render_class(classroom, status: int = 200):
    role_form = RoleForm()
    role_form.papel.choices = classrooms.roles()
    class_tickets = tickets.visible(current_user).where(
        Ticket.organization_id == classroom.organization_id
    )
    return (
        render_template(
            "turmas/turma.html",
            classroom=classroom,
            lines=classrooms.sheet(classroom),
            roles=classrooms.roles(),
            role_of={m.user.email: classrooms.role_of(m.user) for m in classroom.members},
            rows=[tickets.summary(t) for t in tickets_of(class_tickets)],
            form=role_form,
            confirm=ConfirmForm(),
        ),
        status,
    )


def tickets_of(query):
    from ..extensions import db

    return list(db.session.scalars(query.order_by(Ticket.due_at, Ticket.id)))


@bp.post("/<nome>/papel")
def papel(nome: str):
    form = RoleForm()
    form.papel.choices = classrooms.roles()
    if form.validate_on_submit():
        try:
            user = classrooms.set_role(nome, form.usuario.data, form.papel.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(f"{user.name} agora é {dict(classrooms.roles())[form.papel.data]}.", "success")
    else:
        flash("Escolha um papel da lista.", "danger")
    return redirect(url_for(".turma", nome=nome))


def _confirmed(nome: str) -> bool:
    form = ConfirmForm()
    typed = (form.confirmacao.data or "").strip().lower()
    if not form.validate_on_submit() or typed != nome.strip().lower():
        flash("Digite o nome da turma exatamente como ele aparece para confirmar.", "danger")
        return False
    return True


@bp.post("/<nome>/reiniciar")
def reiniciar(nome: str):
    classroom = classrooms.get(nome)
    if _confirmed(classroom.name):
        classrooms.reset(classroom.name)
        flash(
            f"Turma {classroom.name} reiniciada: os alunos voltaram ao primeiro acesso com novas "
            "senhas. Imprima a nova ficha.",
            "success",
        )
    return redirect(url_for(".turma", nome=classroom.name))


@bp.post("/<nome>/remover")
def remover(nome: str):
    classroom = classrooms.get(nome)
    if not _confirmed(classroom.name):
        return redirect(url_for(".turma", nome=classroom.name))
    removed = classrooms.remove(classroom.name)
    flash(f"Turma {removed} removida, com as contas e os chamados dela.", "success")
    return redirect(url_for(".lista"))


@bp.get("/<nome>/ficha")
def ficha(nome: str):
    classroom = classrooms.get(nome)
    return render_template(
        "turmas/ficha.html",
        classroom=classroom,
        lines=classrooms.sheet(classroom),
        address=current_app.config["SUPPORT_SITE_URL"],
    )


@bp.get("/<nome>/ficha.csv")
def ficha_csv(nome: str):
    classroom = classrooms.get(nome)
    body = classrooms.sheet_csv(classrooms.sheet(classroom))
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ficha-{classroom.name}.csv"'},
    )


@bp.get("/<nome>/progresso")
def progresso(nome: str):
    classroom = classrooms.get(nome)
    shown, rows = guide.class_progress(classroom)
    return render_template("turmas/progresso.html", classroom=classroom, chapters=shown, rows=rows)


@bp.get("/<nome>/progresso.json")
def progresso_json(nome: str):
    classroom = classrooms.get(nome)
    shown, rows = guide.class_progress(classroom)
    return jsonify(
        {
            "turma": classroom.name,
            "capitulos": [{"nome": c.name, "titulo": c.title, "total": c.total} for c in shown],
            "alunos": [
                {
                    "usuario": row.email,
                    "nome": row.name,
                    "capitulos": {
                        name: {
                            "feitos": cell.done,
                            "passo": cell.step,
                            "total": cell.total,
                            "concluido": cell.finished,
                            "texto": progress_text(cell),
                        }
                        for name, cell in row.cells.items()
                    },
                }
                for row in rows
            ],
        }
    )
