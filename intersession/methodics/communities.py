"""Professional communities and their creative groups and discussions. The members of a community
are the teachers of its leading and partner schools; the hub's methodologists run it; a group's
space is its members' (and the methodologists')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.core.web import path_for
from intersession.methodics.access import is_methodologist, is_teacher
from intersession.methodics.community_models import (
    Community,
    CommunityStage,
    CreativeGroup,
    Post,
    Thread,
)
from intersession.notifications.services import notify_once, register_text
from intersession.schools.models import School

MAX_POST = 10000
MAX_PARTNERS = 30

register_text("forum-reply", lambda p: _("%(author)s wrote in “%(title)s”.", **p))


def is_member(user: User, community: Community) -> bool:
    return is_teacher(user) and user.school_id in community.school_ids


def may_see_community(user: User, community: Community) -> bool:
    if user.hub_id != community.hub_id:
        return False
    return is_member(user, community) or is_methodologist(user, community.hub_id)


def may_see_group(user: User, group: CreativeGroup) -> bool:
    if user.hub_id != group.community.hub_id:
        return False
    return user in group.members or is_methodologist(user, group.community.hub_id)


def may_see_thread(user: User, thread: Thread) -> bool:
    if thread.group is not None:
        return may_see_group(user, thread.group)
    return may_see_community(user, thread.community)


def _words(text: str, limit: int, field: str, missing: str) -> str:
    cleaned = " ".join(text.split())[:limit]
    if not cleaned:
        raise DomainError(missing, field)
    return cleaned


@dataclass
class CommunityPlan:
    name: str
    theme: str
    leading_school: School
    partners: list[School]
    first_year: int
    last_year: int
    description: str = ""


def create_community(actor: User, plan: CommunityPlan) -> Community:
    if not is_methodologist(actor, actor.hub_id):
        raise Forbidden(_("Communities are set up by the hub's methodical service."))
    schools = [plan.leading_school, *plan.partners]
    if any(s.hub_id != actor.hub_id and s.id != actor.hub_id for s in schools):
        raise DomainError(_("Choose schools of your hub."), "partners")
    partners = [s for s in dict.fromkeys(plan.partners) if s.id != plan.leading_school.id]
    if not partners:
        raise DomainError(_("Choose at least one partner school."), "partners")
    if len(partners) > MAX_PARTNERS:
        raise DomainError(ngettext("At most %(num)d school.", "At most %(num)d schools.", MAX_PARTNERS), "partners")  # fmt: skip
    if not 2000 <= plan.first_year <= plan.last_year <= plan.first_year + 9:
        raise DomainError(_("The plan spans from one to ten years, the first before the last."), "last_year")  # fmt: skip
    community = Community(
        hub_id=actor.hub_id, name=_words(plan.name, 300, "name", _("Name the community.")),
        theme=_words(plan.theme, 500, "theme", _("Name the methodical theme it researches.")),
        description=plan.description.strip()[:5000], leading_school=plan.leading_school,
        partners=partners, first_year=plan.first_year, last_year=plan.last_year,
    )  # fmt: skip
    db.session.add(community)
    db.session.commit()
    return community


def add_stage(
    actor: User, community: Community, year: int, title: str, plan: str
) -> CommunityStage:
    if not is_methodologist(actor, community.hub_id):
        raise Forbidden(_("Communities are set up by the hub's methodical service."))
    if not community.first_year <= year <= community.last_year:
        raise DomainError(_("Choose a year of the community's plan."), "year")
    stage = CommunityStage(year=year, title=_words(title, 300, "title", _("Name the stage.")),
                           plan=plan.strip()[:5000])  # fmt: skip
    community.stages.append(stage)
    db.session.commit()
    return stage


def create_group(actor: User, community: Community, name: str, task: str, deadline: date,
                 members: list[User]) -> CreativeGroup:  # fmt: skip
    if not is_methodologist(actor, community.hub_id):
        raise Forbidden(_("Communities are set up by the hub's methodical service."))
    chosen = list(dict.fromkeys(members))
    if not chosen:
        raise DomainError(_("Choose the group's members."), "members")
    if any(not is_member(m, community) for m in chosen):
        raise DomainError(_("Choose teachers of the community's schools."), "members")
    if not task.strip():
        raise DomainError(_("Say what the group is to do."), "task")
    group = CreativeGroup(name=_words(name, 300, "name", _("Name the group.")), task=task.strip()[:5000],
                          deadline=deadline, members=chosen)  # fmt: skip
    community.groups.append(group)
    db.session.commit()
    return group


def record_result(actor: User, group: CreativeGroup, result: str) -> None:
    """A member or a methodologist writes what the group achieved."""
    if actor not in group.members and not is_methodologist(actor, group.community.hub_id):
        raise Forbidden(_("The group's members record its result."))
    text = result.strip()[:10000]
    if not text:
        raise DomainError(_("Write the group's result."), "result")
    group.result, group.result_at = text, utcnow()
    db.session.commit()


def _text(text: str) -> str:
    """A message as written (line breaks kept), without trailing spaces; shown escaped."""
    cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not cleaned:
        raise DomainError(_("Write the message."), "text")
    if len(cleaned) > MAX_POST:
        raise DomainError(_("A message is at most %(num)d characters.", num=MAX_POST), "text")
    return cleaned


def start_thread(author: User, community: Community, group: CreativeGroup | None, title: str,
                 text: str) -> Thread:  # fmt: skip
    allowed = (
        may_see_group(author, group) if group is not None else may_see_community(author, community)
    )
    if not allowed or (group is not None and group.community_id != community.id):
        raise Forbidden(_("Only the community's members write in its discussions."))
    thread = Thread(community=community, group=group, author_id=author.id,
                    title=_words(title, 300, "title", _("Give the discussion a title.")))  # fmt: skip
    thread.posts.append(Post(author_id=author.id, text=_text(text)))
    db.session.add(thread)
    db.session.commit()
    return thread


def reply(author: User, thread: Thread, text: str, parent: Post | None = None) -> Post:
    """A reply, to the thread or to one of its messages; those who wrote in it are told."""
    if not may_see_thread(author, thread):
        raise Forbidden(_("Only the community's members write in its discussions."))
    if parent is not None and parent.thread_id != thread.id:
        raise DomainError(_("Answer a message of this discussion."), "parent")
    if len(thread.posts) >= 2000:
        raise Conflict(_("The discussion is full: start a new one."))
    post = Post(author_id=author.id, text=_text(text), parent_id=parent.id if parent else None)
    thread.posts.append(post)
    thread.last_post_at = utcnow()
    db.session.flush()
    told = {p.author_id for p in thread.posts if p.author_id is not None} - {author.id}
    for user_id in told:
        notify_once(user_id, "forum-reply", f"forum-reply:{post.id}:{user_id}",
                    {"author": author.full_name, "title": thread.title},
                    path_for("methodics.thread", thread_id=thread.id) + f"#post-{post.id}")  # fmt: skip
    db.session.commit()
    return post
