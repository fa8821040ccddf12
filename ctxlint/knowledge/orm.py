"""SQLAlchemy and Flask-SQLAlchemy: which calls give instances of a model.

A method called on a model instance runs project code, so the resolver needs to know
that ``Invoice.query.get(id)``, ``db.session.get(Invoice, id)``, ``db.get_or_404(Invoice,
id)`` and each row of ``for inv in Invoice.query.filter_by(...)`` are ``Invoice`` objects.
"""

from __future__ import annotations

from .base import Library, Orm

FLASK_SQLALCHEMY_DB = "flask_sqlalchemy.SQLAlchemy()"
# Flask-SQLAlchemy 2 as imported before Flask 1.0 (``from flask.ext.sqlalchemy import SQLAlchemy``): its models
# are typed like Flask-SQLAlchemy's, but none of its names is context-bound here — ``SQLAlchemy(app)`` bound the
# app, and then queries, ``db.session`` and ``db.engine`` work with no context (checked with Flask 0.12 and
# Flask-SQLAlchemy 2.1; only a ``db.init_app(app)`` one needs a context, which is not told apart)
LEGACY_DB = "flask_sqlalchemy_legacy.SQLAlchemy()"

LIBRARY = Library(
    name="sqlalchemy",
    packages=("sqlalchemy",),
    module_aliases={"sqlalchemy.sql": "sqlalchemy", "sqlalchemy.sql.expression": "sqlalchemy",
                    "sqlalchemy.future": "sqlalchemy", "sqlalchemy.orm.session": "sqlalchemy.orm",
                    "sqlalchemy.ext.declarative": "sqlalchemy.orm"},
    orm=Orm(
        # a project class with one of these among its bases is a model; its query attribute
        model_bases={
            f"{FLASK_SQLALCHEMY_DB}.Model": "query",
            f"{LEGACY_DB}.Model": "query",
            "sqlalchemy.orm.DeclarativeBase": "",
            "sqlalchemy.orm.declarative_base()": "",
        },
        # methods of a query that give a query of the same model
        chain=("filter", "filter_by", "order_by", "limit", "offset", "join", "outerjoin", "options", "where",
               "distinct", "group_by", "having", "select_from", "execution_options", "scalars", "unique",
               "correlate", "params", "enable_eagerloads", "populate_existing", "with_for_update"),
        # methods of a query that give one instance
        one=("get", "first", "one", "one_or_none", "get_or_404", "first_or_404", "one_or_404", "scalar",
             "scalar_one", "scalar_one_or_none"),
        # methods of a query that give a list of instances
        many=("all", "fetchall"),
        # calls whose argument (position) is the model and that give an instance of it
        instance_calls={
            f"{FLASK_SQLALCHEMY_DB}.session.get": 0,
            f"{FLASK_SQLALCHEMY_DB}.get_or_404": 0,
            "sqlalchemy.orm.Session().get": 0,
            "sqlalchemy.orm.scoped_session().get": 0,
        },
        # calls whose argument (position) is the model and that give a query of it
        query_calls={
            "sqlalchemy.select": 0,
            f"{FLASK_SQLALCHEMY_DB}.select": 0,
            f"{FLASK_SQLALCHEMY_DB}.session.query": 0,
            f"{LEGACY_DB}.session.query": 0,
            "sqlalchemy.orm.Session().query": 0,
            "sqlalchemy.orm.scoped_session().query": 0,
        },
        # calls that give the query (argument position) back, run: ``session.scalars(select(X))``
        through_calls={
            f"{FLASK_SQLALCHEMY_DB}.session.scalars": 0,
            f"{FLASK_SQLALCHEMY_DB}.session.execute": 0,
            f"{FLASK_SQLALCHEMY_DB}.session.scalar": 0,
            "sqlalchemy.orm.Session().scalars": 0,
            "sqlalchemy.orm.Session().execute": 0,
        },
        # checked with Flask 3 and Flask-SQLAlchemy 3.1: a query made in a view from db.session (or Model.query)
        # and run in a streamed generator or a thread raises "Working outside of application context"
        bound_queries={f"{FLASK_SQLALCHEMY_DB}.session.query": f"{FLASK_SQLALCHEMY_DB}.session"},
        # calls that give one instance of the query passed (argument position)
        first_calls={
            f"{FLASK_SQLALCHEMY_DB}.first_or_404": 0,
            f"{FLASK_SQLALCHEMY_DB}.one_or_404": 0,
            f"{FLASK_SQLALCHEMY_DB}.session.scalar": 0,
            "sqlalchemy.orm.Session().scalar": 0,
        },
    ),
)
