"""People who sign in to the planner, and what their role lets them do."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from planner.domain.vocabulary import UserRole
from planner.extensions import db
from planner.models.types import UTCDateTime, enum_type, utcnow


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

    @property
    def is_active(self) -> bool:
        """A deactivated user cannot sign in."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        # Tests may choose a cheaper (still salted) method; the service uses scrypt.
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def can(self, role: UserRole) -> bool:
        """Whether this user holds the given role or a higher one."""
        order = list(UserRole)
        return order.index(self.role) >= order.index(role)

    def __repr__(self) -> str:
        return f"<User {self.username}>"
