"""Turning a portfolio (or a cohort report) into a PDF with WeasyPrint, safely.

The HTML comes from Jinja templates in ``templates/lms/portfolio/``; user text in it is escaped
or sanitised Markdown. WeasyPrint reads nothing but ``data:`` URIs and files inside the app's
static folder (the stylesheet) and its upload folder (image previews and, when asked for,
the evidence files to embed): see :mod:`insights_lms.portfolio.fetcher`.

Needs an application context (templates, settings, the file store), which every request has
and the export command's worker processes push themselves.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session
from weasyprint import HTML, Attachment

from insights_lms import resources
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.evidence.models import EvidenceFile
from insights_lms.portfolio.fetcher import RestrictedURLFetcher
from insights_lms.portfolio.reports import cohort_report
from insights_lms.portfolio.services import Portfolio, PortfolioOptions, build_portfolio
from insights_lms.storage import Storage, get_storage

#: Relative URLs in the portfolio templates (the stylesheet) resolve inside the static folder.
STATIC_BASE_URL = resources.static_dir().resolve().as_uri() + "/"
GENERATOR = "Insights LMS"


@dataclass(frozen=True)
class RenderedPDF:
    data: bytes
    filename: str
    #: URLs the fetcher turned away (a portfolio's own HTML should never ask for one).
    refused: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """``Amina Rahman`` -> ``amina-rahman`` (ASCII, for file names)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "portfolio"


def portfolio_filename(enrolment: Enrolment) -> str:
    """``demo-cohort-amina-rahman-portfolio.pdf``: unique per cohort (public id prefix)."""
    user = enrolment.user
    return f"{slug(enrolment.cohort.code)}-{slug(user.name)}-{user.public_id[:8]}-portfolio.pdf"


def report_filename(cohort: Cohort, extension: str) -> str:
    return f"{slug(cohort.code)}-cohort-report.{extension}"


class PortfolioAssets:
    """How the portfolio refers to stored files.

    With a filesystem store, a ``file://`` URL inside the upload folder, which the restricted
    fetcher reads (and WeasyPrint reads lazily, keeping memory low); with a store that has no
    local paths, the bytes as a ``data:`` URI.
    """

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @property
    def root(self) -> Path | None:
        root = getattr(self.storage, "root", None)
        return Path(root).resolve() if root is not None else None

    def _path(self, key: str) -> Path | None:
        path_of = getattr(self.storage, "path", None)
        return Path(path_of(key)) if path_of is not None else None

    def url(self, key: str, mimetype: str) -> str:
        path = self._path(key)
        if path is not None:
            return path.resolve().as_uri()
        with self.storage.open(key) as stream:
            encoded = base64.b64encode(stream.read()).decode("ascii")
        return f"data:{mimetype};base64,{encoded}"

    def image_src(self, stored: EvidenceFile) -> str:
        """The preview of an image file (a JPEG made at upload)."""
        return self.url(stored.thumbnail_key or stored.storage_key, "image/jpeg")

    def attachment(
        self, stored: EvidenceFile, name: str, fetcher: RestrictedURLFetcher
    ) -> Attachment:
        """The file as a PDF attachment, read through the restricted fetcher."""
        modified = stored.uploaded_dt.astimezone(dt.UTC).replace(tzinfo=None)
        return Attachment(
            url=self.url(stored.storage_key, stored.mimetype),
            url_fetcher=fetcher,
            name=name,
            description=f"{stored.original_name} ({stored.evidence.title})",
            created=modified,
            modified=modified,
            relationship="Supplement",
        )


def attachment_names(portfolio: Portfolio) -> dict[int, str]:
    """The name each embedded file gets in the PDF, by file id: ``E3-survey.txt``, unique."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for entry in portfolio.evidence:
        for stored in entry.files:
            name = f"{entry.ref}-{stored.original_name}"
            stem, dot, ext = name.rpartition(".")
            n = 2
            while name.casefold() in taken:
                name = f"{stem} ({n}){dot}{ext}" if dot else f"{ext} ({n})"
                n += 1
            taken.add(name.casefold())
            names[stored.id] = name
    return names


def allowed_roots(storage: Storage | None = None) -> list[Path]:
    """What WeasyPrint may read: the static folder and the upload folder."""
    roots = [resources.static_dir()]
    root = PortfolioAssets(storage or get_storage()).root
    if root is not None:
        roots.append(root)
    return roots


def html_to_pdf(
    html: str, fetcher: RestrictedURLFetcher, attachments: Sequence[Attachment] = ()
) -> bytes:
    """The PDF of ``html`` (stylesheets and images fetched by ``fetcher`` only)."""
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(attachments=list(attachments) or None)
    return pdf


def portfolio_html(portfolio: Portfolio, assets: PortfolioAssets, names: dict[int, str]) -> str:
    return render_template(
        "lms/portfolio/portfolio.html",
        p=portfolio,
        assets=assets,
        attachment_names=names,
        generator=GENERATOR,
    )


def render_portfolio(
    session: Session,
    enrolment: Enrolment,
    options: PortfolioOptions | None = None,
    now: dt.datetime | None = None,
    storage: Storage | None = None,
) -> RenderedPDF:
    """The participant's portfolio as a PDF."""
    storage = storage or get_storage()
    portfolio = build_portfolio(session, enrolment, options, now)
    assets = PortfolioAssets(storage)
    fetcher = RestrictedURLFetcher(allowed_roots(storage))
    names = attachment_names(portfolio) if portfolio.options.embed_attachments else {}
    html = portfolio_html(portfolio, assets, names)
    attachments = []
    if portfolio.options.embed_attachments:
        attachments = [
            assets.attachment(stored, names[stored.id], fetcher)
            for entry in portfolio.evidence
            for stored in entry.files
        ]
    data = html_to_pdf(html, fetcher, attachments)
    return RenderedPDF(data, portfolio_filename(enrolment), list(fetcher.refused))


def render_cohort_report(
    session: Session, cohort: Cohort, now: dt.datetime | None = None, **context: Any
) -> RenderedPDF:
    """The facilitators' cohort report as a PDF."""
    report = cohort_report(session, cohort, now)
    fetcher = RestrictedURLFetcher(allowed_roots())
    html = render_template(
        "lms/portfolio/cohort_report.html", r=report, generator=GENERATOR, **context
    )
    return RenderedPDF(html_to_pdf(html, fetcher), report_filename(cohort, "pdf"), fetcher.refused)
