"""Generational cache (版本号缓存): what a page reads is cached under the data's current generation, and every
write to the workflow's tables starts a new one, so nothing cached can be shown after the data behind it changed.

The generation is a token in the cache (Redis in production), one per database. It changes

* when any statement writes (INSERT, UPDATE, DELETE) a table, seen by an execute wrapper on every database
  connection: services, the admin, ``QuerySet.update`` and bulk inserts alike, so no write path can forget to
  invalidate. Only tables written when someone merely reads or signs in are left out (``IGNORED_TABLES``: the
  security audit, sessions, login attempts).
* twice for a write inside a transaction: at once (the writer's own later reads, and tests, which never commit,
  see the change) and again when the transaction commits (a reader that cached the old rows between the first
  change and the commit cached them under a generation no one reads any more).

A reader takes the generation and the entry in one round trip (``cached``) and uses the entry only if it was
built under the same generation; it builds the value after it read the generation, so a value never predates the
writes of the generation it is stored under. Entries also expire (``timeout``), which bounds what time alone
changes (a work item that opens at midnight, a deputyship's first day) when no one writes.

With the cache unreachable, pages read the database and writes stand; a renewal the cache missed is made before
anything is read from it again (in that process; entries also expire after at most five minutes).

Keys carry the database's name (parallel test runs and the benchmark's databases share one Redis) and a token of
the deployed code, so a new release never serves a fragment an older template rendered."""

import hashlib
import logging
import re
import threading
import uuid
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created

# Tables written when someone only reads or signs in: the security audit, sessions, login attempts and password
# history. Nothing cached is read from them; every other table is watched (the second factor's devices too: a
# device reset must end its sessions' verification at once), so a new app's tables need no registration.
IGNORED_TABLES = frozenset({"workflow_auditevent", "workflow_auditchainhead", "accounts_passwordhistory"})
IGNORED_PREFIXES = ("django_session", "axes_")
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE)
_code_token = None
_pending = set()  # aliases whose generation could not be renewed (the cache unreachable): renewed first thing
logger = logging.getLogger(__name__)


class _Unreachable(Exception):
    pass


_local = threading.local()  # this request's entries fetched ahead (``prefetch``)


def code_token():
    """A short digest of the deployed code and templates (their names, sizes and modification times)."""
    global _code_token
    if _code_token is None:
        digest = hashlib.sha1(usedforsecurity=False)
        base = Path(settings.BASE_DIR)
        for pattern in ("*/*.py", "templates/**/*.html", "*/templates/**/*.html"):
            for path in sorted(base.glob(pattern)):
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        _code_token = digest.hexdigest()[:10]
    return _code_token


def _prefix(alias="default"):
    return f"jx:{connections[alias].settings_dict['NAME']}:{code_token()}"


def _gen_key(alias="default"):
    return f"{_prefix(alias)}:gen"


def bump(alias="default"):
    """Start a new generation: everything cached so far is no longer read. With the cache unreachable the write
    still stands (the pages read the database meanwhile) and the renewal is made once the cache answers again."""
    _local.prefetched = None  # this request wrote: what it fetched ahead is older than its own write
    try:
        cache.set(_gen_key(alias), uuid.uuid4().hex[:16], None)
    except Exception:  # the cache's own errors vary by backend (redis.ConnectionError, TimeoutError, OSError)
        _pending.add(alias)
        logger.warning("cache unreachable: generation of %s to be renewed when it answers", alias, exc_info=True)
    else:
        _pending.discard(alias)


def _renew_pending(alias):
    if alias in _pending:
        bump(alias)
        if alias in _pending:
            raise _Unreachable


def current(alias="default"):
    key = _gen_key(alias)
    gen = cache.get(key)
    if gen is None:
        cache.add(key, uuid.uuid4().hex[:16], None)
        gen = cache.get(key)
    return gen


def _key(name, parts, alias="default"):
    raw = "\x1f".join(str(p) for p in parts)
    return f"{_prefix(alias)}:{name}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}", raw


def prefetch(wanted):
    """Fetch the generation and the entries ``wanted`` (``(name, parts)`` pairs) in one round trip, for the
    ``cached`` calls of this request (``PrefetchMiddleware``: what every page reads about its user). A request
    serves what was current when it began, as if it had read it all then; its own writes drop what it fetched."""
    keys = [_key(name, parts)[0] for name, parts in wanted]
    try:
        _renew_pending("default")
        found = cache.get_many([_gen_key(), *keys])
    except Exception:  # unreachable: each read goes to the database (``cached``)
        _local.prefetched = None
        return
    _local.prefetched = (found.get(_gen_key()), {k: found.get(k) for k in keys})


def end_prefetch():
    _local.prefetched = None


def cached(name, parts, build, timeout=300, alias="default"):
    """``build()``'s value for ``name`` and ``parts`` (a tuple of strings and numbers) under the current
    generation: one cache round trip when it is there (none if it was fetched ahead), else built (after the
    generation was read) and stored."""
    gen_key = _gen_key(alias)
    key, raw = _key(name, parts, alias)
    ahead = getattr(_local, "prefetched", None) if alias == "default" else None
    try:
        if ahead is not None and ahead[0] is not None and key in ahead[1]:
            gen, entry = ahead[0], ahead[1].pop(key)
        else:
            _renew_pending(alias)
            found = cache.get_many([gen_key, key])
            gen, entry = found.get(gen_key) or current(alias), found.get(key)
    except Exception:  # the cache unreachable (or a renewal still owed to it): read the database
        logger.warning("cache unreachable: %s read from the database", name, exc_info=True)
        return build()
    if entry is not None and entry[0] == gen and entry[1] == raw:
        return entry[2]
    value = build()
    try:
        cache.set(key, (gen, raw, value), timeout)
    except Exception:
        logger.warning("cache unreachable: %s not kept", name, exc_info=True)
    return value


def _written(sql):
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match is None:
        return False
    table = match.group(1)
    return table not in IGNORED_TABLES and not table.startswith(IGNORED_PREFIXES)


def _watch_writes(alias):
    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if _written(sql):
            bump(alias)
            connection = connections[alias]
            if connection.in_atomic_block:
                transaction.on_commit(partial(bump, alias), using=alias)
        return result

    watch.jx_generation = True
    return watch


def _install(sender, connection, **kwargs):
    if not any(getattr(w, "jx_generation", False) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_watch_writes(connection.alias))


def connect():
    """Watch every database connection's writes (called from ``WorkflowConfig.ready``)."""
    connection_created.connect(_install, dispatch_uid="workflow.generation")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """With a cache each process keeps for itself, one process's writes would not renew the others' generation
    and they would show what they cached before: a deployment needs Redis (``REDIS_URL``)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Error(
                "The generational cache (workflow.generation) needs a cache every process shares: set REDIS_URL.",
                hint="A local-memory cache is only for a single process (the development server, the tests).",
                id="workflow.E001",
            )
        ]
    return []
