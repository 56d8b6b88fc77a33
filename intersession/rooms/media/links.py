"""What a listener's link carries, judged from its receiver reports, and which picture it gets.

Each listener's client reports, about once a second per stream, how many packets it has lost and
how long a round trip takes. The judge turns those into one of the source's pictures: the full
encoding, the small one (a camera published in two), or none (sound only). It goes down when the
link loses more than congestion allows, and tries the next picture up after a clean spell; a try
that fails makes the next one wait twice as long; the full picture is tried more rarely than the
small one, because a failed try costs the link a second or two of everything, sound included. Sound is never judged away: when the link loses
packets, the listener's sound is also sent twice (see hooks.sound_sent_twice).

Random loss on a rural link (a few per cent) is not congestion: a picture that does not fit fills
the link's queue and loses far more, and the round trip grows with the queue.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

CHECK_EVERY = 1.0  # seconds between looks at a listener's reports
WINDOW = 2.5  # seconds of reports the loss is counted over
TOO_LOSSY = 0.15  # lost share over the window that means the picture does not fit
CLEAN = 0.08  # at most this lost share, and no queue, for a spell to count as clean
QUEUE_DELAY = 0.4  # round trip above the link's best by this much: a queue is building
# Seconds clean before the next picture up is tried: soon for the small one (it costs little
# if it does not fit), later for the full one (a try that fails fills the link's queue for a
# second or two, sound and all: on a rural link it must be rare, not the rule).
UP_AFTER = 10.0
UP_TO_FULL_AFTER = 45.0
UP_AFTER_MOST = 300.0  # the wait after tries that failed doubles up to this
TRY_FAILS_WITHIN = 6.0  # going down this soon after going up: the try failed
SETTLE = 3.0  # seconds after going down before the link is judged again: its queue drains, and
# the reports still count what the bigger picture lost
OUTAGE = 3.0  # no report for this long (and three usual gaps): the link was gone, not congested
REPEAT_FROM = 0.02  # lost share from which the sound is sent twice
REPEAT_UNTIL_CLEAN = 10.0  # seconds with less loss than that before it is sent once again


@dataclass
class Counts:
    """One stream's totals as its latest receiver report gave them."""

    lost: int = 0
    received: int = 0


@dataclass
class LinkJudge:
    """The picture one listener gets of one source: an index into `pictures` (best first; the
    last is None, sound only)."""

    pictures: list[str | None]
    level: int = 0
    repeat_sound: bool = False
    _samples: deque[tuple[float, int, int]] = field(default_factory=deque)  # time, lost, total
    _last: dict[str, Counts] = field(default_factory=dict)
    _best_rtt: float | None = None
    _clean_since: float | None = None
    _changed_at: float = 0.0
    _went_up_at: float | None = None
    _failed_tries: int = 0  # tries up that failed in a row (each doubles the next wait)
    _lossy_at: float | None = None
    _over: int = 0  # consecutive looks over TOO_LOSSY
    _settle_until: float = 0.0
    _reported_at: float | None = None  # when the reports last moved on
    _usual_gap: float = CHECK_EVERY

    @property
    def picture(self) -> str | None:
        return self.pictures[self.level]

    def report(self, now: float, streams: dict[str, Counts], rtt: float | None) -> bool:
        """Take the latest totals per stream (audio, video) and the round trip; returns whether
        the picture changed."""
        if all(self._last.get(name) == counts for name, counts in streams.items()):
            return False  # no new report since the last look
        gap = now - self._reported_at if self._reported_at is not None else 0.0
        self._reported_at = now
        outage = gap > max(OUTAGE, 3 * self._usual_gap)
        # Learnt also from gaps taken for outages: a browser that only receives sound reports
        # every 5 s, and must not be taken for one that keeps losing its link.
        self._usual_gap = 0.8 * self._usual_gap + 0.2 * gap
        if outage:
            # The first report after the link came back counts what was lost while it was gone:
            # that says nothing of what it carries. It only sets where the next one starts from.
            self._last.update(streams)
            self._samples.clear()
            return False
        lost = total = 0
        for name, counts in streams.items():
            before = self._last.get(name, Counts())
            self._last[name] = counts
            if counts.received + counts.lost < before.received + before.lost:
                before = Counts()  # a new stream (the sender was replaced)
            if counts.received <= before.received:
                # Nothing new came through; losses counted now are old ones, learnt late (when
                # the first packet after a gap arrived, e.g. the new picture's first).
                continue
            lost += max(0, counts.lost - before.lost)
            total += counts.received - before.received + max(0, counts.lost - before.lost)
        self._samples.append((now, lost, total))
        if now < self._settle_until:
            self._samples.clear()
            return False
        while self._samples and self._samples[0][0] < now - WINDOW:
            self._samples.popleft()
        window_total = sum(sample[2] for sample in self._samples)
        if window_total < 10:
            return False  # too little to judge by
        loss = sum(sample[1] for sample in self._samples) / window_total
        if rtt is not None:
            self._best_rtt = rtt if self._best_rtt is None else min(self._best_rtt, rtt)
        queued = (
            rtt is not None and self._best_rtt is not None and rtt > self._best_rtt + QUEUE_DELAY
        )
        self._judge_sound(now, loss)
        self._over = self._over + 1 if loss > TOO_LOSSY else 0
        trying = self._went_up_at is not None and now - self._went_up_at < TRY_FAILS_WITHIN
        if self._over >= 2 or (self._over and trying) or loss > 2 * TOO_LOSSY:
            return self._down(now)
        if loss > CLEAN or queued:
            self._clean_since = None
            return False
        if self._clean_since is None:
            self._clean_since = now
        if self._went_up_at is not None and not trying:
            self._went_up_at, self._failed_tries = None, 0  # the last try held
        if self.level > 0 and now - self._clean_since >= self.wait_up:
            return self._up(now)
        return False

    @property
    def wait_up(self) -> float:
        """How long the link must stay clean before the next picture up is tried."""
        target = self.pictures[self.level - 1] if self.level > 0 else None
        base = UP_TO_FULL_AFTER if target == "full" else UP_AFTER
        return min(UP_AFTER_MOST, base * 2**self._failed_tries)

    def _judge_sound(self, now: float, loss: float) -> None:
        if loss >= REPEAT_FROM:
            self._lossy_at = now
            self.repeat_sound = True
        elif self._lossy_at is None or now - self._lossy_at >= REPEAT_UNTIL_CLEAN:
            self.repeat_sound = False

    def _down(self, now: float) -> bool:
        self._over = 0
        self._clean_since = None
        self._samples.clear()  # what the old picture lost says nothing of the new one
        if self._went_up_at is not None and now - self._went_up_at < TRY_FAILS_WITHIN:
            self._failed_tries += 1
        self._went_up_at = None
        self._settle_until = now + SETTLE
        if self.level == len(self.pictures) - 1:
            return False
        self.level += 1
        self._changed_at = now
        return True

    def try_up(self, now: float) -> bool:
        """The listener asked for a better picture now (their page's "try the picture"): a try
        up like the judge's own, which a lossy link takes back within TRY_FAILS_WITHIN."""
        return self.level > 0 and self._up(now)

    def _up(self, now: float) -> bool:
        self.level -= 1
        self._changed_at = now
        self._went_up_at = now
        self._clean_since = None
        self._samples.clear()
        return True
