"""The endpoint's result cache: whole replies, bounded in bytes, per store generation.

Researchers' tools send the same queries again and again (a page reloaded, a notebook
re-run, a dashboard polling). A reply that came back 200 is kept, keyed by all the request
says that can change it (the gateway's key: the query text, the Accept header, the base IRI
relative IRIs resolve against, and the protocol's dataset parameters), so the next
identical request is answered by the gateway without a worker. Every entry belongs to one
store generation: when ``coopgraph build`` or ``import`` switches generations, the first
lookup that sees the new one empties the cache, so a reply is never served from data that
is no longer current. A worker says whether a reply may be kept: not when its query's
algebra calls RAND, NOW, UUID, STRUUID or BNODE (coopgraph.serve.screen).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from coopgraph import store

#: What an entry costs besides its body and key text (the tuple, the dict slot, headers).
OVERHEAD = 400


class ResultCache:
    """Least recently used replies up to ``max_bytes`` in all.

    A reply larger than an eighth of the cache is not kept, so one big result cannot push
    out everything else.

    >>> cache = ResultCache(1_000_000)
    >>> cache.get("g-1", ("ASK {}", "*/*")) is None  # a miss; the gateway asks first
    True
    >>> cache.put("g-1", ("ASK {}", "*/*"), ("reply",), 100)
    >>> cache.get("g-1", ("ASK {}", "*/*"))
    ('reply',)
    >>> cache.get("g-2", ("ASK {}", "*/*")) is None  # a new generation empties it
    True
    >>> len(cache)
    0
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self.size = 0
        self.generation: str | None = None
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0

    def get(self, generation: str | None, key: tuple):
        """The reply kept for this request's ``key`` on ``generation``, or None."""
        if generation != self.generation:
            self.clear()
            self.generation = generation
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return found[0]

    def put(self, generation: str | None, key: tuple, reply, size: int) -> None:
        """Keep ``reply`` (``size`` bytes of body) for this request's ``key`` on
        ``generation``.

        Ignored when the generation is not the one of the last lookup (the worker answered
        from a generation the gateway has already moved past, or not yet seen): the
        gateway always looks a request up before running it.
        """
        if generation != self.generation or generation is None:
            return
        cost = size + sum(len(str(part)) for part in key) + OVERHEAD
        if cost > self.max_bytes // 8:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self.entries[key] = (reply, cost)
        self.size += cost
        while self.size > self.max_bytes:
            _, (_, freed) = self.entries.popitem(last=False)
            self.size -= freed


class Generation:
    """The name of the store's current generation, re-read only when CURRENT changed.

    One ``stat`` per request (``store.pointer``): the store switches generations with
    ``os.replace``, which gives CURRENT a new inode.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.pointer: tuple[int, int] | None = None
        self.name: str | None = None

    def current(self) -> str | None:
        pointer = store.pointer(self.root)
        if pointer is None:
            return None
        if pointer != self.pointer:
            generation = store.current_generation(self.root)
            self.name = generation.name if generation is not None else None
            self.pointer = pointer
        return self.name
