"""Pagination of selects that return rows of several columns (Flask-SQLAlchemy's keeps the first only)."""
from flask_sqlalchemy.pagination import SelectPagination

from ..extensions import db


class RowPagination(SelectPagination):
    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select))


def paginate_rows(select, *, page: int, per_page: int) -> RowPagination:
    return RowPagination(select=select, session=db.session(), page=max(page, 1), per_page=per_page,
                         max_per_page=500, error_out=False)


__all__ = ["RowPagination", "paginate_rows"]
