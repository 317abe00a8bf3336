"""A read-through cache for what every request reads about its user (memberships, the second factor's device).

The base of the core cannot import workflow, so workflow installs its generational cache here when it starts
(``workflow.generation.cached``: every write renews it, so nothing read here outlives a change); until then, and
in a process without workflow, each read goes to the database."""

_read_through = None


def use(cached):
    """Install ``cached(name, parts, build)`` (workflow.apps does, with the generational cache)."""
    global _read_through
    _read_through = cached


def read(name, parts, build):
    return _read_through(name, parts, build) if _read_through is not None else build()
