"""Professional communities: a leading school and its partner schools researching a methodical
theme over several years (yearly stages), temporary creative groups, and a text-only threaded
discussion for each community and each group."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.db import Model, UTCDateTime, utcnow
from intersession.schools.models import School

community_school = Table(
    "community_school",
    Model.metadata,
    Column("community_id", ForeignKey("community.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("school.id", ondelete="CASCADE"), primary_key=True),
)
group_member = Table(
    "creative_group_member",
    Model.metadata,
    Column("group_id", ForeignKey("creative_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Community(Model):
    __tablename__ = "community"
    __table_args__ = (CheckConstraint("first_year <= last_year", name="years"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(500))  # the methodical theme it researches
    description: Mapped[str] = mapped_column(Text, default="")
    leading_school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    first_year: Mapped[int]  # the calendar years the research plan spans
    last_year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    leading_school: Mapped[School] = relationship(foreign_keys=[leading_school_id])
    partners: Mapped[list[School]] = relationship(
        secondary=community_school, order_by="School.name"
    )
    stages: Mapped[list[CommunityStage]] = relationship(
        order_by="CommunityStage.year, CommunityStage.id", cascade="all, delete-orphan"
    )
    groups: Mapped[list[CreativeGroup]] = relationship(
        order_by="CreativeGroup.deadline", cascade="all, delete-orphan", back_populates="community"
    )

    @property
    def school_ids(self) -> set[int]:
        return {self.leading_school_id, *(s.id for s in self.partners)}


class CommunityStage(Model):
    """A year's stage of the community's research plan, with the events planned for it."""

    __tablename__ = "community_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    plan: Mapped[str] = mapped_column(Text, default="")  # goals and planned events, as written


class CreativeGroup(Model):
    """A temporary creative group: its members, a task, a deadline and, at the end, a result."""

    __tablename__ = "creative_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    task: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    result: Mapped[str] = mapped_column(Text, default="")
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship(back_populates="groups")
    members: Mapped[list[User]] = relationship(secondary=group_member, order_by="User.full_name")


class Thread(Model):
    """A discussion of a community, or of one of its groups."""

    __tablename__ = "discussion_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("community.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("creative_group.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship()
    group: Mapped[CreativeGroup | None] = relationship()
    posts: Mapped[list[Post]] = relationship(
        order_by="Post.id", cascade="all, delete-orphan", back_populates="thread"
    )


class Post(Model):
    """A message of a thread, text only; a reply names the message it answers."""

    __tablename__ = "discussion_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_thread.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion_post.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author: Mapped[User | None] = relationship()
