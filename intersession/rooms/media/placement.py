"""Which media node holds which room, in Redis, so that every web instance agrees.

- A node beats every BEAT_SECONDS: `media:node:<name>` holds its load as JSON (its id — name and
  incarnation —, address, capacity, reserved, listeners, cpu) for BEAT_TTL seconds, and its id is
  in the set `media:nodes`.
- A room is placed once, atomically, by a Lua script when it is first published to: on the living
  node with the most free capacity (capacity less what its rooms reserved), `media:room:<id>` set
  to that node's id (SET NX in effect: the script runs alone, and a room already placed keeps its
  node). The room reserves its seats — the participants the lesson can have, which the platform
  knows in advance — in `media:seats:<node id>` until the room closes or the lesson's end
  (`media:until:<node id>`, the same rooms scored by when their reservation lapses).
- A node that died (its heartbeat gone, or no connection to it) is swept by a second script: each
  of its rooms' placements removed if it still names that node (compare and delete), its
  reservations and heartbeat forgotten. The script returns the rooms it removed, so of the web
  instances that notice the death at once exactly one tells each room's pages.

A placement lapses at the room's reservation end too; a node closes the rooms no longer placed on
it (see node.py), so a room does not outlive its lesson on a node nobody asks any more.
"""

from __future__ import annotations

import json
import time
from typing import Any

BEAT_SECONDS = 2.0
BEAT_TTL = 6  # three beats missed: the node is gone
TOLD_TTL = 120  # how long an event's tag is remembered (only one instance tells the pages)

# KEYS: the room's placement, then per candidate node its heartbeat, seats and until keys.
# ARGV: room id, seats, until (unix time), now, then each candidate's id in the same order.
_PLACE = """
local current = redis.call('GET', KEYS[1])
local until_at, now = tonumber(ARGV[3]), tonumber(ARGV[4])
if current then
  local ttl = math.ceil(until_at - now)
  if ttl > redis.call('TTL', KEYS[1]) then redis.call('EXPIRE', KEYS[1], ttl) end
  for i = 0, (#KEYS - 1) / 3 - 1 do
    if ARGV[5 + i] == current then
      redis.call('ZADD', KEYS[4 + 3 * i], 'XX', 'GT', until_at, ARGV[1])
    end
  end
  return {current, -1}
end
local best, best_free, best_at = nil, nil, nil
for i = 0, (#KEYS - 1) / 3 - 1 do
  local beat = redis.call('GET', KEYS[2 + 3 * i])
  if beat then
    local node = cjson.decode(beat)
    if node['id'] == ARGV[5 + i] then
      redis.call('ZREMRANGEBYSCORE', KEYS[4 + 3 * i], '-inf', now)
      local reserved = 0
      for _, room in ipairs(redis.call('HKEYS', KEYS[3 + 3 * i])) do
        if redis.call('ZSCORE', KEYS[4 + 3 * i], room) then
          reserved = reserved + tonumber(redis.call('HGET', KEYS[3 + 3 * i], room))
        else
          redis.call('HDEL', KEYS[3 + 3 * i], room)
        end
      end
      local free = tonumber(node['capacity']) - reserved
      if best == nil or free > best_free then best, best_free, best_at = ARGV[5 + i], free, i end
    end
  end
end
if best == nil then return false end
redis.call('SET', KEYS[1], best, 'EX', math.max(1, math.ceil(until_at - now)))
redis.call('HSET', KEYS[3 + 3 * best_at], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[4 + 3 * best_at], until_at, ARGV[1])
return {best, best_free}
"""

# KEYS: the room's placement, the node's seats and until. ARGV: room id, the node's id.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('DEL', KEYS[1]) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
"""

# KEYS: the node's seats, until, heartbeat, the set of nodes. ARGV: the node's id, the prefix.
_SWEEP = """
local lost = {}
for _, room in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local key = ARGV[2] .. 'media:room:' .. room
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    table.insert(lost, room)
  end
end
redis.call('DEL', KEYS[1], KEYS[2])
local beat = redis.call('GET', KEYS[3])
if beat and cjson.decode(beat)['id'] == ARGV[1] then redis.call('DEL', KEYS[3]) end
redis.call('SREM', KEYS[4], ARGV[1])
return lost
"""


def node_name(node_id: str) -> str:
    """A node's id is `name/incarnation`: the same name started again is another node."""
    return node_id.rsplit("/", 1)[0]


class Placement:
    """The placement keys in Redis (`REDIS_URL`), for the node and the web instances alike."""

    def __init__(self, url: str, prefix: str = "intersession:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self.prefix = prefix
        self._place = self.redis.register_script(_PLACE)
        self._release = self.redis.register_script(_RELEASE)
        self._sweep = self.redis.register_script(_SWEEP)

    def key(self, *parts: object) -> str:
        return self.prefix + "media:" + ":".join(str(p) for p in parts)

    # -- nodes -----------------------------------------------------------------------------------

    def beat(self, load: dict[str, Any]) -> None:
        """The node says it lives, and how loaded it is."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self.key("node", load["name"]), json.dumps(load), ex=BEAT_TTL)
        pipe.sadd(self.key("nodes"), load["id"])
        pipe.execute()

    def heartbeat(self, name: str) -> dict[str, Any] | None:
        text = self.redis.get(self.key("node", name))
        return json.loads(str(text)) if text else None

    def known_nodes(self) -> set[str]:
        """The ids of nodes that beat since they were last swept (living or not)."""
        return {str(node) for node in self.redis.smembers(self.key("nodes"))}

    def alive(self, node_id: str) -> dict[str, Any] | None:
        """The node's last heartbeat if it is from that very incarnation and fresh."""
        beat = self.heartbeat(node_name(node_id))
        return beat if beat is not None and beat.get("id") == node_id else None

    def living(self) -> list[dict[str, Any]]:
        beats = [self.alive(node_id) for node_id in sorted(self.known_nodes())]
        return [beat for beat in beats if beat is not None]

    def reserved(self, node_id: str) -> int:
        """Seats the node's rooms reserve now (lapsed reservations left out)."""
        now = time.time()
        seats = self.redis.hgetall(self.key("seats", node_id))
        scored: list[Any] = self.redis.zrange(self.key("until", node_id), 0, -1, withscores=True)
        until = {str(pair[0]): float(pair[1]) for pair in scored}
        return sum(int(n) for room, n in seats.items() if until.get(str(room), 0.0) > now)

    # -- rooms -----------------------------------------------------------------------------------

    def node_of(self, room_id: int) -> str | None:
        value = self.redis.get(self.key("room", room_id))
        return str(value) if value is not None else None

    def nodes_of(self, room_ids: list[int]) -> list[str | None]:
        if not room_ids:
            return []
        values = self.redis.mget([self.key("room", r) for r in room_ids])
        return [str(v) if v is not None else None for v in values]

    def place(self, room_id: int, seats: int, until: float, candidates: list[str]) -> str | None:
        """The room's node: the one it is on, else the candidate with most room left (None when
        no candidate lives). The order of `candidates` breaks ties."""
        keys = [self.key("room", room_id)]
        for node_id in candidates:
            keys += [
                self.key("node", node_name(node_id)),
                self.key("seats", node_id),
                self.key("until", node_id),
            ]
        found = self._place(keys=keys, args=[room_id, seats, until, time.time(), *candidates])
        return str(found[0]) if found else None

    def release(self, room_id: int, node_id: str) -> None:
        """The room closed: its placement (if still on that node) and its reservation go."""
        keys = [self.key("room", room_id), self.key("seats", node_id), self.key("until", node_id)]
        self._release(keys=keys, args=[room_id, node_id])

    def sweep(self, node_id: str) -> set[int]:
        """The node is gone: the rooms whose placement this call removed (none if another
        instance swept first)."""
        keys = [
            self.key("seats", node_id),
            self.key("until", node_id),
            self.key("node", node_name(node_id)),
            self.key("nodes"),
        ]
        return {int(room) for room in self._sweep(keys=keys, args=[node_id, self.prefix])}

    def claim(self, tag: str) -> bool:
        """The first instance to claim a node's message tells the pages; the others let it be."""
        return bool(self.redis.set(self.key("told", tag), "1", nx=True, ex=TOLD_TTL))

    def close(self) -> None:
        self.redis.close()
