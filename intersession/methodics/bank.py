"""The resource bank (the "open archive" of methods): a teacher submits a material with its
files, the methodologist publishes it or returns it with a note; the hub's teachers find it by
words and filters, download it (counted), rate and comment on it; a guide attaches it to a step."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, select, update
from werkzeug.datastructures import FileStorage

from intersession.auth.models import Role, User
from intersession.core import storage
from intersession.core.collation import matches_search
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.core.files import AREA, StoredFile, kept_uploads
from intersession.core.web import is_local_path
from intersession.methodics.access import guides, is_methodologist, is_teacher
from intersession.methodics.bank_models import (
    Resource,
    ResourceComment,
    ResourceKind,
    ResourceRating,
    ResourceState,
)
from intersession.methodics.models import Format, HelpState, RouteStep
from intersession.notifications.services import notify_once, register_text
from intersession.schools.models import Subject

MAX_FILES = 10
ATTACHABLE = 300  # the newest published materials a step's picker offers (and accepts)
MAX_GRADE = 11

register_text("resource-published", lambda p: _("Your material is in the bank: %(title)s.", **p))
register_text(
    "resource-returned", lambda p: _("Your material was returned: %(title)s. %(note)s", **p)
)


@dataclass
class ResourcePlan:
    title: str
    kind: ResourceKind
    description: str = ""
    subject: Subject | None = None
    grade: int | None = None
    theme: str = ""
    format: Format | None = None
    link: str = ""


def may_read(viewer: User, resource: Resource) -> bool:
    """A published material: every teacher and coordinator of the hub; one under review: its
    author and the hub's methodologists."""
    if viewer.hub_id != resource.hub_id or viewer.role is Role.PUPIL:
        return False
    if resource.state is ResourceState.PUBLISHED:
        return True
    return viewer.id == resource.author_id or is_methodologist(viewer, resource.hub_id)


def _clean_link(link: str) -> str:
    link = link.strip()
    if not link:
        return ""
    try:
        external = link.startswith(("https://", "http://")) and bool(urlsplit(link).netloc)
    except ValueError:  # "http://[" and the like
        external = False
    if (
        len(link) > 1000
        or not link.isprintable()
        or " " in link
        or not (external or is_local_path(link))
    ):
        raise DomainError(_("Give a link that begins with https://."), "link")
    return link


def _apply(resource: Resource, plan: ResourcePlan) -> None:
    title = " ".join(plan.title.split())[:300]
    if not title:
        raise DomainError(_("Give the material a title."), "title")
    if plan.subject is not None and plan.subject.hub_id != resource.hub_id:
        raise DomainError(_("Choose a subject of your hub."), "subject")
    if plan.grade is not None and not 0 <= plan.grade <= MAX_GRADE:
        raise DomainError(_("Choose a grade from 0 to 11."), "grade")
    resource.title, resource.kind, resource.subject = title, plan.kind, plan.subject
    resource.description = plan.description.strip()[:10000]
    resource.grade, resource.format = plan.grade, plan.format
    resource.theme = " ".join(plan.theme.split())[:300]
    resource.link = _clean_link(plan.link)


def submit_resource(author: User, plan: ResourcePlan, uploads: list[FileStorage]) -> Resource:
    """A new material, waiting for review; its files are kept only if the whole of it is."""
    if not is_teacher(author):
        raise Forbidden(_("Materials are added to the bank by teachers."))
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > MAX_FILES:
        raise DomainError(ngettext("At most %(num)d file.", "At most %(num)d files.", MAX_FILES), "files")  # fmt: skip
    resource = Resource(hub_id=author.hub_id, author=author)
    _apply(resource, plan)
    if not uploads and not resource.link:
        raise DomainError(_("Attach a file or give a link."), "files")
    with kept_uploads(uploads, author.id) as kept:
        resource.files = list(kept)
        db.session.add(resource)
        db.session.commit()
    return resource


def change_resource(author: User, resource: Resource, plan: ResourcePlan) -> None:
    """The author changes a returned material and sends it for review again."""
    if author.id != resource.author_id:
        raise Forbidden(_("Only its author changes a material."))
    if resource.state is ResourceState.PUBLISHED:
        raise Conflict(_("The material is published: it can no longer be changed."))
    _apply(resource, plan)
    resource.state = ResourceState.SUBMITTED
    db.session.commit()


def review_resource(reviewer: User, resource: Resource, publish: bool, note: str) -> None:
    if not is_methodologist(reviewer, resource.hub_id) or reviewer.id == resource.author_id:
        raise Forbidden(_("A methodologist of the hub reviews the material, not its author."))
    if resource.state is not ResourceState.SUBMITTED:
        raise Conflict(_("The material is not waiting for review."))
    note = note.strip()[:5000]
    if not publish and not note:
        raise DomainError(_("Say what to change before it is published."), "note")
    now = utcnow()
    resource.state = ResourceState.PUBLISHED if publish else ResourceState.RETURNED
    resource.review_note, resource.reviewed_by_id, resource.reviewed_at = note, reviewer.id, now
    if publish:
        resource.published_at = now
    kind = "resource-published" if publish else "resource-returned"
    notify_once(resource.author_id, kind, f"{kind}:{resource.id}:{now.isoformat()}",
                {"title": resource.title, "note": note}, f"/support/bank/{resource.id}")  # fmt: skip
    db.session.commit()


def count_download(resource: Resource) -> None:
    """One more download, counted in the database (two teachers at once count twice)."""
    db.session.execute(
        update(Resource).where(Resource.id == resource.id).values(downloads=Resource.downloads + 1)
    )
    db.session.commit()


def rate_resource(teacher: User, resource: Resource, stars: int) -> None:
    if not is_teacher(teacher) or resource.state is not ResourceState.PUBLISHED:
        raise Forbidden(_("Published materials are rated by teachers."))
    if teacher.id == resource.author_id:
        raise Conflict(_("Authors do not rate their own materials."))
    if not 1 <= stars <= 5:
        raise DomainError(_("Choose a mark from 1 to 5."), "stars")
    rating = db.session.get(ResourceRating, (resource.id, teacher.id))
    if rating is None:
        db.session.add(ResourceRating(resource_id=resource.id, teacher_id=teacher.id, stars=stars))
    else:
        rating.stars = stars
    db.session.commit()


def comment_resource(author: User, resource: Resource, text: str) -> ResourceComment:
    if not may_read(author, resource) or resource.state is not ResourceState.PUBLISHED:
        raise Forbidden(_("Published materials are discussed by the hub's teachers."))
    text = text.strip()[:5000]
    if not text:
        raise DomainError(_("Write the comment."), "text")
    comment = ResourceComment(resource_id=resource.id, author_id=author.id, text=text)
    db.session.add(comment)
    db.session.commit()
    return comment


def remove_resource(actor: User, resource: Resource) -> None:
    """The author takes back a material not yet published; a methodologist removes any."""
    if not (
        is_methodologist(actor, resource.hub_id)
        or (actor.id == resource.author_id and resource.state is not ResourceState.PUBLISHED)
    ):
        raise Forbidden(_("Only a methodologist removes a published material."))
    names = [f.stored_name for f in resource.files]
    for stored in list(resource.files):
        db.session.delete(stored)
    db.session.delete(resource)
    db.session.commit()
    for name in names:
        storage.delete_file(AREA, name)


def attach_to_step(actor: User, step: RouteStep, resource: Resource) -> None:
    if not guides(actor, step.request):
        raise Forbidden(_("The route is built by its mentor or a methodologist."))
    if step.request.state is not HelpState.IN_ROUTE:
        raise Conflict(_("The route has ended: it can no longer be changed."))
    if resource.state is not ResourceState.PUBLISHED or resource.hub_id != step.request.hub_id:
        raise DomainError(_("Choose a material published in the hub's bank."), "resource")
    if resource not in step.resources:
        step.resources.append(resource)
    db.session.commit()


@dataclass
class Search:
    q: str = ""
    subject_id: int | None = None
    grade: int | None = None
    kind: ResourceKind | None = None
    format: Format | None = None


def published(hub_id: int, search: Search, limit: int = 100) -> list[Resource]:
    """The bank's published materials that match, newest first; the words are looked for in the
    title, the theme and the description, case aside (Cyrillic and Kazakh letters included)."""
    query: Select[Resource] = select(Resource).where(
        Resource.hub_id == hub_id, Resource.state == ResourceState.PUBLISHED
    )
    words = search.q.split()
    for word in words[:10]:
        query = query.where(
            matches_search(word, Resource.title, Resource.theme, Resource.description)
        )
    if search.subject_id is not None:
        query = query.where(Resource.subject_id == search.subject_id)
    if search.grade is not None:
        query = query.where(Resource.grade == search.grade)
    if search.kind is not None:
        query = query.where(Resource.kind == search.kind)
    if search.format is not None:
        query = query.where(Resource.format == search.format)
    return list(db.session.scalars(query.order_by(Resource.published_at.desc(), Resource.id.desc()).limit(limit)))  # fmt: skip


def waiting(hub_id: int, viewer: User) -> list[Resource]:
    """Materials not published: for a methodologist all the hub's waiting ones, for a teacher
    their own submitted or returned."""
    query = select(Resource).where(
        Resource.hub_id == hub_id, Resource.state != ResourceState.PUBLISHED
    )
    if not is_methodologist(viewer, hub_id):
        query = query.where(Resource.author_id == viewer.id)
    return list(db.session.scalars(query.order_by(Resource.created_at).limit(200)))


def contributed_count(author: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Resource.author_id == author.id, Resource.state == ResourceState.PUBLISHED
            )
        )
        or 0
    )


def file_of(resource: Resource, file_id: int) -> StoredFile | None:
    return next((f for f in resource.files if f.id == file_id), None)
