"""Managing who can sign in: accounts, roles, passwords, and never locking the admins out."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.admin.refusal import RefusedChange
from planner.domain.vocabulary import UserRole
from planner.models import User


def all_users(session: Session) -> list[User]:
    """Every account, by username."""
    return list(session.scalars(select(User).order_by(func.lower(User.username))))


def find_user(session: Session, user_id: int) -> User | None:
    """The account with this id, if there is one."""
    return session.get(User, user_id)


def add_user(session: Session, username: str, role: UserRole, password: str) -> User:
    """A new active account, unless the username is taken (in any mix of capitals)."""
    taken = session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise RefusedChange("username", f"There is already a user called {username}")
    user = User(username=username, role=role, active=True)
    user.set_password(password)
    session.add(user)
    return user


def change_role(session: Session, user: User, role: UserRole, actor: User) -> None:
    """Give a user another role; an admin cannot demote themselves or the last active admin."""
    if role == user.role:
        return
    if user.id == actor.id:
        raise RefusedChange("role", "You cannot change your own role: ask another admin")
    if role != UserRole.ADMIN:
        _keep_an_admin(session, user, "role", "change their role")
    user.role = role


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    """Let a user sign in or stop them; nobody can deactivate themselves or the last admin."""
    if active == user.active:
        return
    if not active and user.id == actor.id:
        raise RefusedChange("active", "You cannot deactivate your own account: ask another admin")
    if not active:
        _keep_an_admin(session, user, "active", "deactivate them")
    user.active = active


def set_password(user: User, password: str) -> None:
    """Choose a new password for a user (stored hashed)."""
    user.set_password(password)


def _keep_an_admin(session: Session, user: User, field: str, doing: str) -> None:
    """Refuse to remove the last active admin: nobody could then manage users or settings."""
    if user.role != UserRole.ADMIN or not user.active:
        return
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == UserRole.ADMIN, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise RefusedChange(
            field,
            f"{user.username} is the last active admin: make another user an admin "
            f"before you {doing}",
        )
