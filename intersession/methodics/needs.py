"""The survey of teachers' educational needs: the methodologist writes and publishes it, the
hub's teachers answer by subject, methodical theme and format, and its results are the hub's
database of needs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.methodics.access import is_methodologist, is_teacher
from intersession.methodics.models import (
    Format,
    NeedFormat,
    NeedsResponse,
    NeedsSurvey,
    SurveyState,
    SurveyTheme,
)
from intersession.schools.models import Subject

MAX_THEMES = 30


def _require_methodologist(actor: User, hub_id: int) -> None:
    if not is_methodologist(actor, hub_id):
        raise Forbidden(_("The hub's methodical service runs its surveys."))


def _themes(lines: list[str]) -> list[str]:
    """The themes as written, one per line: spaces folded, blanks and repeats left out."""
    found: list[str] = []
    for line in lines:
        title = " ".join(line.split())[:300]
        if title and title.casefold() not in {t.casefold() for t in found}:
            found.append(title)
    if not found:
        raise DomainError(_("Name at least one methodical theme."), "themes")
    if len(found) > MAX_THEMES:
        raise DomainError(
            ngettext("At most %(num)d theme.", "At most %(num)d themes.", MAX_THEMES), "themes"
        )
    return found


def _title(text: str) -> str:
    title = " ".join(text.split())[:300]
    if not title:
        raise DomainError(_("Give the survey a title."), "title")
    return title


def create_survey(actor: User, title: str, intro: str, themes: list[str]) -> NeedsSurvey:
    _require_methodologist(actor, actor.hub_id)
    survey = NeedsSurvey(hub_id=actor.hub_id, title=_title(title), intro=intro.strip()[:5000],
                         created_by_id=actor.id)  # fmt: skip
    survey.themes = [SurveyTheme(position=n, title=t) for n, t in enumerate(_themes(themes), 1)]
    db.session.add(survey)
    db.session.commit()
    return survey


def change_survey(actor: User, survey: NeedsSurvey, title: str, intro: str, themes: list[str]) -> None:  # fmt: skip
    """Only a draft changes: the answers of an open survey name its themes."""
    _require_methodologist(actor, survey.hub_id)
    if survey.state is not SurveyState.DRAFT:
        raise Conflict(_("The survey is published: it can no longer be changed."))
    titles = _themes(themes)
    survey.title, survey.intro = _title(title), intro.strip()[:5000]
    survey.themes = [SurveyTheme(position=n, title=t) for n, t in enumerate(titles, 1)]
    db.session.commit()


def publish_survey(actor: User, survey: NeedsSurvey) -> None:
    _require_methodologist(actor, survey.hub_id)
    if survey.state is not SurveyState.DRAFT:
        raise Conflict(_("The survey is published already."))
    survey.state, survey.opened_at = SurveyState.OPEN, utcnow()
    db.session.commit()


def close_survey(actor: User, survey: NeedsSurvey) -> None:
    _require_methodologist(actor, survey.hub_id)
    if survey.state is not SurveyState.OPEN:
        raise Conflict(_("Only an open survey can be closed."))
    survey.state, survey.closed_at = SurveyState.CLOSED, utcnow()
    db.session.commit()


@dataclass
class Answer:
    subjects: list[Subject] = field(default_factory=list)
    themes: list[SurveyTheme] = field(default_factory=list)
    formats: list[Format] = field(default_factory=list)
    other_needs: str = ""


def response_of(teacher: User, survey: NeedsSurvey) -> NeedsResponse | None:
    return db.session.scalar(
        select(NeedsResponse).where(
            NeedsResponse.survey_id == survey.id, NeedsResponse.teacher_id == teacher.id
        )
    )


def answer_survey(teacher: User, survey: NeedsSurvey, answer: Answer) -> NeedsResponse:
    """The teacher's answer, or a new answer in its place while the survey is open."""
    if not is_teacher(teacher) or teacher.hub_id != survey.hub_id:
        raise Forbidden(_("The survey is answered by the hub's teachers."))
    if survey.state is not SurveyState.OPEN:
        raise Conflict(_("The survey is not open for answers."))
    if any(s.hub_id != survey.hub_id for s in answer.subjects) or any(
        t.survey_id != survey.id for t in answer.themes
    ):
        raise DomainError(_("Choose among the survey's options."))
    other = answer.other_needs.strip()[:5000]
    if not (answer.subjects or answer.themes or answer.formats or other):
        raise DomainError(_("Choose at least one need, or write it in your own words."))
    response = response_of(teacher, survey) or NeedsResponse(survey=survey, teacher=teacher)
    response.subjects = list(dict.fromkeys(answer.subjects))
    response.themes = list(dict.fromkeys(answer.themes))
    response.formats = [NeedFormat(format=f) for f in dict.fromkeys(answer.formats)]
    response.other_needs = other
    response.answered_at = utcnow()
    db.session.add(response)
    db.session.commit()
    return response


@dataclass
class Needs:
    """The database of needs as filtered: the answers, and how often each option was chosen."""

    responses: list[NeedsResponse]
    by_theme: list[tuple[SurveyTheme, int]]
    by_subject: list[tuple[Subject, int]]
    by_format: list[tuple[Format, int]]


def needs_of(survey: NeedsSurvey, school_id: int | None = None, subject_id: int | None = None,
             theme_id: int | None = None) -> Needs:  # fmt: skip
    responses = [
        r
        for r in survey.responses
        if (school_id is None or r.teacher.school_id == school_id)
        and (subject_id is None or any(s.id == subject_id for s in r.subjects))
        and (theme_id is None or any(t.id == theme_id for t in r.themes))
    ]
    themes = Counter(t.id for r in responses for t in r.themes)
    subjects = Counter(s.id for r in responses for s in r.subjects)
    formats = Counter(f.format for r in responses for f in r.formats)
    chosen_subjects = {s.id: s for r in responses for s in r.subjects}
    return Needs(
        responses=sorted(responses, key=lambda r: (r.teacher.school.name, r.teacher.full_name)),
        by_theme=[(t, themes[t.id]) for t in survey.themes],
        by_subject=sorted(
            ((chosen_subjects[i], n) for i, n in subjects.items()),
            key=lambda pair: (-pair[1], pair[0].name),
        ),
        by_format=[(f, formats[f]) for f in Format if formats[f]],
    )
