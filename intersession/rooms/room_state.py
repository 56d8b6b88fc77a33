"""What the live room keeps in the database: who came in, who was removed, the lock, the schools
that listen audio-only, and the classroom computers' ticks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.collation import sorted_by_name
from intersession.core.db import db, utcnow
from intersession.lessons.access import invited_pupils
from intersession.lessons.models import Lesson, RoomEntry, SchoolRoomSetting
from intersession.rooms import presence
from intersession.rooms.live import LiveRoom, Role


def _entry(lesson: Lesson, user_id: int) -> RoomEntry | None:
    return db.session.scalar(
        select(RoomEntry).where(RoomEntry.lesson_id == lesson.id, RoomEntry.user_id == user_id)
    )


def admit(lesson: Lesson, person: User, is_advisor: bool) -> str | None:
    """Record the person's coming in; returns why they may not ("removed", "locked") or None.
    Someone who was in before the lock may come back: a dropped link must not shut them out."""
    entry = _entry(lesson, person.id)
    if entry is not None and entry.removed_at is not None:
        return "removed"
    if entry is None:
        if lesson.room_locked and not is_advisor:
            return "locked"
        db.session.add(RoomEntry(lesson_id=lesson.id, user_id=person.id))
        db.session.commit()
    return None


def remove(lesson: Lesson, user_id: int) -> None:
    entry = _entry(lesson, user_id)
    if entry is None:
        entry = RoomEntry(lesson_id=lesson.id, user_id=user_id)
        db.session.add(entry)
    entry.removed_at = utcnow()
    db.session.commit()


def set_locked(lesson: Lesson, locked: bool) -> None:
    lesson.room_locked = locked
    db.session.commit()


def end(lesson: Lesson) -> None:
    lesson.room_ended_at = utcnow()
    db.session.commit()


def reopen(lesson: Lesson) -> None:
    """The advisor opens an ended room again (ended by mistake, or to go on)."""
    lesson.room_ended_at = None
    db.session.commit()


def set_camera_kbps(lesson: Lesson, kbps: int) -> None:
    lesson.camera_kbps = kbps
    db.session.commit()


def school_audio_only(school_id: int | None) -> bool:
    if school_id is None:
        return False
    setting = db.session.get(SchoolRoomSetting, school_id)
    return bool(setting and setting.audio_only)


def remember_audio_only(school_id: int | None, on: bool) -> None:
    """A school whose computer switched to audio only is started that way next time."""
    if school_id is None:
        return
    setting = db.session.get(SchoolRoomSetting, school_id)
    if setting is None:
        setting = SchoolRoomSetting(school_id=school_id)
        db.session.add(setting)
    setting.audio_only = on
    db.session.commit()


def _school_pupils(lesson: Lesson, tutor: User) -> list[User]:
    """The invited pupils of the classroom's school (one who left the cohort is not ticked)."""
    pupils = [p for p in invited_pupils(lesson) if p.school_id == tutor.school_id]
    return sorted_by_name(pupils, lambda p: p.full_name)


def classroom_pupils(room: LiveRoom, lesson: Lesson, tutor: User) -> list[dict[str, Any]]:
    """The pupils the classroom computer may tick: its school's invited pupils, less those
    connected on a computer of their own (they are in the room already; one ticked before
    they connected stays, to be unticked)."""
    ticked = room.ticks.get(tutor.id, {})
    elsewhere = room.on_own_device()
    return [{"id": p.id, "name": p.full_name, "present": p.id in ticked}
            for p in _school_pupils(lesson, tutor) if p.id in ticked or p.id not in elsewhere]  # fmt: skip


def show_ticked(room: LiveRoom, lesson: Lesson, tutor: User) -> None:
    """Every computer of the tutor's classroom names, in the participant list, who it ticked."""
    names = [p["name"] for p in classroom_pupils(room, lesson, tutor) if p["present"]]
    for person in room.of_user(tutor.id):
        if person.role == Role.CLASSROOM:
            person.ticked = names


def tick(room: LiveRoom, lesson: Lesson, tutor: User, pupil_id: Any, present: bool) -> str | None:
    """Tick a pupil of the tutor's school present behind the classroom computer, or untick them.
    The refusal's code when the pupil is not one of the school's invited pupils, or is
    connected on a computer of their own."""
    if not any(p.id == pupil_id for p in _school_pupils(lesson, tutor)):
        return "no-pupil"
    ticks = room.ticks.setdefault(tutor.id, {})
    if present and pupil_id not in ticks and pupil_id in room.on_own_device():
        return "on-own-device"
    if present and pupil_id not in ticks:
        ticks[pupil_id] = presence.joined(lesson, pupil_id, via_classroom=True)
    elif not present and pupil_id in ticks:
        interval = ticks.pop(pupil_id)
        if interval is not None:
            presence.left(interval)
    show_ticked(room, lesson, tutor)
    return None


def pause_ticks(room: LiveRoom, tutor_id: int) -> None:
    """The classroom computer left: its pupils stop counting until it is back."""
    for pupil_id, interval in room.ticks.get(tutor_id, {}).items():
        if interval is not None:
            presence.left(interval)
        room.ticks[tutor_id][pupil_id] = None


def reopen_ticks(room: LiveRoom, lesson: Lesson, tutor_id: int) -> None:
    """The classroom computer is back: the pupils it had ticked count again from now."""
    for pupil_id, interval in room.ticks.get(tutor_id, {}).items():
        if interval is None:
            room.ticks[tutor_id][pupil_id] = presence.joined(lesson, pupil_id, via_classroom=True)


def seats(lesson: Lesson) -> int:
    """How many can be in the lesson's room, known before anyone comes: its invited pupils, the
    advisor, and a classroom computer for each school those pupils come from. A media node
    reserves this much for the room (rooms/media/placement.py)."""
    pupils = invited_pupils(lesson)
    return len(pupils) + 1 + len({p.school_id for p in pupils if p.school_id is not None})
