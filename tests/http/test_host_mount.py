"""Insights LMS mounted as a plugin at /learning in a host app with its own Flask-SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from insights_lms import ConfigError, InsightsLMS
from tests.conftest import TEST_SECRET, login


def make_host(database_url: str, instance: Path) -> tuple[Flask, SQLAlchemy, type]:
    """A host LMS with its own models, routes and Flask-SQLAlchemy instance."""

    class HostBase(DeclarativeBase):
        pass

    host_db = SQLAlchemy(model_class=HostBase)

    class Course(host_db.Model):  # type: ignore[name-defined]
        __tablename__ = "host_course"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]

    app = Flask("host_lms", instance_path=str(instance))
    app.config.update(
        SECRET_KEY=TEST_SECRET,
        SQLALCHEMY_DATABASE_URI=database_url,
        INSIGHTS_ENV="testing",
        INSIGHTS_TIME_ZONE="Europe/London",
    )
    host_db.init_app(app)

    @app.get("/")
    def host_home() -> str:
        return "Host LMS home: " + ", ".join(
            c.title for c in host_db.session.scalars(sa.select(Course))
        )

    InsightsLMS(app, url_prefix="/learning")
    return app, host_db, Course


@pytest.fixture
def host(database_url, _schema, tmp_path, app):
    # `app` is requested so that the standard fixture empties the LMS tables afterwards.
    host_app, host_db, course = make_host(database_url, tmp_path / "host-instance")
    with host_app.app_context():
        course.__table__.create(host_db.engine, checkfirst=True)
        host_db.session.add(course(title="Safeguarding refresher"))
        host_db.session.commit()
    yield host_app
    with host_app.app_context():
        host_db.session.remove()
        course.__table__.drop(host_db.engine)
        host_db.engine.dispose()


def test_plugin_uses_the_hosts_database_session(host):
    with host.app_context():
        state = host.extensions["insights_lms"]
        assert state.db is host.extensions["sqlalchemy"]
        assert state.url_prefix == "/learning"


def test_sign_in_and_browse_under_the_prefix(host):
    runner = host.test_cli_runner()
    result = runner.invoke(args=["lms", "load-content"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["lms", "demo-data"])
    assert result.exit_code == 0, result.output

    client = host.test_client()
    assert client.get("/learning/").location.startswith("/learning/login")
    home = login(client, "participant1@example.org", prefix="/learning")
    assert home.request.path == "/learning/"
    assert "Your programme: Insights" in home.text
    assert 'href="/learning/assets/lms.css"' in home.text
    assert 'href="/learning/framework/"' in home.text
    assert 'href="/learning/programmes/insights-2026/modules/M0"' in home.text

    framework = client.get("/learning/framework/", follow_redirects=True)
    assert framework.request.path == "/learning/framework/insights-school-leadership/"
    assert "L2.3 Inclusion and SEND" in framework.text
    assert client.get("/learning/programmes/insights-2026/modules/M1").status_code == 200
    assert client.get("/learning/healthz").get_json() == {"status": "ok", "database": "ok"}
    # The host's own pages and data are untouched.
    assert client.get("/").text == "Host LMS home: Safeguarding refresher"


def test_lms_init_in_a_host_creates_only_lms_tables(tmp_path, db_backend, pg_server):
    if db_backend == "postgresql":
        url = pg_server.create_database(f"host_{tmp_path.name[-12:].lower().replace('-', '_')}")
    else:
        url = f"sqlite:///{tmp_path / 'host.db'}"
    host_app, host_db, course = make_host(url, tmp_path / "instance")
    with host_app.app_context():
        course.__table__.create(host_db.engine)
    result = host_app.test_cli_runner().invoke(args=["lms", "init"])
    assert result.exit_code == 0, result.output
    with host_app.app_context():
        tables = set(sa.inspect(host_db.engine).get_table_names())
        host_db.engine.dispose()
    assert "host_course" in tables
    assert "lms_alembic_version" in tables and "alembic_version" not in tables
    assert {t for t in tables if not t.startswith("lms_")} == {"host_course"}


def test_host_with_its_own_login_manager_is_told_clearly(tmp_path):
    from flask_login import LoginManager

    app = Flask("other_host")
    app.config.update(SECRET_KEY=TEST_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    LoginManager(app)
    with pytest.raises(ConfigError, match="already has a Flask-Login LoginManager"):
        InsightsLMS(app, url_prefix="/learning")


def test_extension_can_be_initialised_later_and_on_several_apps(tmp_path):
    lms = InsightsLMS(url_prefix="/lms")
    apps = []
    for name in ("one", "two"):
        app = Flask(name)
        app.config.update(
            SECRET_KEY=TEST_SECRET, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / name}.db"
        )
        lms.init_app(app)
        apps.append(app)
    assert all(a.extensions["insights_lms"].url_prefix == "/lms" for a in apps)
    assert not hasattr(lms, "app")
    assert apps[0].test_client().get("/lms/login").status_code == 200
