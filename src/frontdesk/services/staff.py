"""Staff accounts: one practice each, a role, an argon2 password hash and, optionally, a TOTP secret.

Passwords go through argon2-cffi and one-time codes through pyotp; nothing here does its own crypto.
Neither passwords nor codes ever reach a log or an audit entry."""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.domain import validation
from frontdesk.domain.access import ROLE_SCOPES, Role
from frontdesk.domain.errors import Conflict, FrontdeskError, Invalid, NotFound, Unauthenticated
from frontdesk.services import audit
from frontdesk.services.context import Principal
from frontdesk.services.usecase import UseCases
from frontdesk.storage import models as m
from frontdesk.storage.repositories import directory as dir_repo
from frontdesk.storage.repositories import oauth as oauth_repo
from frontdesk.storage.repositories import staff as repo

PASSWORD_MIN = 10
PASSWORD_MAX = 256
TOTP_ISSUER = "Frontdesk"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
    Made on first use: hashing costs ~150 ms, which start-up (stdio) should not pay."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class StaffInfo:
    id: int
    practice_id: int
    email: str
    name: str
    role: str
    totp: bool
    created_at: datetime
    disabled_at: datetime | None
    last_sign_in_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewStaff:
    info: StaffInfo
    totp_uri: str | None  # shown once, for the authenticator app


@dataclass(frozen=True, slots=True)
class Identity:
    """A signed-in staff member."""

    practice_id: int
    practice_slug: str
    practice_name: str
    user_id: int
    name: str
    email: str
    role: Role

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"


class SignInRefused(Unauthenticated):
    """`reason`: "credentials" (unknown practice/email, wrong password, disabled) or "totp" (a code from
    the authenticator app is required or was wrong). The message never says which part was wrong."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _info(row: m.StaffUser) -> StaffInfo:
    return StaffInfo(
        id=row.id,
        practice_id=row.practice_id,
        email=row.email,
        name=row.name,
        role=row.role,
        totp=row.totp_secret is not None,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        last_sign_in_at=row.last_sign_in_at,
    )


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise Invalid(f"role must be one of {names}", field="role") from None


def _password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise Invalid(f"password must be at least {PASSWORD_MIN} characters", field="password")
    if len(value) > PASSWORD_MAX:
        raise Invalid(f"password must be at most {PASSWORD_MAX} characters", field="password")
    return value


def _email(value: str) -> str:
    text = validation.email(value)
    if text is None:
        raise Invalid("email must not be empty", field="email")
    return text.lower()


class StaffService:
    """Staff accounts: the CLI's commands (no caller to check) and the sign-in page's check."""

    def __init__(self, uc: UseCases) -> None:
        self.uc = uc
        self.db = uc.db

    async def create(
        self, slug: str, email: str, name: str, role: str, password: str, *, totp: bool = False
    ) -> NewStaff:
        email = _email(email)
        name = validation.required_text(name, field="name")
        role_value = _role(role).value
        digest = _hasher.hash(_password(password))
        secret = pyotp.random_base32() if totp else None

        async def body(s: AsyncSession, now: datetime) -> NewStaff:
            practice = await _practice(s, slug)
            if await repo.by_email(s, practice.id, email) is not None:
                raise Conflict(f"{email} already has an account in {slug!r}", field="email")
            row = m.StaffUser(
                practice_id=practice.id,
                email=email,
                name=name,
                role=role_value,
                password_hash=digest,
                totp_secret=secret,
                created_at=now,
            )
            s.add(row)
            await s.flush()
            await audit.record(s, Principal(practice.id, "cli"), now, "user.create", "staff_user", row.id)
            uri = None
            if secret is not None:
                uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=f"{TOTP_ISSUER} ({slug})")
            return NewStaff(info=_info(row), totp_uri=uri)

        return await self.uc.run(body)

    async def list_all(self, slug: str) -> list[StaffInfo]:
        async with self.db.read() as s:
            practice = await _practice(s, slug)
            return [_info(r) for r in await repo.list_for(s, practice.id)]

    async def get(self, practice_id: int, user_id: int) -> StaffInfo | None:
        async with self.db.read() as s:
            row = await repo.get(s, practice_id, user_id)
            return None if row is None else _info(row)

    async def disable(self, slug: str, who: str) -> StaffInfo:
        """Disable an account (by id or email): it can no longer sign in, and every token issued to
        it stops working at once."""

        async def body(s: AsyncSession, now: datetime) -> StaffInfo:
            practice = await _practice(s, slug)
            row = await _find(s, practice.id, who)
            if row.disabled_at is None:
                row.disabled_at = now
                await oauth_repo.revoke_grants(s, practice.id, now, "user_disabled", actor=f"user:{row.id}")
                await audit.record(
                    s, Principal(practice.id, "cli"), now, "user.disable", "staff_user", row.id
                )
            return _info(row)

        return await self.uc.run(body)

    async def set_password(self, slug: str, who: str, password: str) -> StaffInfo:
        digest = _hasher.hash(_password(password))

        async def body(s: AsyncSession, now: datetime) -> StaffInfo:
            practice = await _practice(s, slug)
            row = await _find(s, practice.id, who)
            row.password_hash = digest
            await audit.record(s, Principal(practice.id, "cli"), now, "user.password", "staff_user", row.id)
            return _info(row)

        return await self.uc.run(body)

    async def authenticate(self, slug: str, email: str, password: str, totp_code: str | None) -> Identity:
        """Check a sign-in. Every failure is a SignInRefused; failures of a known account are audited."""
        try:
            email = _email(email)
            validation.slug(slug, field="practice")
        except FrontdeskError:
            _hasher_verify(_dummy_hash(), password)
            raise SignInRefused("credentials", "the practice, email or password is not right") from None

        async def body(s: AsyncSession, now: datetime) -> Identity | SignInRefused:
            practice = await dir_repo.practice_by_slug(s, slug)
            row = await repo.by_email(s, practice.id, email) if practice is not None else None
            if practice is None or row is None:
                _hasher_verify(_dummy_hash(), password)
                raise SignInRefused("credentials", "the practice, email or password is not right")
            refusal = self._check(row, password, totp_code, now)
            who = Principal(practice.id, f"user:{row.id}")
            if refusal is not None:
                await audit.record(s, who, now, "user.sign_in", "staff_user", row.id, outcome=refusal.reason)
                return refusal
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            row.last_sign_in_at = now
            await audit.record(s, who, now, "user.sign_in", "staff_user", row.id)
            return Identity(
                practice_id=practice.id,
                practice_slug=practice.slug,
                practice_name=practice.name,
                user_id=row.id,
                name=row.name,
                email=row.email,
                role=Role(row.role),
            )

        outcome = await self.uc.run(body)
        if isinstance(outcome, SignInRefused):  # its audit entry is committed; now it is raised
            raise outcome
        return outcome

    def _check(
        self, row: m.StaffUser, password: str, totp_code: str | None, now: datetime
    ) -> SignInRefused | None:
        if not _hasher_verify(row.password_hash, password) or row.disabled_at is not None:
            return SignInRefused("credentials", "the practice, email or password is not right")
        if row.totp_secret is None:
            return None
        code = (totp_code or "").strip().replace(" ", "")
        if not code:
            return SignInRefused("totp", "enter the 6-digit code from your authenticator app")
        step = _totp_step(row.totp_secret, code, now)
        if step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
            return SignInRefused("totp", "that code is not right (or was already used); try the next one")
        row.totp_last_step = step
        return None

    @staticmethod
    def scopes_for(role: Role) -> frozenset[str]:
        return ROLE_SCOPES[role]


def _hasher_verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a code belongs to (the current one or either neighbour, for clock drift)."""
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return totp.timecode(now) + offset
    return None


async def _find(s: AsyncSession, practice_id: int, who: str) -> m.StaffUser:
    row = (
        await repo.get(s, practice_id, int(who))
        if who.isdigit()
        else await repo.by_email(s, practice_id, who)
    )
    if row is None:
        raise NotFound(f"no staff account {who!r} in this practice", field="user")
    return row


async def _practice(s: AsyncSession, slug: str) -> m.Practice:
    row = await dir_repo.practice_by_slug(s, slug)
    if row is None:
        raise NotFound(f"no practice with slug {slug!r}", field="practice")
    return row
