"""Professional communities' pages: the list, setting one up, its plan, groups and discussions."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db, utcnow
from intersession.core.forms import apply
from intersession.methodics import communities
from intersession.methodics.access import TEACHERS, is_methodologist, is_teacher
from intersession.methodics.community_models import Community, CreativeGroup, Post, Thread
from intersession.methodics.forms import (
    CommunityForm,
    GroupForm,
    ReplyForm,
    ResultForm,
    StageForm,
    ThreadForm,
)
from intersession.methodics.views import bp
from intersession.methodics.views.common import person_choices
from intersession.schools.models import School, in_hub


def _community(community_id: int) -> Community:
    return get_visible_or_404(
        Community, community_id, lambda c: communities.may_see_community(current_user, c)
    )


def _group(group_id: int) -> CreativeGroup:
    return get_visible_or_404(
        CreativeGroup, group_id, lambda g: communities.may_see_group(current_user, g)
    )


def _schools() -> list[School]:
    return list(db.session.scalars(select(School).where(in_hub(current_user.hub_id))
                                   .order_by(School.kind, by_name(School.name))))  # fmt: skip


@bp.get("/communities")
@login_required
def communities_page() -> ResponseReturnValue:
    if not (is_teacher(current_user) or is_methodologist(current_user)):
        abort(404)
    found = db.session.scalars(select(Community).where(Community.hub_id == current_user.hub_id)
                               .order_by(Community.created_at.desc()))  # fmt: skip
    shown = [c for c in found if communities.may_see_community(current_user, c)]
    return render_template("methodics/communities.html", found=shown,
                           methodologist=is_methodologist(current_user))  # fmt: skip


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new_community() -> ResponseReturnValue:
    if not is_methodologist(current_user):
        abort(404)
    schools = _schools()
    form = CommunityForm()
    form.leading_school.choices = [SelectChoice(s.id, s.name) for s in schools]
    form.partners.choices = [SelectChoice(s.id, s.name) for s in schools]
    if request.method == "GET":
        this_year = utcnow().year
        form.first_year.data, form.last_year.data = this_year, this_year + 2
    if form.validate_on_submit():
        plan = communities.CommunityPlan(
            name=form.name.data or "", theme=form.theme.data or "",
            leading_school=next(s for s in schools if s.id == form.leading_school.data),
            partners=[s for s in schools if s.id in (form.partners.data or [])],
            first_year=form.first_year.data or 0, last_year=form.last_year.data or 0,
            description=form.description.data or "",
        )  # fmt: skip
        made = apply(form, lambda: communities.create_community(current_user, plan))
        if made:
            flash(_("The community is set up."), "success")
            return redirect(url_for("methodics.community", community_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/community_form.html", form=form), status


def _members(community: Community) -> list[User]:
    query = select(User).where(User.school_id.in_(community.school_ids), User.role.in_(TEACHERS),
                               User.active.is_(True)).order_by(by_name(User.full_name))  # fmt: skip
    return list(db.session.scalars(query))


def _threads(community: Community, group: CreativeGroup | None) -> list[Thread]:
    query = select(Thread).where(Thread.community_id == community.id)
    query = (
        query.where(Thread.group_id == group.id)
        if group
        else query.where(Thread.group_id.is_(None))
    )
    return list(db.session.scalars(query.order_by(Thread.last_post_at.desc()).limit(100)))


def render_community(community: Community, status: int = 200, **forms: Any) -> ResponseReturnValue:
    members = _members(community)
    forms.setdefault("stage_form", StageForm())
    forms.setdefault("group_form", GroupForm())
    forms.setdefault("thread_form", ThreadForm())
    forms["stage_form"].year.choices = [SelectChoice(y, str(y)) for y in range(community.first_year, community.last_year + 1)]  # fmt: skip
    forms["group_form"].members.choices = person_choices(members)
    if forms["group_form"].deadline.data is None:
        forms["group_form"].deadline.data = utcnow().date() + timedelta(days=60)
    return render_template(
        "methodics/community.html", community=community, members=members,
        threads=_threads(community, None), methodologist=is_methodologist(current_user, community.hub_id),
        **forms,
    ), status  # fmt: skip


@bp.get("/communities/<int:community_id>")
@login_required
def community(community_id: int) -> ResponseReturnValue:
    return render_community(_community(community_id))


@bp.post("/communities/<int:community_id>/stages")
@login_required
def add_stage(community_id: int) -> ResponseReturnValue:
    item = _community(community_id)
    form = StageForm()
    form.year.choices = [
        SelectChoice(y, str(y)) for y in range(item.first_year, item.last_year + 1)
    ]
    if form.validate_on_submit() and apply(form, lambda: communities.add_stage(
            current_user, item, form.year.data or 0, form.title.data or "", form.plan.data or "")):  # fmt: skip
        return redirect(url_for("methodics.community", community_id=item.id) + "#plan")
    return render_community(item, 400, stage_form=form)


@bp.post("/communities/<int:community_id>/groups")
@login_required
def add_group(community_id: int) -> ResponseReturnValue:
    item = _community(community_id)
    members = _members(item)
    form = GroupForm()
    form.members.choices = person_choices(members)
    if form.validate_on_submit():
        assert form.deadline.data is not None
        deadline = form.deadline.data
        chosen = [m for m in members if m.id in (form.members.data or [])]
        made = apply(form, lambda: communities.create_group(
            current_user, item, form.name.data or "", form.task.data or "", deadline, chosen))  # fmt: skip
        if made:
            flash(_("The creative group is set up."), "success")
            return redirect(url_for("methodics.group", group_id=made.id))
    return render_community(item, 400, group_form=form)


def render_group(group: CreativeGroup, status: int = 200, **forms: Any) -> ResponseReturnValue:
    forms.setdefault("result_form", ResultForm())
    forms.setdefault("thread_form", ThreadForm())
    return render_template("methodics/group.html", group=group, threads=_threads(group.community, group),
                           **forms), status  # fmt: skip


@bp.get("/groups/<int:group_id>")
@login_required
def group(group_id: int) -> ResponseReturnValue:
    return render_group(_group(group_id))


@bp.post("/groups/<int:group_id>/result")
@login_required
def group_result(group_id: int) -> ResponseReturnValue:
    item = _group(group_id)
    form = ResultForm()
    if form.validate_on_submit() and apply(form, lambda: communities.record_result(current_user, item, form.result.data or "")):  # fmt: skip
        flash(_("The group's result is recorded."), "success")
        return redirect(url_for("methodics.group", group_id=item.id))
    return render_group(item, 400, result_form=form)


def _start(community: Community, group: CreativeGroup | None) -> Thread | None:
    form = ThreadForm()
    if form.validate_on_submit():
        made: Thread | None = apply(form, lambda: communities.start_thread(
            current_user, community, group, form.title.data or "", form.text.data or ""))  # fmt: skip
        if made:
            return made
    raise _Refused(form)


class _Refused(Exception):
    def __init__(self, form: ThreadForm) -> None:
        self.form = form


@bp.post("/communities/<int:community_id>/threads")
@login_required
def community_thread(community_id: int) -> ResponseReturnValue:
    item = _community(community_id)
    try:
        made = _start(item, None)
    except _Refused as refused:
        return render_community(item, 400, thread_form=refused.form)
    assert made is not None
    return redirect(url_for("methodics.thread", thread_id=made.id))


@bp.post("/groups/<int:group_id>/threads")
@login_required
def group_thread(group_id: int) -> ResponseReturnValue:
    item = _group(group_id)
    try:
        made = _start(item.community, item)
    except _Refused as refused:
        return render_group(item, 400, thread_form=refused.form)
    assert made is not None
    return redirect(url_for("methodics.thread", thread_id=made.id))


def _thread(thread_id: int) -> Thread:
    return get_visible_or_404(
        Thread, thread_id, lambda t: communities.may_see_thread(current_user, t)
    )


def in_reading_order(posts: list[Post]) -> list[tuple[Post, int]]:
    """Each message after the one it answers, with how deep it is: walked with a stack, so a
    chain of two thousand replies is as safe to show as a flat thread."""
    children: dict[int | None, list[Post]] = defaultdict(list)
    for post in posts:
        children[post.parent_id].append(post)
    ordered: list[tuple[Post, int]] = []
    stack = [(post, 0) for post in reversed(children[None])]
    while stack:
        post, depth = stack.pop()
        ordered.append((post, depth))
        stack.extend((child, depth + 1) for child in reversed(children[post.id]))
    return ordered


def render_thread(
    thread: Thread, status: int = 200, form: ReplyForm | None = None
) -> ResponseReturnValue:
    return render_template("methodics/thread.html", thread=thread, posts=in_reading_order(thread.posts),
                           reply_form=form or ReplyForm()), status  # fmt: skip


@bp.get("/threads/<int:thread_id>")
@login_required
def thread(thread_id: int) -> ResponseReturnValue:
    item = _thread(thread_id)
    form = ReplyForm()
    answer = request.args.get("answer", type=int)  # the message whose "answer" link was followed
    form.parent.data = answer if any(p.id == answer for p in item.posts) else None
    return render_thread(item, 200, form)


@bp.post("/threads/<int:thread_id>/reply")
@login_required
def reply(thread_id: int) -> ResponseReturnValue:
    item = _thread(thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        parent = next((p for p in item.posts if p.id == form.parent.data), None)
        if form.parent.data is not None and parent is None:
            form.parent.errors = [_("Answer a message of this discussion.")]
        else:
            made = apply(
                form, lambda: communities.reply(current_user, item, form.text.data or "", parent)
            )
            if made:
                return redirect(url_for("methodics.thread", thread_id=item.id) + f"#post-{made.id}")
    return render_thread(item, 400, form)
