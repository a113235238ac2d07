"""Enrolment from a CSV file: read it in whatever encoding Excel wrote, check every row, show a
dry run, then import all of it (or only the good rows, if the facilitator chooses).

The same file imported twice changes nothing the second time: people are matched by email,
enrolments are idempotent and coach profiles are only written when their values differ.
New users get a one-time link to set their password (:func:`issue_invite`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from insights_lms.audit.services import record as audit_record
from insights_lms.auth.models import User
from insights_lms.auth.services import password_problem
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.cohorts.services import enrol
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enrolment.models import INVITE_DAYS, InviteToken
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.errors import DomainError
from insights_lms.matching.models import CAPACITY_MAX, CoachPhase, CoachProfile, CoachStrength

#: The columns a file may have; ``name``, ``email`` and ``cohort_role`` are required.
COLUMNS = (
    "name",
    "email",
    "school",
    "phase",
    "role_in_school",
    "cohort_role",
    "strengths",
    "phases",
    "capacity",
)
REQUIRED = ("name", "email", "cohort_role")
#: Header spellings people use, mapped to the column.
ALIASES = {
    "full_name": "name",
    "email_address": "email",
    "e_mail": "email",
    "school_phase": "phase",
    "role": "cohort_role",
    "job_title": "role_in_school",
    "coach_phases": "phases",
    "coach_strengths": "strengths",
}
MAX_ROWS = 5000
#: The largest coach capacity a file may give: the profile table's own limit.
MAX_CAPACITY = CAPACITY_MAX
#: The audit action recorded when a facilitator confirms enrolling someone who is or was in
#: another cohort.
AUDIT_OTHER_COHORT = "enrolment.import_other_cohort_confirmed"
#: The preview's checkboxes confirming those enrolments (one per row, its value the e-mail).
CONFIRM_FIELD = "confirm_other_cohort"


class CsvImportError(DomainError):
    """A file that cannot be read at all (no rows checked); the message is for the facilitator.

    The field at fault is the file itself."""

    def __init__(self, message: str, field: str | None = "file") -> None:
        super().__init__(message, field)


@dataclass
class ParsedFile:
    #: The encoding the bytes were read with ("UTF-8", "UTF-8 with BOM", "Windows-1252").
    encoding: str
    #: The file as text (what the confirmation step sends back).
    text: str
    #: (line number in the file, {column: value}) for every non-empty data row.
    rows: list[tuple[int, dict[str, str]]]
    #: Headers that are not columns we know (reported, otherwise ignored).
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class RowPlan:
    line: int
    name: str
    email: str
    role: CohortRole | None
    errors: list[str] = field(default_factory=list)
    #: "new user", "existing user", or "already enrolled"
    action: str = ""
    school: str = ""
    phase: SchoolPhase | None = None
    role_in_school: str = ""
    strengths: list[str] = field(default_factory=list)
    coach_phases: list[SchoolPhase] = field(default_factory=list)
    capacity: int | None = None
    #: Whether the importer already sees this person (enrolled in a cohort they facilitate,
    #: or the importer is an administrator): only then does the preview say whether the
    #: e-mail already has an account.
    visible: bool = False
    #: The person is or was in another cohort: enrolling them here needs the importer's
    #: explicit confirmation (recorded in the audit log).
    needs_confirmation: bool = False
    confirmed: bool = False
    #: Whether the row's coach profile (capacity, phases, strengths) is written: for a new
    #: account, or when an administrator imports.
    profile_applies: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def gives_profile(self) -> bool:
        return bool(self.strengths or self.coach_phases or self.capacity is not None)

    @property
    def shown_action(self) -> str:
        """What the preview says the row does; a new and an existing account read the same
        unless the importer already sees the person."""
        role = self.role.label.lower() if self.role else ""
        if self.visible:
            if self.action == "already enrolled":
                return "Already enrolled: unchanged"
            return f"{self.action.capitalize()}: enrolled as {role}"
        return (
            f"Enrolled as {role} (anyone new to Insights LMS is e-mailed a link to choose a "
            "password)"
        )

    @property
    def profile_note(self) -> str:
        """Why the row's coach profile is not applied ("" when it is, or none is given)."""
        if not self.gives_profile or (self.profile_applies and self.visible):
            return ""
        if self.visible:
            return (
                "Coach profile (capacity, phases, strengths) not applied: this person already "
                "has an account, so they confirm their own profile, or an administrator "
                "imports it."
            )
        return (
            "Coach profile (capacity, phases, strengths) is set only for a new account: a "
            "coach who already has one confirms their own profile, or an administrator "
            "imports it."
        )


@dataclass
class ImportPlan:
    cohort: Cohort
    parsed: ParsedFile
    rows: list[RowPlan]

    @property
    def good(self) -> list[RowPlan]:
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[RowPlan]:
        return [r for r in self.rows if not r.ok]

    @property
    def is_clean(self) -> bool:
        return bool(self.rows) and not self.bad


@dataclass
class Invite:
    user: User
    token: str


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    enrolled: list[Enrolment] = field(default_factory=list)
    unchanged: int = 0
    profiles_written: int = 0
    skipped: list[RowPlan] = field(default_factory=list)
    #: Rows not imported because enrolling someone from another cohort was not confirmed.
    held: list[RowPlan] = field(default_factory=list)
    #: Rows the database refused (each with its message in ``errors``); nothing of them kept.
    failed: list[RowPlan] = field(default_factory=list)
    invites: list[Invite] = field(default_factory=list)


# --- reading the file ---------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (with or without Excel's BOM), else
    Windows-1252 (what Excel writes as plain "CSV" on Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise CsvImportError(
            "The file is neither UTF-8 nor Windows-1252 text. Save it from your spreadsheet as "
            "“CSV UTF-8 (comma delimited)” and try again."
        ) from None


def _column(header: str) -> str:
    key = "_".join(header.strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)


def parse_csv(data: bytes) -> ParsedFile:
    """Read the file's rows (a comma, semicolon or tab separated table with a header row)."""
    if b"\x00" in data[:4096]:
        raise CsvImportError("That is not a CSV file: save the spreadsheet as CSV and try again.")
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CsvImportError("The file is empty.")
    first_line = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportError("The file is empty.") from None
    columns = [_column(h) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise CsvImportError(
            "The first row must name the columns; missing: "
            + ", ".join(missing)
            + f". Known columns: {', '.join(COLUMNS)}."
        )
    ignored = [
        h.strip() for h, c in zip(header, columns, strict=True) if c not in COLUMNS and h.strip()
    ]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            record = {c: "" for c in COLUMNS}
            for column, value in zip(columns, values, strict=False):
                if column in COLUMNS:
                    record[column] = value.strip()
            rows.append((reader.line_num, record))
            if len(rows) > MAX_ROWS:
                raise CsvImportError(f"The file has more than {MAX_ROWS:,} rows: split it up.")
    except csv.Error as exc:
        raise CsvImportError(f"Line {reader.line_num} cannot be read as CSV: {exc}.") from None
    if not rows:
        raise CsvImportError("The file has a header row but no people in it.")
    return ParsedFile(encoding, text, rows, ignored)


# --- checking every row -------------------------------------------------------------------


def _phase(value: str) -> SchoolPhase | None:
    key = "_".join(value.strip().lower().replace("-", " ").split())
    try:
        return SchoolPhase(key)
    except ValueError:
        return None


def _split(value: str) -> list[str]:
    for separator in (";", "|", ","):
        value = value.replace(separator, " ")
    return [part for part in value.split() if part]


PHASE_NAMES = ", ".join(p.value.replace("_", "-") for p in SchoolPhase)
ROLE_NAMES = ", ".join(r.value for r in CohortRole)


def _check_row(line: int, record: dict[str, str], codes: dict[str, str]) -> RowPlan:
    row = RowPlan(line=line, name=record["name"], email=record["email"], role=None)
    row.school, row.role_in_school = record["school"][:200], record["role_in_school"][:200]
    if not row.name:
        row.errors.append("The name is missing.")
    elif len(row.name) > 200:
        row.errors.append("The name is longer than 200 characters.")
    try:
        row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        shown = row.email or "(empty)"
        row.errors.append(f"“{shown}” is not a valid email address: {exc}")
    try:
        row.role = CohortRole(record["cohort_role"].strip().lower())
    except ValueError:
        row.errors.append(
            f"Unknown cohort role “{record['cohort_role']}”: use one of {ROLE_NAMES}."
        )
    if record["phase"]:
        row.phase = _phase(record["phase"])
        if row.phase is None:
            row.errors.append(f"Unknown phase “{record['phase']}”: use one of {PHASE_NAMES}.")
    coach_fields = [c for c in ("strengths", "phases", "capacity") if record[c]]
    if coach_fields and row.role not in (None, CohortRole.COACH):
        row.errors.append(f"{', '.join(coach_fields).capitalize()} can only be given for coaches.")
    for code in _split(record["strengths"]):
        canonical = codes.get(code.upper())
        if canonical is None:
            row.errors.append(f"Unknown competency code “{code}” in strengths.")
        elif canonical not in row.strengths:
            row.strengths.append(canonical)
    for value in _split(record["phases"]):
        phase = _phase(value)
        if phase is None:
            row.errors.append(f"Unknown phase “{value}” in phases: use {PHASE_NAMES}.")
        elif phase not in row.coach_phases:
            row.coach_phases.append(phase)
    if record["capacity"]:
        try:
            row.capacity = int(record["capacity"])
        except ValueError:
            row.capacity = None
        if row.capacity is None or not 0 <= row.capacity <= MAX_CAPACITY:
            row.errors.append(
                f"Capacity must be a whole number from 0 to {MAX_CAPACITY}, "
                f"not “{record['capacity']}”."
            )
    return row


def _privileged(importer: User | None) -> bool:
    return importer is not None and importer.is_admin


def plan_import(
    session: Session,
    cohort: Cohort,
    parsed: ParsedFile,
    importer: User | None = None,
    confirmed: Collection[str] = (),
) -> ImportPlan:
    """Check every row (nothing is written): errors per row, and what importing would do.

    ``importer`` is who imports (``None``: a caller with no user, treated as a facilitator,
    never as an administrator). An existing account's coach profile is written only when an
    administrator imports; someone who is or was in another cohort is enrolled only if their
    e-mail is in ``confirmed``.
    """
    privileged = _privileged(importer)
    confirmed = {e.strip().lower() for e in confirmed}
    codes = {
        code.upper(): code
        for code in session.scalars(
            sa.select(Competency.code).where(
                Competency.framework_id == cohort.programme.framework_id
            )
        )
    }
    rows = [_check_row(line, record, codes) for line, record in parsed.rows]
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.email or any("email" in e for e in row.errors):
            continue
        if row.email in first_line:
            row.errors.append(f"Duplicate: {row.email} is already on line {first_line[row.email]}.")
        else:
            first_line[row.email] = row.line
    emails = [r.email for r in rows if r.ok]
    users = (
        {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(emails)))}
        if emails
        else {}
    )
    enrolled = (
        set(
            session.execute(
                sa.select(User.email, Enrolment.role)
                .join(Enrolment, Enrolment.user_id == User.id)
                .where(Enrolment.cohort_id == cohort.id, User.email.in_(emails))
            ).all()
        )
        if emails
        else set()
    )
    user_ids = [u.id for u in users.values()]
    seen: set[int] = set()
    elsewhere: set[int] = set()
    if user_ids:
        # People in a cohort the importer facilitates (this one included: its facilitators
        # see its people) are people the importer already sees.
        facilitated = sa.select(Enrolment.cohort_id).where(
            Enrolment.role == CohortRole.FACILITATOR,
            Enrolment.user_id == (importer.id if importer is not None else -1),
        )
        seen = set(
            session.scalars(
                sa.select(Enrolment.user_id).where(
                    Enrolment.user_id.in_(user_ids),
                    sa.or_(Enrolment.cohort_id == cohort.id, Enrolment.cohort_id.in_(facilitated)),
                )
            )
        )
        elsewhere = set(
            session.scalars(
                sa.select(Enrolment.user_id).where(
                    Enrolment.user_id.in_(user_ids), Enrolment.cohort_id != cohort.id
                )
            )
        )
    for row in rows:
        if not row.ok:
            continue
        user = users.get(row.email)
        if user is None:
            row.action = "new user"
            row.visible = privileged
            continue
        row.visible = privileged or user.id in seen
        row.profile_applies = privileged
        if (row.email, row.role) in enrolled:
            row.action = "already enrolled"
        else:
            row.action = "existing user"
            row.needs_confirmation = user.id in elsewhere
            row.confirmed = row.needs_confirmation and row.email in confirmed
    return ImportPlan(cohort, parsed, rows)


# --- importing ----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invite(
    session: Session, user: User, created_by: User | None, now: dt.datetime | None = None
) -> str:
    """A new one-time link token for ``user`` (earlier unused links stop working)."""
    now = now or utcnow()
    session.execute(
        sa.update(InviteToken)
        .where(InviteToken.user_id == user.id, InviteToken.used_dt.is_(None))
        .values(expires_dt=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        InviteToken(
            user=user,
            token_hash=_hash(token),
            created_dt=now,
            expires_dt=now + dt.timedelta(days=INVITE_DAYS),
            created_by=created_by,
        )
    )
    session.flush()
    return token


def _profile_changes(session: Session, user: User, row: RowPlan, updated_by: User | None) -> bool:
    """Write the coach's strengths, phases and capacity from the file; True if anything changed."""
    if not (row.strengths or row.coach_phases or row.capacity is not None):
        return False
    profile = session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
    changed = False
    if profile is None:
        profile = CoachProfile(user=user)
        session.add(profile)
        changed = True
    if row.capacity is not None and profile.capacity != row.capacity:
        profile.capacity = row.capacity
        changed = True
    # Rows are changed in place (the ones no longer wanted removed, the missing ones added):
    # replacing the whole list would insert a phase that is also being deleted, which the
    # unique constraint refuses when the old and new lists overlap.
    if row.coach_phases and {p.phase for p in profile.phase_rows} != set(row.coach_phases):
        for phase_row in [p for p in profile.phase_rows if p.phase not in row.coach_phases]:
            profile.phase_rows.remove(phase_row)
        have = {p.phase for p in profile.phase_rows}
        profile.phase_rows.extend(CoachPhase(phase=p) for p in row.coach_phases if p not in have)
        changed = True
    if row.strengths and {s.competency_code for s in profile.strength_rows} != set(row.strengths):
        unwanted = [s for s in profile.strength_rows if s.competency_code not in row.strengths]
        for strength in unwanted:
            profile.strength_rows.remove(strength)
        codes = {s.competency_code for s in profile.strength_rows}
        profile.strength_rows.extend(
            CoachStrength(competency_code=c) for c in row.strengths if c not in codes
        )
        changed = True
    if changed:
        profile.updated_dt = utcnow()
        profile.updated_by = updated_by
    return changed


def _import_row(
    session: Session, plan: ImportPlan, row: RowPlan, imported_by: User | None, result: ImportResult
) -> None:
    assert row.role is not None
    cohort = plan.cohort
    created = False
    user = session.scalar(sa.select(User).where(User.email == row.email))
    if user is None:
        user = User(
            email=row.email,
            name=row.name,
            school=row.school,
            school_phase=row.phase,
            role_in_school=row.role_in_school,
        )
        session.add(user)
        session.flush()
        created = True
    existing = session.scalar(
        sa.select(Enrolment.id).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.role == row.role,
        )
    )
    enrolment = None
    if existing is None:
        enrolment = enrol(session, cohort, user, row.role, enrolled_by=imported_by)
    profiles_written = 0
    # An existing account's global profile is the coach's own: written only by an
    # administrator's import (``profile_applies``), never by a facilitator's.
    if (
        row.role == CohortRole.COACH
        and (created or (row.profile_applies and _privileged(imported_by)))
        and _profile_changes(session, user, row, imported_by)
    ):
        profiles_written = 1
    if enrolment is not None and row.needs_confirmation:
        audit_record(
            session,
            imported_by,
            AUDIT_OTHER_COHORT,
            enrolment,
            cohort=cohort.code,
            email=row.email,
            role=row.role.value,
            line=row.line,
        )
    session.flush()
    # Counted once the row's savepoint is sure to be kept.
    if created:
        result.created.append(user)
    if enrolment is not None:
        result.enrolled.append(enrolment)
    result.profiles_written += profiles_written
    if existing is not None and not created:
        result.unchanged += 1


def apply_import(
    session: Session,
    plan: ImportPlan,
    imported_by: User | None,
    *,
    skip_bad_rows: bool = False,
) -> ImportResult:
    """Import the plan's rows (all of them; or, with ``skip_bad_rows``, the good ones)."""
    if not plan.rows:
        raise CsvImportError("There is nobody to import.")
    if plan.bad and not skip_bad_rows:
        raise CsvImportError(
            f"{len(plan.bad)} row{'s have' if len(plan.bad) != 1 else ' has'} problems: fix the "
            "file, or choose to import only the good rows."
        )
    result = ImportResult(skipped=plan.bad)
    for row in plan.good:
        if row.needs_confirmation and not row.confirmed:
            result.held.append(row)
            continue
        try:
            # One savepoint per row: a row the database refuses becomes that row's message
            # and leaves nothing of itself behind; the other rows are imported.
            with session.begin_nested():
                _import_row(session, plan, row, imported_by, result)
        except IntegrityError:
            row.errors.append(
                "This row could not be saved (it conflicts with what is already recorded): "
                "nothing of it was imported."
            )
            result.failed.append(row)
    session.flush()
    result.invites = [Invite(u, issue_invite(session, u, imported_by)) for u in result.created]
    return result


# --- setting a password from a link -------------------------------------------------------


class InviteError(DomainError):
    """A link that cannot be used, or a password that cannot be set (shown beside the
    password, the one field of the page)."""

    def __init__(self, message: str, field: str | None = "password") -> None:
        super().__init__(message, field)


def invite_for(session: Session, token: str, now: dt.datetime | None = None) -> InviteToken | None:
    """The unused, unexpired invitation with this token, if there is one."""
    now = now or utcnow()
    invite = session.scalar(sa.select(InviteToken).where(InviteToken.token_hash == _hash(token)))
    if invite is None or invite.used_dt is not None or invite.expires_dt <= now:
        return None
    return invite


def redeem_invite(
    session: Session, token: str, password: str, now: dt.datetime | None = None
) -> User:
    """Set the user's password from a valid link; the link then stops working."""
    now = now or utcnow()
    invite = invite_for(session, token, now)
    if invite is None:
        raise InviteError(
            "This link has expired or has already been used. Ask your facilitator for a new one."
        )
    problem = password_problem(password)
    if problem is not None:
        raise InviteError(problem)
    invite.user.set_password(password)
    invite.used_dt = now
    session.flush()
    return invite.user


def sample_csv(codes: Iterable[str]) -> str:
    """A small example file a facilitator can fill in."""
    codes = list(codes)[:2]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Amina Rahman",
            "amina@school.example",
            "Bow Primary",
            "primary",
            "Headteacher",
            "participant",
            "",
            "",
            "",
        ]
    )
    writer.writerow(
        [
            "Helen Okafor",
            "helen@coaches.example",
            "",
            "",
            "Executive headteacher",
            "coach",
            " ".join(codes),
            "primary;secondary",
            "4",
        ]
    )
    return out.getvalue()
