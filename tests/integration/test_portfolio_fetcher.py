"""The portfolio's WeasyPrint URL fetcher refuses everything but data: URIs and the app's own
files: a listener on 127.0.0.1 must record no connection at all, no outside file may end up in
the PDF, and a refused resource must not stop the rest of the document from rendering."""

from __future__ import annotations

import datetime as dt
import io
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from weasyprint import Attachment

from insights_lms import resources
from insights_lms.competencies.models import Competency
from insights_lms.evidence.services import EvidenceInput, Upload, create_evidence
from insights_lms.portfolio.fetcher import RestrictedURLFetcher
from insights_lms.portfolio.render import STATIC_BASE_URL, html_to_pdf, render_portfolio
from insights_lms.storage import FilesystemStorage, Uploads
from tests.factories import participant_enrolment

# A 1x1 PNG, served by the listener (so that a fetch, if one happened, would succeed).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8ff9f0100050201ffa35f6c7d0000000049454e44ae426082"
)
SECRET = "TOP-SECRET-OUTSIDE-THE-APP"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (any protocol) and answers
    like a web server, so that a fetch would otherwise work."""

    def __init__(self) -> None:
        self.hits: list[bytes] = []
        hits = self.hits

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                try:
                    hits.append(self.request.recv(4096) or b"(connected)")
                except OSError:
                    hits.append(b"(connected)")
                body = PNG
                self.request.sendall(
                    b"HTTP/1.0 200 OK\r\nContent-Type: image/png\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, scheme: str = "http", path: str = "/x") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server
    # Every test here must leave the listener untouched.
    assert server.hits == [], f"the render reached the network: {server.hits!r}"


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, Path]:
    """An app folder and an upload folder, a secret file outside both, and links out."""
    static = tmp_path / "static"
    uploads = tmp_path / "uploads"
    static.mkdir()
    uploads.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET)
    (static / "style.css").write_text("p.marker { color: rgb(1, 2, 3) }")
    (uploads / "ab").mkdir()
    (uploads / "ab" / "notes.txt").write_text("notes inside the upload folder")
    (uploads / "link-out").symlink_to(secret)
    (uploads / "dir-out").symlink_to(outside, target_is_directory=True)
    return {"static": static, "uploads": uploads, "secret": secret}


def fetcher_for(roots: dict[str, Path]) -> RestrictedURLFetcher:
    return RestrictedURLFetcher([roots["static"], roots["uploads"]])


def render(html: str, fetcher: RestrictedURLFetcher, **kwargs: object) -> pypdf.PdfReader:
    body = (
        f"<html><head><title>T</title></head><body>{html}<p>Rendered to the end.</p></body></html>"
    )
    pdf = html_to_pdf(body, fetcher, **kwargs)  # type: ignore[arg-type]
    return pypdf.PdfReader(io.BytesIO(pdf))


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def embedded(reader: pypdf.PdfReader) -> dict[str, list[bytes]]:
    """Every embedded file: document-level attachments and file-attachment annotations."""
    files: dict[str, list[bytes]] = {name: list(data) for name, data in reader.attachments.items()}
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/FileAttachment":
                spec = annot["/FS"].get_object()
                data = spec["/EF"]["/F"].get_object().get_data()
                files.setdefault(str(spec.get("/F", "?")), []).append(data)
    return files


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{http}" alt="remote image">',
        '<link rel="stylesheet" href="{http}">',
        '<style>@import url("{http}");</style>',
        '<style>@font-face {{ font-family: X; src: url("{http}"); }} p {{ font-family: X }}</style>',
        '<div style="background-image: url({http})">background</div>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10"><image href="{http}" width="10" height="10"/></svg>',
        '<object data="{http}" type="image/png"></object><embed src="{http}" type="image/png">',
        '<a rel="attachment" href="{http}">remote attachment</a>',
        '<link rel="attachment" href="{http}">',
        '<img src="{https}" alt="remote over TLS">',
        '<img src="{ftp}" alt="remote over FTP">',
    ],
    ids=[
        "img",
        "stylesheet",
        "import",
        "font-face",
        "background",
        "svg-image",
        "object-embed",
        "a-attachment",
        "link-attachment",
        "https",
        "ftp",
    ],
)
def test_nothing_is_fetched_from_the_network(listener, roots, markup):
    fetcher = fetcher_for(roots)
    html = markup.format(http=listener.url(), https=listener.url("https"), ftp=listener.url("ftp"))
    reader = render(html, fetcher)
    assert "Rendered to the end." in text_of(reader)  # the refusal did not stop the render
    assert embedded(reader) == {}
    assert fetcher.refused, "the fetcher should have been asked, and refused"
    assert all(url.startswith(("http", "ftp")) for url in fetcher.refused)


@pytest.mark.parametrize(
    "make_url",
    [
        lambda r: r["secret"].as_uri(),  # file:///…/outside/secret.txt
        lambda r: "file:///etc/passwd",
        # traversal out of the upload folder
        lambda r: "file://" + (r["uploads"] / ".." / "outside" / "secret.txt").as_posix(),
        lambda r: (r["uploads"] / "link-out").as_uri(),  # a symlink inside, pointing out
        lambda r: (r["uploads"] / "dir-out" / "secret.txt").as_uri(),  # a linked folder
        lambda r: "file://evil.example" + r["secret"].as_posix(),  # another host
        lambda r: (r["uploads"] / "no-such-file").as_uri(),
        lambda r: r["uploads"].as_uri(),  # a folder, not a file
    ],
    ids=[
        "outside",
        "etc-passwd",
        "traversal",
        "symlink-out",
        "linked-folder",
        "host",
        "missing",
        "folder",
    ],
)
def test_files_outside_the_app_are_refused_everywhere(listener, roots, make_url):
    url = make_url(roots)
    fetcher = fetcher_for(roots)
    html = (
        f'<a rel="attachment" href="{url}" download="x.txt">attached</a>'
        f'<link rel="attachment" href="{url}">'
        f'<img src="{url}" alt="image">'
        f'<link rel="stylesheet" href="{url}">'
    )
    reader = render(html, fetcher, attachments=[Attachment(url=url, url_fetcher=fetcher)])
    assert SECRET not in text_of(reader)
    assert embedded(reader) == {}
    assert "Rendered to the end." in text_of(reader)
    assert len(fetcher.refused) >= 4


def test_relative_urls_cannot_climb_out_of_the_static_folder(listener):
    """The portfolio's base URL is the static folder: ``../`` cannot leave it."""
    assert resources.static_dir().resolve().as_uri() + "/" == STATIC_BASE_URL
    fetcher = RestrictedURLFetcher([resources.static_dir()])
    depth = "../" * 30
    html = (
        f'<img src="{depth}etc/passwd" alt="x"><a rel="attachment" href="{depth}etc/hostname">a</a>'
    )
    reader = render(html, fetcher)
    assert embedded(reader) == {}
    assert any(url.endswith("/etc/passwd") for url in fetcher.refused)
    assert any(url.endswith("/etc/hostname") for url in fetcher.refused)


def test_data_uris_and_the_apps_own_files_are_allowed(listener, roots):
    fetcher = fetcher_for(roots)
    inside = roots["uploads"] / "ab" / "notes.txt"
    html = (
        '<link rel="stylesheet" href="' + (roots["static"] / "style.css").as_uri() + '">'
        '<p class="marker">styled</p>'
        '<img src="data:image/png;base64,'
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        '" alt="inline">'
        f'<a rel="attachment" href="file://localhost{inside.as_posix()}" download="notes.txt">n</a>'
    )
    attachment = Attachment(url=inside.as_uri(), url_fetcher=fetcher, name="kept.txt")
    reader = render(html, fetcher, attachments=[attachment])
    files = embedded(reader)
    assert files["kept.txt"] == [b"notes inside the upload folder"]
    assert b"notes inside the upload folder" in files["notes.txt"]
    assert fetcher.refused == []


def test_a_malformed_data_uri_is_refused_without_stopping_the_render(listener, roots):
    fetcher = fetcher_for(roots)
    reader = render('<img src="data:image/png;base64,%%%not-base64" alt="bad">', fetcher)
    assert "Rendered to the end." in text_of(reader)
    assert fetcher.refused and fetcher.refused[0].startswith("data:")


# --- the real portfolio with hostile user text ---------------------------------------------


def test_user_text_in_a_portfolio_reaches_nothing_and_is_printed_as_text(
    app, db, content, listener
):
    """A participant writes HTML and links into every field they control: the portfolio
    prints it as text (or sanitised Markdown) and fetches nothing."""
    from insights_lms.demo import build_demo

    build_demo(db)
    enrolment = participant_enrolment(db, "participant1@example.org")
    competency = db.scalar(sa.select(Competency).where(Competency.code == "L1.1"))
    hostile = (
        f'<img src="{listener.url()}"> <a rel="attachment" href="file:///etc/passwd">pw</a>'
        " <link rel=attachment href=file:///etc/hostname>"
    )
    narrative = (
        f"Markdown link [passwd](file:///etc/passwd) and image ![x]({listener.url()}).\n\n"
        f"Raw HTML: {hostile}\n\n<iframe src='{listener.url()}'></iframe>"
    )
    storage = FilesystemStorage(Path(app.config["INSIGHTS_UPLOAD_DIR"]))
    create_evidence(
        db,
        Uploads(storage),
        enrolment=enrolment,
        user=enrolment.user,
        data=EvidenceInput(
            f"Title <b>bold</b> {hostile}", dt.date(2026, 11, 2), narrative, [competency.id]
        ),
        files=[Upload("<img src=x>.txt", io.BytesIO(b"plain text"))],
        max_file_size=1024 * 1024,
    )
    enrolment.user.school = f"School <img src='{listener.url()}'>"
    db.commit()

    with app.app_context():
        from insights_lms.db import session

        rendered = render_portfolio(session, session.get(type(enrolment), enrolment.id))
    reader = pypdf.PdfReader(io.BytesIO(rendered.data))
    text = text_of(reader)
    assert rendered.refused == []  # escaped text asks for nothing at all
    assert embedded(reader) == {}
    assert "Title <b>bold</b>" in text  # printed, not interpreted
    assert "School <img src=" in text
    assert "Raw HTML: <img src=" in text
    assert "root:x:0:0" not in text


def test_refused_fetches_are_logged(roots, caplog, listener):
    fetcher = fetcher_for(roots)
    with caplog.at_level("WARNING", logger="insights_lms.portfolio.fetcher"):
        render(f'<img src="{listener.url()}" alt="x">', fetcher)
    assert any("refused" in message and listener.url() in message for message in caplog.messages)
