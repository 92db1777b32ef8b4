"""The guided tour (*Praticar no portal*): the manual's steps, and how far each person got.

The steps are the manual's own: the `passos` extension exports them when the manual is built
(`praticar.json`, served with the manual); the portal only reads that file. The tour in the
browser reports each step reached; the trainer's view of a class reads the reports.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.dialects import postgresql, sqlite

from ..database import writing
from ..extensions import db
from ..models import Classroom, TourProgress, User
from . import clock
from .errors import Invalid

#: Where the manual's build puts the steps, inside its HTML folder.
STEPS_FILE = "_static/praticar.json"
CHAPTER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_STEPS = 500


@dataclass(frozen=True)
class Chapter:
    """A chapter of the manual that has steps to practise."""

    name: str
    title: str
    total: int


def manual_html() -> Path:
    configured = current_app.config.get("MANUAL_DIR")
    return Path(configured or Path(current_app.root_path).parent / "docs" / "_build") / "html"


def chapters() -> list[Chapter]:
    """The chapters of the built manual with steps, in the manual's order ([] if not built)."""
    path = manual_html() / STEPS_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return []
    return list(_chapters(str(path), stamp))


@lru_cache(maxsize=4)
def _chapters(path: str, _stamp: int) -> tuple[Chapter, ...]:
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        return tuple(
            Chapter(item["documento"], item["titulo"], len(item["passos"]))
            for item in data["capitulos"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return ()


@dataclass(frozen=True)
class Report:
    chapter: str
    step: int
    total: int


def parse_report(data: object) -> Report:
    """Check what the tour sent: {"capitulo": name, "passo": index, "total": steps}."""
    if not isinstance(data, dict):
        raise Invalid("Envie um objeto JSON com capitulo, passo e total.")
    chapter = data.get("capitulo")
    step, total = data.get("passo"), data.get("total")
    if not isinstance(chapter, str) or not CHAPTER.match(chapter):
        raise Invalid("Capítulo inválido.", "capitulo")
    if not isinstance(total, int) or isinstance(total, bool) or not 0 < total <= MAX_STEPS:
        raise Invalid(f"Total de passos inválido (de 1 a {MAX_STEPS}).", "total")
    if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step <= total:
        raise Invalid("Passo inválido.", "passo")
    return Report(chapter, step, total)


def record(user: User, report: Report) -> None:
    """Note the step this user reached in a chapter (one row per user and chapter).

    One statement, an upsert: a class reporting together never collides on the row.
    """
    moment = clock.now()
    values = {
        "user_id": user.id,
        "chapter": report.chapter,
        "step": report.step,
        "done": report.step,
        "total": report.total,
        "started_at": moment,
        "step_since": moment,
        "updated_at": moment,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TourProgress).values(values)
    table = TourProgress.__table__
    moved = table.c.step != statement.excluded.step
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "chapter"],
        set_={
            "step": statement.excluded.step,
            "total": statement.excluded.total,
            "done": _greatest(table.c.done, statement.excluded.step),
            # "stuck since" restarts only when the person reached another step
            "step_since": case((moved, statement.excluded.step_since), else_=table.c.step_since),
            "updated_at": statement.excluded.updated_at,
        },
    )
    with writing():
        db.session.execute(statement)


def _greatest(a, b):
    return case((a > b, a), else_=b)


@dataclass(frozen=True)
class Cell:
    """One trainee in one chapter."""

    done: int
    step: int
    total: int
    stuck_for: timedelta | None  # None once the chapter is finished
    updated_at: datetime

    @property
    def finished(self) -> bool:
        return self.step >= self.total


@dataclass(frozen=True)
class Row:
    name: str
    email: str
    cells: dict[str, Cell]


def class_progress(classroom: Classroom) -> tuple[list[Chapter], list[Row]]:
    """Every trainee of a class, per chapter: steps done, current step, stuck for how long."""
    moment = clock.now()
    members = [member.user for member in classroom.members]
    found: dict[int, dict[str, Cell]] = {user.id: {} for user in members}
    query = select(TourProgress).where(TourProgress.user_id.in_([u.id for u in members]))
    for item in db.session.scalars(query):
        finished = item.step >= item.total
        found[item.user_id][item.chapter] = Cell(
            item.done,
            item.step,
            item.total,
            None if finished else max(moment - item.step_since, timedelta(0)),
            item.updated_at,
        )
    known = chapters()
    names = {chapter.name for chapter in known}
    extra = sorted({name for cells in found.values() for name in cells} - names)
    shown = known + [Chapter(name, name, 0) for name in extra]
    rows = [Row(user.name, user.email, found[user.id]) for user in members]
    return shown, rows
