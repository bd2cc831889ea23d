"""Who uses Learnloop: users with a role, teams, and who belongs to (or leads) which team."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class Role(StrEnum):
    EMPLOYEE = "employee"
    LEAD = "lead"
    ADMIN = "admin"


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field(Role, default=Role.EMPLOYEE, index=True)
    # IANA name; streaks and "today" are counted in the user's own time zone.
    timezone: str = Field(default="UTC", max_length=64)
    # False until the person (or their browser, on first sign-in) has chosen a zone.
    timezone_chosen: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Whether other people see this person's name on leaderboards (else "Anonymous participant").
    show_on_leaderboards: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # 0: no picture (the page shows initials); goes up with each upload, so the picture's URL changes.
    avatar_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    is_active: bool = Field(default=True)
    # Lessons published to the whole organisation name this person only if they agreed (their team sees names).
    show_name_in_library: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Every sign-in cookie carries the generation it was issued in; raising it revokes them all (sign-out,
    # password set, (de)activation, role change). See webapp.auth.sessions.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # First page seen after signing in (None: never came): the dashboard greets a first visit as one.
    first_seen_at: datetime | None = None
    # When the person closed the first-run welcome of their role (None: it is still shown).
    welcomed_at: datetime | None = None
    created_at: datetime = created_at_field()

    # Flask-Login protocol, kept here so the model needs no mixin from the web layer.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session cookie stores: the id and the session generation, e.g. "42:3"."""
        return f"{self.id}:{self.session_generation}"


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    created_at: datetime = created_at_field()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "team_id", name="uq_membership_user_team"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    is_lead: bool = Field(default=False)
    joined_at: datetime = created_at_field()


class Avatar(SQLModel, table=True):
    """A person's uploaded picture, re-encoded by the server; kept in the database so every web process
    serves it (no shared disk needed). No row: the page shows their initials."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    image: bytes = Field(sa_type=LargeBinary)
    content_type: str = Field(max_length=32)
    updated_at: datetime = created_at_field()
