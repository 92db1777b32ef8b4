"""Running the same thing many times at once: the normal case of a classroom."""

from __future__ import annotations

import threading

#: How many at once each write path is run in the concurrency tests.
AT_ONCE = 24


def run_together(count: int, work) -> list:
    """Run work(i) in `count` threads released at the same instant; return results or errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # reported by the caller's assertion
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "execuções travadas"
    return results


def errors_in(results: list) -> list:
    """The exceptions among the results."""
    return [result for result in results if isinstance(result, BaseException)]


def statuses(responses) -> list[int]:
    """The HTTP statuses of responses gathered by run_together, none of them an exception."""
    assert errors_in(responses) == []
    return [response.status_code for response in responses]


def count(app, model, *where) -> int:
    """How many rows of `model` match, read in a context of its own."""
    from sqlalchemy import func, select

    from demo.extensions import db

    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()
