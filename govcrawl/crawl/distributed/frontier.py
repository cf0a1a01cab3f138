"""Crawling on several machines: a shared frontier in Redis (scrapy-redis), one archive writer.

SQLite has one writer, so the work splits in two:

- **workers** (`govcrawl crawl --redis URL`, on any machines) take requests from the
  frontier in Redis, fetch and extract, and hand the pages (raw bytes and record) back
  over Redis.  They never open the archive.
- **the writer** (`govcrawl ingest --redis URL --db PATH`, one process, next to the
  archive) opens the run, publishes the archive's validators (for conditional requests),
  seeds the frontier from the registry, writes every handed-over page with the crawl's
  own store code, and closes the run (gone-marking, search index) when the frontier is
  exhausted.

scrapy-redis provides the frontier: its scheduler queue and its duplicate filter live in
Redis, so no URL is scheduled twice across workers.  On top of it, a request taken from
the queue is *leased*, not removed: it stays in Redis until the worker has handed over
what came of it (the page, the error, or for a listing the requests it found), and a
worker keeps its leases alive while it runs.  A worker killed mid-crawl stops renewing;
its leases expire and its requests go back to the queue.  The writer moves an item to a
processing list before writing it and records its id in the same transaction, so a
writer killed at any moment, restarted, neither loses nor repeats a page.

Redis keys all start with the prefix (default ``govcrawl``), so several crawls can share
one Redis under different prefixes.  Redis must be private to the crawl's machines:
requests are stored as scrapy-redis stores them.
"""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

DEFAULT_PREFIX = "govcrawl"
LEASE_SECONDS = 120.0


class DistributedError(RuntimeError):
    """Redis unreachable or the shared state not what this process expects."""


def connect(url: str):
    """A Redis client that fails fast: a clear error instead of a hang when Redis is down."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30,
                                  health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise DistributedError(f"cannot reach Redis at {url}: {exc}") from None
    return client


@dataclass(frozen=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    def __getattr__(self, name: str) -> str:  # keys.queue → "govcrawl:queue"
        if name.startswith("_"):
            raise AttributeError(name)
        return f"{self.prefix}:{name}"


# --- the frontier: a leased priority queue ----------------------------------------------------

_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return nil end
redis.call('ZREM', KEYS[1], popped[1])
local lease = tostring(redis.call('INCR', KEYS[4]))
redis.call('HSET', KEYS[2], lease, popped[1])
redis.call('HSET', KEYS[5], lease, popped[2])
redis.call('ZADD', KEYS[3], ARGV[1], lease)
return {lease, popped[1]}
"""
_REQUEUE = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'LIMIT', 0, 200)
for _, lease in ipairs(expired) do
  local data = redis.call('HGET', KEYS[2], lease)
  local score = redis.call('HGET', KEYS[4], lease)
  if data then redis.call('ZADD', KEYS[1], score or 0, data) end
  redis.call('HDEL', KEYS[2], lease)
  redis.call('HDEL', KEYS[4], lease)
  redis.call('ZREM', KEYS[3], lease)
end
return #expired
"""


_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""


def requeue_expired(server, keys: Keys) -> int:
    """Leases whose worker stopped renewing them: their requests go back to the queue."""
    return int(server.eval(_REQUEUE, 4, keys.queue, keys.leased, keys.leases, keys.lease_scores, time.time()))


def ack(server, keys: Keys, lease: str | None) -> None:
    """What came of a leased request is safe in Redis: the lease is done."""
    if not lease:
        return
    leases = lease.split(",")
    pipe = server.pipeline()
    pipe.zrem(keys.leases, *leases).hdel(keys.leased, *leases).hdel(keys.lease_scores, *leases)
    pipe.execute()


def frontier_size(server, keys: Keys) -> tuple[int, int]:
    """(requests waiting, requests leased)."""
    pipe = server.pipeline()
    pipe.zcard(keys.queue).zcard(keys.leases)
    waiting, leased = pipe.execute()
    return int(waiting), int(leased)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue, with pop → lease instead of pop → gone.

    The lease ids travel in ``request.meta['govcrawl_lease']`` (comma-separated: a
    redirect keeps its origin's).
    """

    lease_seconds = LEASE_SECONDS

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.keys = Keys(self.key.rsplit(":", 1)[0])
        self.held: set[str] = set()

    @staticmethod
    def score(request) -> float:
        """By priority, then at random among equals.  A sorted set breaks ties by the bytes
        of its members, which groups the requests of one portal together: a worker would
        take a batch of one portal's requests and, held to one or two requests a portal at
        a time, fetch them one after the other while other portals wait."""
        return -request.priority + random.random() * 0.5  # priorities are integers: order kept

    def push(self, request) -> None:
        self.server.execute_command("ZADD", self.key, self.score(request), self._encode_request(request))

    def push_unseen(self, request, dupefilter_key: str, fingerprint: str | None) -> bool:
        """Mark the request seen and queue it, in one step; False if it was seen before.

        scrapy-redis does the two in separate commands: a worker killed between them
        leaves a request marked seen that no queue holds, and it is never fetched.
        """
        return bool(self.server.eval(_ENQUEUE, 2, dupefilter_key, self.key, fingerprint or "",
                                     self.score(request), self._encode_request(request)))

    def pop(self, timeout: float = 0):
        if self.server.zcard(self.keys.leases):
            requeue_expired(self.server, self.keys)
        found = self.server.eval(_POP, 5, self.key, self.keys.leased, self.keys.leases, self.keys.lease_counter,
                                 self.keys.lease_scores, time.time() + self.lease_seconds)
        if not found:
            return None
        lease, data = found
        lease = lease.decode() if isinstance(lease, bytes) else str(lease)
        request = self._decode_request(data)
        # A redirect is a new request that carries its origin's meta: its lease joins the
        # origin's, and settling the redirect settles both.
        earlier = request.meta.get("govcrawl_lease")
        request.meta["govcrawl_lease"] = f"{earlier},{lease}" if earlier else lease
        self.held.add(lease)
        return request

    def renew(self) -> None:
        """Keep this worker's leases alive (called periodically while it runs)."""
        held = list(self.held)
        if not held:
            return
        still = self.server.zmscore(self.keys.leases, held)
        expiry = time.time() + self.lease_seconds
        pipe = self.server.pipeline()
        for lease, score in zip(held, still, strict=True):
            if score is None:
                self.held.discard(lease)  # acked (or expired and taken back)
            else:
                pipe.zadd(self.keys.leases, {lease: expiry}, xx=True)
        pipe.execute()


class LeasingScheduler(Scheduler):
    """scrapy-redis's scheduler, marking a request seen and queueing it atomically, and
    settling the lease of a request it drops as a duplicate.

    A redirect is a new request carrying its origin's lease; when it leads to a page
    already seen (two old addresses of one moved page), the duplicate filter drops it,
    nothing more comes of the origin, and its lease must end here — else the worker
    renews it for ever and the crawl never looks finished.
    """

    def enqueue_request(self, request) -> bool:
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        if self.queue.push_unseen(request, self.df.key, fingerprint):
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        self.df.log(request, self.spider)
        if request.meta.get("govcrawl_lease"):
            prefix = self.queue.key.rsplit(":", 1)[0]
            ack(self.server, Keys(prefix), request.meta["govcrawl_lease"])
        return False


# --- the handover: items over Redis -------------------------------------------------------------

def encode_item(item: Any) -> bytes:
    """A PageItem, ErrorItem or ListingItem as JSON (bytes as base64), with a unique id."""
    fields = asdict(item)  # a PageItem's reading becomes a plain mapping
    if isinstance(fields.get("body"), bytes):
        fields["body"] = base64.b64encode(fields["body"]).decode()
    return json.dumps({"type": type(item).__name__, "id": uuid.uuid4().hex, "fields": fields},
                      ensure_ascii=False).encode()


def decode_item(data: bytes) -> tuple[str, Any]:
    from govcrawl.archive.versions import Reading
    from govcrawl.crawl.items import ErrorItem, ListingItem, PageItem

    obj = json.loads(data)
    classes = {"PageItem": PageItem, "ErrorItem": ErrorItem, "ListingItem": ListingItem}
    fields = obj["fields"]
    if obj["type"] == "PageItem":
        fields["body"] = base64.b64decode(fields["body"])
        if fields.get("reading") is not None:
            fields["reading"] = Reading(**fields["reading"])
    return obj["id"], classes[obj["type"]](**fields)


def publish_validators(server, keys: Keys, validators: dict[str, tuple[str | None, str | None]],
                       attachments: dict[str, list[str]]) -> None:
    """What the workers need from the archive for conditional requests."""
    pipe = server.pipeline()
    pipe.delete(keys.validators, keys.attachments)
    for i, (url, pair) in enumerate(validators.items()):
        pipe.hset(keys.validators, url, json.dumps(pair))
        if i % 5000 == 4999:
            pipe.execute()
    for url, urls in attachments.items():
        pipe.hset(keys.attachments, url, json.dumps(urls))
    pipe.execute()


def load_validators(server, keys: Keys) -> tuple[dict[str, tuple[str | None, str | None]], dict[str, list[str]]]:
    validators = {k.decode(): tuple(json.loads(v)) for k, v in server.hgetall(keys.validators).items()}
    attachments = {k.decode(): json.loads(v) for k, v in server.hgetall(keys.attachments).items()}
    return validators, attachments  # type: ignore[return-value]


def publish_portals(server, keys: Keys, portals: list[Any]) -> None:
    """The run's registry entries, so that every worker crawls exactly what the writer seeded."""
    server.set(keys.portals, json.dumps([asdict(p) for p in portals], ensure_ascii=False))


def load_portals(server, keys: Keys) -> list[Any]:
    from govcrawl.registry import Portal

    data = server.get(keys.portals)
    if not data:
        return []
    return [Portal(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
            for entry in json.loads(data)]


def clear_crawl_state(server, keys: Keys) -> None:
    """Forget a finished crawl (the frontier, the duplicate filter, the leases, the items)."""
    server.delete(keys.queue, keys.dupefilter, keys.leased, keys.leases, keys.lease_scores, keys.lease_counter,
                  keys.items, keys.processing, keys.validators, keys.attachments, keys.run, keys.portals)


class LeaseKeeper:
    """Scrapy extension on workers: renews this worker's leases every few seconds, so a
    slow download is not handed to another worker while this one still works on it."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.loop = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.get("GOVCRAWL_REDIS_URL"):
            raise NotConfigured
        keeper = cls(crawler)
        crawler.signals.connect(keeper.opened, signal=signals.spider_opened)
        crawler.signals.connect(keeper.closed, signal=signals.spider_closed)
        return keeper

    def _queue(self) -> LeasedQueue | None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        queue = getattr(getattr(slot, "scheduler", None), "queue", None)
        return queue if isinstance(queue, LeasedQueue) else None

    def opened(self, spider) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.renew)
        self.loop.start(max(1.0, LeasedQueue.lease_seconds / 4), now=False)

    def renew(self) -> None:
        queue = self._queue()
        if queue is None:
            return
        try:
            queue.renew()
        except Exception as exc:  # a LoopingCall that raises stops for good
            import logging

            logging.getLogger(__name__).warning("could not renew the leases (will retry): %s", exc)

    def closed(self, spider) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
