"""People who sign in to the planner, and what their role lets them do."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models.places import Region
from planner.models.types import UTCDateTime, enum_type, utcnow


def new_session_token() -> str:
    """A random value no session of the past can hold."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A signed-in user: an admin, a manager or a viewer."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[UserRole] = mapped_column(enum_type(UserRole, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every session cookie carries this; a new one ends every session signed in before it.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Wrong passwords since the last right one, and until when sign-in is refused after them.
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Need-to-know: a national user sees every region; anyone else only the regions given them.
    national: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Where their weekly digest of alerts and news of their failed runs go (none: not sent).
    email: Mapped[str | None] = mapped_column(String(254))
    regions: Mapped[list[Region]] = relationship(
        secondary="region_access", order_by="Region.name", viewonly=True
    )

    @property
    def is_active(self) -> bool:
        """A deactivated user cannot sign in."""
        return self.active

    def locked_at(self, moment: datetime) -> bool:
        """Whether sign-in to this account is refused at a moment, right password or not."""
        return self.locked_until is not None and moment < self.locked_until

    def get_id(self) -> str:
        """What a session names its user by: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """End every session this user has, in every browser: their cookies stop working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password; end the old sessions."""
        # Tests may choose a cheaper (still salted) method; the service uses scrypt.
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()
        # A new password makes the guessing that locked the account pointless.
        self.failed_sign_ins = 0
        self.locked_until = None

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def can(self, role: UserRole) -> bool:
        """Whether this user holds the given role or a higher one."""
        order = list(UserRole)
        return order.index(self.role) >= order.index(role)

    def __repr__(self) -> str:
        return f"<User {self.username}>"
