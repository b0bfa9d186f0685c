"""One transaction around one piece of work: nothing is written unless `commit()` is called.

    with UnitOfWork() as uow:
        uow.requests.add(request)
        uow.commit()
"""
from __future__ import annotations

from typing import Callable, Optional

from sqlalchemy.orm import Session

from tracking import config
from tracking.repository import RequestRepository


class UnitOfWork:
    """Reusable: each `with` block opens its own session and transaction."""

    requests: RequestRepository
    session: Session

    def __init__(self, session_factory: Optional[Callable[[], Session]] = None, *, url: Optional[str] = None) -> None:
        # The database is chosen when the block starts, not here: configuration is read lazily.
        self._session_factory = session_factory
        self._url = url

    def __enter__(self) -> "UnitOfWork":
        factory = self._session_factory or config.session_factory(self._url)
        self.session = factory()
        self.session.begin()
        self.requests = RequestRepository(self.session)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.rollback()  # after commit() there is nothing left to roll back
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
