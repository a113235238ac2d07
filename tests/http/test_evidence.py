"""Evidence through the web: add with files, view, edit, delete/restore, downloads, access."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from insights_lms.audit.models import AuditRecord
from insights_lms.competencies.models import Competency
from insights_lms.evidence.models import Evidence, EvidenceFile
from tests import samples
from tests.conftest import csrf_token, login


@pytest.fixture
def competency_ids(db, demo):
    rows = db.scalars(sa.select(Competency).where(Competency.code.in_(["L1.2", "L2.3"])))
    return sorted(c.id for c in rows)


def add_evidence(client, competency_ids, files=(), **overrides):
    page = client.get("/evidence/new")
    data = {
        "csrf_token": csrf_token(page.text),
        "title": "Staff voice survey",
        "occurred_on": "2026-11-02",
        "narrative": "We asked **all staff** what helps.\n\n- 41 replies\n- 3 themes",
        "competencies": [str(i) for i in competency_ids],
        "module": "",
        "task": "",
        "files": list(files),
        **overrides,
    }
    return client.post("/evidence/new", data=data, content_type="multipart/form-data")


def files_on_disk(app) -> list:
    root = app.extensions["insights_lms"].settings.upload_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_participant_adds_evidence_with_a_pdf_and_an_image(app, client, db, competency_ids):
    login(client, "participant1@example.org")
    response = add_evidence(
        client,
        competency_ids,
        files=[(io.BytesIO(samples.PDF), "plan.pdf"), (io.BytesIO(samples.png()), "wall.png")],
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Saved your evidence" in page.text
    assert "<h1>Staff voice survey</h1>" in page.text
    assert "<strong>all staff</strong>" in page.text and "<li>41 replies</li>" in page.text
    assert "L1.2 " in page.text and "L2.3 " in page.text
    assert "Download plan.pdf" in page.text and "Download wall.png" in page.text
    assert hashlib.sha256(samples.PDF).hexdigest() in page.text
    evidence = db.scalar(sa.select(Evidence))
    assert {f.kind for f in evidence.files} == {"pdf", "image"}
    image = next(f for f in evidence.files if f.kind == "image")
    assert image.thumbnail_key and f"/evidence/files/{image.public_id}/thumbnail" in page.text
    # Stored under generated names, outside the web root, plus one thumbnail.
    names = [p.name for p in files_on_disk(app)]
    assert len(names) == 3 and not any(n.endswith((".pdf", ".png")) for n in names)


def test_downloads_are_attachments_that_browsers_must_not_sniff(client, db, competency_ids):
    login(client, "participant1@example.org")
    add_evidence(client, competency_ids, files=[(io.BytesIO(samples.PDF), "plan.pdf")])
    stored = db.scalar(sa.select(EvidenceFile))
    with client.get(f"/evidence/files/{stored.public_id}") as response:
        assert response.status_code == 200
        assert response.data == samples.PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert "plan.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "application/pdf"


def test_refused_file_is_reported_and_the_rest_is_saved(client, db, competency_ids):
    login(client, "participant1@example.org")
    response = add_evidence(
        client,
        competency_ids,
        files=[(io.BytesIO(samples.EXE), "notes.pdf"), (io.BytesIO(samples.TEXT), "notes.txt")],
    )
    page = client.get(response.location)
    assert "Not added: notes.pdf: not a document, image or text file" in page.text
    evidence = db.scalar(sa.select(Evidence))
    assert [f.original_name for f in evidence.files] == ["notes.txt"]


def test_oversized_file_is_refused_with_a_clear_message(app, client, db, competency_ids):
    state = app.extensions["insights_lms"]
    state.settings = state.settings.model_copy(update={"max_upload_mb": 1})
    login(client, "participant1@example.org")
    big = io.BytesIO(b"a" * (1024 * 1024 + 10))
    response = add_evidence(client, competency_ids, files=[(big, "huge.txt")])
    response.request.environ["wsgi.input"].close()  # the test client's spooled body
    page = client.get(response.location)
    assert "huge.txt: larger than the 1 MB limit" in page.text
    assert db.scalar(sa.select(sa.func.count()).select_from(EvidenceFile)) == 0
    assert files_on_disk(app) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"competencies": []}, "Choose at least one competency"),
        ({"title": ""}, "Give the evidence a title."),
        ({"occurred_on": "2999-01-01"}, "The date cannot be in the future."),
        ({"occurred_on": "not a date"}, "Enter the date as a real date"),
        ({"module": "999999"}, "Not a valid choice"),
    ],
)
def test_bad_input_changes_nothing_and_keeps_what_was_typed(
    app, client, db, competency_ids, overrides, message
):
    login(client, "participant1@example.org")
    response = add_evidence(
        client, competency_ids, files=[(io.BytesIO(samples.PDF), "plan.pdf")], **overrides
    )
    assert response.status_code == 400
    assert message in response.text
    assert "We asked **all staff** what helps." in response.text
    if overrides.get("title", "x"):
        assert 'value="Staff voice survey"' in response.text
    assert db.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
    assert files_on_disk(app) == []


def test_narrative_markdown_is_rendered_safely(client, competency_ids):
    login(client, "participant1@example.org")
    response = add_evidence(
        client,
        competency_ids,
        narrative="<script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org) <img src=x onerror=alert(1)>",
        title="<b>Bold</b> title",
    )
    page = client.get(response.location).text
    assert "<script>" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as the text typed
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert 'href="https://example.org"' in page and 'rel="nofollow noopener noreferrer"' in page


def test_edit_changes_fields_and_removes_a_file_from_storage(app, client, db, competency_ids):
    login(client, "participant1@example.org")
    location = add_evidence(
        client, competency_ids, files=[(io.BytesIO(samples.PDF), "plan.pdf")]
    ).location
    public_id = location.rsplit("/", 1)[-1]
    stored = db.scalar(sa.select(EvidenceFile))
    page = client.get(f"/evidence/{public_id}/edit")
    assert 'value="Staff voice survey"' in page.text and "Remove plan.pdf" in page.text
    response = client.post(
        f"/evidence/{public_id}/edit",
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Staff voice survey (revised)",
            "occurred_on": "2026-11-03",
            "narrative": "Revised.",
            "competencies": [str(competency_ids[0])],
            "module": "",
            "task": "",
            "remove_files": [stored.public_id],
            "files": [(io.BytesIO(samples.TEXT), "summary.txt")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.expire_all()
    evidence = db.scalar(sa.select(Evidence))
    assert evidence.title == "Staff voice survey (revised)"
    assert [c.id for c in evidence.competencies] == [competency_ids[0]]
    assert [f.original_name for f in evidence.files] == ["summary.txt"]
    assert len(files_on_disk(app)) == 1


def test_delete_hides_evidence_and_restore_brings_it_back_with_audit(client, db, competency_ids):
    login(client, "participant1@example.org")
    location = add_evidence(client, competency_ids).location
    public_id = location.rsplit("/", 1)[-1]
    token = csrf_token(client.get(location).text)
    response = client.post(
        f"/evidence/{public_id}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Deleted “Staff voice survey”" in response.text
    assert "Deleted evidence" in response.text and "Restore “Staff voice survey”" in response.text
    assert db.scalar(sa.select(Evidence.is_deleted)) is True
    response = client.post(
        f"/evidence/{public_id}/restore", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Restored “Staff voice survey”" in response.text
    actions = db.scalars(sa.select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions == ["evidence.deleted", "evidence.restored"]


def test_delete_needs_csrf(client, db, competency_ids):
    login(client, "participant1@example.org")
    public_id = add_evidence(client, competency_ids).location.rsplit("/", 1)[-1]
    assert client.post(f"/evidence/{public_id}/delete").status_code == 400
    assert db.scalar(sa.select(Evidence.is_deleted)) is False


def test_another_participant_gets_404_for_every_url(client, db, competency_ids):
    login(client, "participant1@example.org")
    public_id = add_evidence(
        client, competency_ids, files=[(io.BytesIO(samples.png()), "wall.png")]
    ).location.rsplit("/", 1)[-1]
    file_id = db.scalar(sa.select(EvidenceFile.public_id))
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, "participant2@example.org")
    token = csrf_token(client.get("/evidence/new").text)
    for url in (
        f"/evidence/{public_id}",
        f"/evidence/{public_id}/edit",
        f"/evidence/files/{file_id}",
        f"/evidence/files/{file_id}/thumbnail",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/evidence/{public_id}/delete",
        f"/evidence/{public_id}/restore",
        f"/evidence/{public_id}/edit",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert "Staff voice survey" not in client.get("/evidence/").text
    assert db.scalar(sa.select(Evidence.is_deleted)) is False


def test_their_coach_and_facilitator_can_read_but_not_change(client, db, competency_ids):
    login(client, "participant1@example.org")  # coached by coach2
    public_id = add_evidence(
        client, competency_ids, files=[(io.BytesIO(samples.PDF), "plan.pdf")]
    ).location.rsplit("/", 1)[-1]
    file_id = db.scalar(sa.select(EvidenceFile.public_id))
    for email, can_see in (
        ("coach2@example.org", True),
        ("facilitator@example.org", True),
        ("coach1@example.org", False),
    ):
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
        login(client, email)
        assert (client.get(f"/evidence/{public_id}").status_code == 200) is can_see, email
        with client.get(f"/evidence/files/{file_id}") as download:
            assert (download.status_code == 200) is can_see, email
        assert client.get(f"/evidence/{public_id}/edit").status_code == 404


def test_a_crash_while_saving_leaves_no_file_and_no_row(
    app, client, db, competency_ids, monkeypatch
):
    from insights_lms import web

    real = web.session

    class CrashingSession:
        """The request's session, except that the commit fails (the database went away)."""

        def __getattr__(self, name):
            return getattr(real, name)

        def commit(self) -> None:
            real.flush()  # the rows were written in the transaction…
            raise RuntimeError("database connection lost")  # …which never commits

    login(client, "participant1@example.org")
    monkeypatch.setattr(web, "session", CrashingSession())
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="connection lost"):
        add_evidence(client, competency_ids, files=[(io.BytesIO(samples.PDF), "plan.pdf")])
    assert files_on_disk(app) == []
    assert db.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_evidence_pages_need_a_participant_enrolment(client, demo):
    login(client, "coach1@example.org")
    assert client.get("/evidence/new").status_code == 404
    assert "Evidence is for participants" in client.get("/evidence/").text


def test_form_labels_every_field(client, demo):
    login(client, "participant1@example.org")
    html = client.get("/evidence/new").text
    for label in (
        "Title",
        "Date",
        "Narrative",
        "Linked module (optional)",
        "Linked practical task (optional)",
        "Add files",
    ):
        assert re.search(rf"<label for=\"[^\"]+\">{re.escape(label)}</label>", html), label
    assert html.count('type="checkbox" id="competency-') == 10
    assert "<legend>Competencies this evidence shows" in html


def test_a_request_over_the_total_limit_gets_a_clear_page(app, client, db, competency_ids):
    state = app.extensions["insights_lms"]
    state.settings = state.settings.model_copy(update={"max_request_mb": 1})
    login(client, "participant1@example.org")
    response = add_evidence(
        client, competency_ids, files=[(io.BytesIO(b"a" * (2 * 1024 * 1024)), "big.txt")]
    )
    response.request.environ["wsgi.input"].close()  # the test client's spooled body
    assert response.status_code == 413
    assert "That was too much to upload at once" in response.text
    assert db.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_every_evidence_event_is_a_signal(client, db, competency_ids):
    from insights_lms import signals

    events = []

    def listen(name):
        def receiver(sender, **kwargs):
            events.append((name, sender.title, kwargs["user"].email))

        return receiver

    receivers = {name: listen(name) for name in ("created", "updated", "deleted", "restored")}
    for name, receiver in receivers.items():
        getattr(signals, f"evidence_{name}").connect(receiver)
    try:
        login(client, "participant1@example.org")
        location = add_evidence(client, competency_ids).location
        public_id = location.rsplit("/", 1)[-1]
        page = client.get(f"/evidence/{public_id}/edit")
        client.post(
            f"/evidence/{public_id}/edit",
            data={
                "csrf_token": csrf_token(page.text),
                "title": "Renamed",
                "occurred_on": "2026-11-02",
                "narrative": "",
                "competencies": [str(competency_ids[0])],
                "module": "",
                "task": "",
            },
        )
        token = csrf_token(client.get(location).text)
        client.post(f"/evidence/{public_id}/delete", data={"csrf_token": token})
        client.post(f"/evidence/{public_id}/restore", data={"csrf_token": token})
    finally:
        for name, receiver in receivers.items():
            getattr(signals, f"evidence_{name}").disconnect(receiver)
    me = "participant1@example.org"
    assert events == [
        ("created", "Staff voice survey", me),
        ("updated", "Renamed", me),
        ("deleted", "Renamed", me),
        ("restored", "Renamed", me),
    ]


def test_a_text_file_named_like_a_web_page_downloads_as_text(client, db, competency_ids):
    """An uploaded ``page.html`` is stored as the text it is; it must not come back as
    ``page.html`` (saved to disk and opened, a browser would run it as a page)."""
    login(client, "participant1@example.org")
    page = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
    add_evidence(client, competency_ids, files=[(io.BytesIO(page), "page.html")])
    stored = db.scalar(sa.select(EvidenceFile))
    with client.get(f"/evidence/files/{stored.public_id}") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        assert response.headers["Content-Disposition"] == "attachment; filename=page.html.txt"
        assert response.data == page
