"""A school's link to the server, as the room's pre-flight panel measures it (down and up), and the
picture a listener of that school starts on.

The measurement is the page's: it fetches a sample of random bytes and sends one back, and times
both. Each check is kept (a school's link history). A listener starts on the picture the school's
latest check (of the last LINK_REMEMBERED days) says its link carries; the engine's judge
(media/links.py) moves it from there as its link does.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from intersession.core.db import db, utcnow
from intersession.rooms.models import LinkCheck

LINK_REMEMBERED = timedelta(days=30)
SOUND_KBPS = 100  # what the sound needs, sent twice on a lossy link, with its headers
SMALL_KBPS = 120  # the small picture (room.js sends it at 120 kbit/s)
MOST_KBPS = 10_000_000  # a measured rate above this is a mistake
SAMPLE_MAX_KB = 512


def record(school_id: int, user_id: int, down_kbps: int, up_kbps: int) -> LinkCheck:
    check = LinkCheck(school_id=school_id, user_id=user_id, down_kbps=down_kbps, up_kbps=up_kbps)
    db.session.add(check)
    db.session.commit()
    return check


def latest(school_id: int | None) -> LinkCheck | None:
    """The school's latest check, if it is recent enough to go by."""
    if school_id is None:
        return None
    return db.session.scalar(
        select(LinkCheck)
        .where(
            LinkCheck.school_id == school_id, LinkCheck.measured_at >= utcnow() - LINK_REMEMBERED
        )
        .order_by(LinkCheck.measured_at.desc(), LinkCheck.id.desc())
        .limit(1)
    )


def picture_for(down_kbps: int, camera_kbps: int) -> str:
    """What a link of `down_kbps` carries of a camera sent at `camera_kbps`: with room to spare
    (a link is never all one lesson's), the full picture; else the small one; else sound only."""
    if down_kbps >= 1.5 * (camera_kbps + SOUND_KBPS):
        return "full"
    if down_kbps >= 1.2 * (SMALL_KBPS + SOUND_KBPS):
        return "small"
    return "none"


def start_picture(school_id: int | None, camera_kbps: int) -> str:
    check = latest(school_id)
    return "full" if check is None else picture_for(check.down_kbps, camera_kbps)
