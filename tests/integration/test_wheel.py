"""The built wheel carries templates, content and migrations, and serves pages when installed.

Builds the wheel, installs it (without dependencies, which come from this virtualenv) into a
fresh virtualenv, and runs a script there, outside the checkout, that creates the database,
loads the shipped content and renders the framework page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import re, sys
    import insights_lms
    from insights_lms import create_app, resources
    from insights_lms.content.loader import load_content_dirs
    from insights_lms.demo import build_demo
    from insights_lms.state import get_state
    from insights_lms.migrations_util import upgrade_to_head

    assert "site-packages" in insights_lms.__file__, insights_lms.__file__
    assert "_content" in str(resources.templates_dir()), resources.templates_dir()
    app = create_app({"INSIGHTS_ENV": "testing", "INSIGHTS_SECRET_KEY": "x" * 40,
                      "INSIGHTS_DATABASE_URL": "sqlite:///" + sys.argv[1],
                      "INSTANCE_PATH": sys.argv[2]})
    with app.app_context():
        upgrade_to_head()
        session = get_state().db.session
        load_content_dirs(session, resources.competencies_dir(), resources.modules_dir())
        build_demo(session)
        session.commit()
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"email": "coach1@example.org", "password": "insights-demo",
                                "csrf_token": token})
    html = client.get("/framework/insights-school-leadership/").text
    assert "L2.3 Inclusion and SEND" in html, html[:500]
    with client.get("/assets/lms.css") as css:
        assert css.status_code == 200
    print("WHEEL-OK", insights_lms.__file__)
    """
)


@pytest.mark.slow
def test_wheel_installs_and_renders_pages(tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("packaging does not depend on the database: checked in the SQLite run")
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("insights_lms-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "insights_lms/_content/templates/lms/base.html",
        "insights_lms/_content/competencies/insights-school-leadership.yaml",
        "insights_lms/_content/modules/insights-programme.yaml",
        "insights_lms/migrations/env.py",
        "insights_lms/migrations/versions/0001_initial_schema.py",
        "insights_lms/static/lms.css",
    ):
        assert expected in names

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Dependencies come from this virtualenv's site-packages, appended after the new one's,
    # so `import insights_lms` finds the wheel, never the checkout.
    new_site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (new_site / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSIGHTS_", "PYTHON"))}
    result = subprocess.run(
        [python, "-c", SCRIPT, str(work / "wheel.db"), str(work / "instance")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WHEEL-OK" in result.stdout
    assert str(target) in result.stdout
