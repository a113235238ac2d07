"""Adding, editing, deleting and restoring evidence, and who may see it."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from insights_lms import signals
from insights_lms.audit.services import record as audit
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_view_participant
from insights_lms.cohorts.models import Cohort, CohortTask, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.context.models import SchoolChallenge
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.evidence.models import Evidence, EvidenceFile
from insights_lms.programmes.models import Module, Programme
from insights_lms.storage import FileTooLarge, Uploads
from insights_lms.storage.sniff import ACCEPTED_DESCRIPTION, UnsupportedFile, sniff
from insights_lms.storage.thumbnails import make_thumbnail

MAX_FILES = 10
MAX_NARRATIVE = 20_000


class EvidenceError(DomainError):
    """Evidence cannot be saved as given; ``field`` names the form field at fault."""


@dataclass(frozen=True)
class Upload:
    """A file as received: its name as the user's computer called it, and its bytes."""

    filename: str
    stream: IO[bytes]


@dataclass
class SaveResult:
    evidence: Evidence
    refused: list[str] = field(default_factory=list)  # "name: reason" per file not added


@dataclass(frozen=True)
class EvidenceInput:
    title: str
    occurred_on: dt.date
    narrative: str
    competency_ids: Sequence[int]
    module_id: int | None = None
    cohort_task_id: int | None = None
    challenge_ids: Sequence[int] = ()


def clean_filename(name: str) -> str:
    """The name to show and offer on download: no folders, no control characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if c.isprintable()).strip()
    return (name or "file")[:255]


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def school_challenges_of_programme(session: Session, programme_id: int) -> list[SchoolChallenge]:
    """The programme's list of school challenges, in content order."""
    return list(
        session.scalars(
            sa.select(SchoolChallenge)
            .where(SchoolChallenge.programme_id == programme_id)
            .order_by(SchoolChallenge.position, SchoolChallenge.id)
        )
    )


def programme_challenges(
    session: Session, enrolment: Enrolment, ids: Sequence[int]
) -> list[SchoolChallenge]:
    """The challenges with these ids, all of which must belong to the enrolment's programme."""
    if not ids:
        return []
    found = list(
        session.scalars(
            sa.select(SchoolChallenge).where(
                SchoolChallenge.id.in_(set(ids)),
                SchoolChallenge.programme_id == enrolment.cohort.programme_id,
            )
        )
    )
    if len(found) != len(set(ids)):
        raise EvidenceError("Choose challenges from your programme's list.", "challenges")
    return found


def _check(
    session: Session, enrolment: Enrolment, data: EvidenceInput
) -> tuple[list[Competency], Module | None, CohortTask | None]:
    title = data.title.strip()
    if not title:
        raise EvidenceError("Give the evidence a title.", "title")
    if len(title) > 200:
        raise EvidenceError("Keep the title to 200 characters.", "title")
    if len(data.narrative) > MAX_NARRATIVE:
        raise EvidenceError(f"Keep the narrative to {MAX_NARRATIVE:,} characters.", "narrative")
    programme = enrolment.cohort.programme
    today = dt.datetime.now(ZoneInfo(programme.time_zone)).date()
    if data.occurred_on > today:
        raise EvidenceError("The date cannot be in the future.", "occurred_on")
    if not data.competency_ids:
        raise EvidenceError("Choose at least one competency this evidence shows.", "competencies")
    competencies = list(
        session.scalars(
            sa.select(Competency).where(
                Competency.id.in_(set(data.competency_ids)),
                Competency.framework_id == programme.framework_id,
            )
        )
    )
    if len(competencies) != len(set(data.competency_ids)):
        raise EvidenceError("Choose competencies from the programme's framework.", "competencies")
    module = None
    if data.module_id is not None:
        module = session.get(Module, data.module_id)
        if module is None or module.programme_id != programme.id:
            raise EvidenceError("Choose a module of your programme.", "module")
    task = None
    if data.cohort_task_id is not None:
        task = session.get(CohortTask, data.cohort_task_id)
        if task is None or task.cohort_id != enrolment.cohort_id:
            raise EvidenceError("Choose a practical task of your cohort.", "task")
    return competencies, module, task


def _attach(
    session: Session,
    evidence: Evidence,
    uploads: Uploads | None,
    files: Iterable[Upload],
    max_size: int,
) -> list[str]:
    """Store and attach each acceptable file; return the refusals ("name: reason")."""
    refused: list[str] = []
    files = list(files)
    if not files:
        return refused
    if uploads is None:
        raise ValueError("files given without a file store to keep them in")
    for upload in files:
        name = clean_filename(upload.filename)
        if len(evidence.files) >= MAX_FILES:
            refused.append(f"{name}: a piece of evidence can have at most {MAX_FILES} files")
            continue
        size = _size_of(upload.stream)
        if size > max_size:
            refused.append(f"{name}: larger than the {max_size // (1024 * 1024)} MB limit")
            continue
        try:
            kind = sniff(upload.stream)
        except UnsupportedFile as exc:
            refused.append(f"{name}: {exc}; upload {ACCEPTED_DESCRIPTION}")
            continue
        try:
            stored = uploads.save(upload.stream, max_size)
        except FileTooLarge:
            refused.append(f"{name}: larger than the {max_size // (1024 * 1024)} MB limit")
            continue
        thumbnail_key = None
        if kind.is_image:
            preview = make_thumbnail(upload.stream)
            if preview is not None:
                thumbnail_key = uploads.save(preview).key
        evidence.files.append(
            EvidenceFile(
                original_name=name,
                storage_key=stored.key,
                kind=kind.kind,
                mimetype=kind.mimetype,
                size=stored.size,
                sha256=stored.sha256,
                thumbnail_key=thumbnail_key,
            )
        )
    return refused


def create_evidence(
    session: Session,
    uploads: Uploads | None,
    *,
    enrolment: Enrolment,
    user: User,
    data: EvidenceInput,
    files: Sequence[Upload] = (),
    max_file_size: int,
) -> SaveResult:
    """Save new evidence with its acceptable files; refused files are reported, not fatal."""
    if enrolment.user_id != user.id or enrolment.role != CohortRole.PARTICIPANT:
        raise EvidenceError("Only a participant can add evidence to their own record.")
    competencies, module, task = _check(session, enrolment, data)
    challenges = programme_challenges(session, enrolment, data.challenge_ids)
    now = utcnow()
    evidence = Evidence(
        enrolment=enrolment,
        owner=user,
        title=data.title.strip(),
        occurred_on=data.occurred_on,
        narrative=data.narrative.strip(),
        module=module,
        cohort_task=task,
        competencies=competencies,
        challenges=challenges,
        created_dt=now,
        updated_dt=now,
    )
    session.add(evidence)
    refused = _attach(session, evidence, uploads, files, max_file_size)
    session.flush()
    signals.evidence_created.send(evidence, user=user)
    return SaveResult(evidence, refused)


def update_evidence(
    session: Session,
    uploads: Uploads,
    evidence: Evidence,
    *,
    user: User,
    data: EvidenceInput,
    files: Sequence[Upload] = (),
    remove_file_ids: Iterable[str] = (),
    max_file_size: int,
) -> SaveResult:
    """Change evidence (only its owner, only while not deleted); removed files are deleted
    from storage once the change is committed."""
    if evidence.owner_id != user.id:
        raise EvidenceError("Only the owner can change this evidence.")
    if evidence.is_deleted:
        raise EvidenceError("Restore this evidence before changing it.")
    competencies, module, task = _check(session, evidence.enrolment, data)
    evidence.challenges = programme_challenges(session, evidence.enrolment, data.challenge_ids)
    evidence.title, evidence.occurred_on = data.title.strip(), data.occurred_on
    evidence.narrative = data.narrative.strip()
    evidence.competencies, evidence.module, evidence.cohort_task = competencies, module, task
    remove = set(remove_file_ids)
    for stored in [f for f in evidence.files if f.public_id in remove]:
        uploads.discard_later(stored.storage_key)
        if stored.thumbnail_key:
            uploads.discard_later(stored.thumbnail_key)
        evidence.files.remove(stored)
    refused = _attach(session, evidence, uploads, files, max_file_size)
    evidence.updated_dt = utcnow()
    session.flush()
    signals.evidence_updated.send(evidence, user=user)
    return SaveResult(evidence, refused)


def delete_evidence(session: Session, evidence: Evidence, user: User) -> None:
    """Soft-delete: hidden everywhere but the owner's "deleted" list; audited; restorable."""
    if evidence.owner_id != user.id:
        raise EvidenceError("Only the owner can delete this evidence.")
    if evidence.is_deleted:
        return
    evidence.is_deleted = True
    evidence.deleted_dt = utcnow()
    audit(session, user, "evidence.deleted", evidence, title=evidence.title)
    session.flush()
    signals.evidence_deleted.send(evidence, user=user)


def restore_evidence(session: Session, evidence: Evidence, user: User) -> None:
    """Bring deleted evidence back (its owner only); audited."""
    if evidence.owner_id != user.id:
        raise EvidenceError("Only the owner can restore this evidence.")
    if not evidence.is_deleted:
        return
    evidence.is_deleted = False
    evidence.deleted_dt = None
    evidence.updated_dt = utcnow()
    audit(session, user, "evidence.restored", evidence, title=evidence.title)
    session.flush()
    signals.evidence_restored.send(evidence, user=user)


def evidence_of(session: Session, enrolment: Enrolment, *, deleted: bool = False) -> list[Evidence]:
    """A participant's evidence in one enrolment, newest first (or the deleted ones)."""
    return list(
        session.scalars(
            sa.select(Evidence)
            .where(Evidence.enrolment_id == enrolment.id, Evidence.is_deleted.is_(deleted))
            .options(
                selectinload(Evidence.competencies),
                selectinload(Evidence.files),
                selectinload(Evidence.challenges),
            )
            .order_by(Evidence.occurred_on.desc(), Evidence.id.desc())
        )
    )


def can_view(session: Session, viewer: User, evidence: Evidence) -> bool:
    """The owner always; their coach, the cohort's facilitators and admins unless deleted."""
    if viewer.id == evidence.owner_id:
        return True
    if evidence.is_deleted:
        return False
    return can_view_participant(session, viewer, evidence.owner, evidence.enrolment.cohort)


def evidence_for_viewer(session: Session, public_id: str, viewer: User) -> Evidence | None:
    """The evidence if ``viewer`` may see it, else None (the view answers 404 either way)."""
    evidence = session.scalar(sa.select(Evidence).where(Evidence.public_id == public_id))
    if evidence is None or not can_view(session, viewer, evidence):
        return None
    return evidence


def enrolment_with_programme(session: Session, enrolment: Enrolment) -> Enrolment:
    """The enrolment with its cohort, programme and framework loaded, for a page that shows
    them (also after a refusal rolled the request back and expired what was loaded)."""
    return session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .options(
            joinedload(Enrolment.cohort)
            .joinedload(Cohort.programme)
            .joinedload(Programme.framework)
        )
    ).one()


def evidence_with_details(session: Session, evidence: Evidence) -> Evidence:
    """The evidence with everything its page shows loaded: owner, cohort and programme, module,
    practical task, competencies, school challenges and files (also after a refusal rolled
    the request back and expired what was loaded)."""
    return session.scalars(
        sa.select(Evidence)
        .where(Evidence.id == evidence.id)
        .options(
            joinedload(Evidence.enrolment)
            .joinedload(Enrolment.cohort)
            .joinedload(Cohort.programme)
            .joinedload(Programme.framework),
            joinedload(Evidence.owner),
            joinedload(Evidence.module),
            joinedload(Evidence.cohort_task).joinedload(CohortTask.task),
            selectinload(Evidence.competencies),
            selectinload(Evidence.challenges),
            selectinload(Evidence.files),
        )
    ).one()


def file_for_viewer(session: Session, public_id: str, viewer: User) -> EvidenceFile | None:
    stored = session.scalar(sa.select(EvidenceFile).where(EvidenceFile.public_id == public_id))
    if stored is None or not can_view(session, viewer, stored.evidence):
        return None
    return stored
