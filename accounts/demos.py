"""The demo data's registry: each app registers, from its ``ready()``, the function that seeds its part of the demo
(``seed_demo``), with its place in the lifecycle; the command runs them in that order, after the units and logins
of ``accounts.demo``. Like the core's other registries, it keeps the arrow pointing from the apps to the base."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSeeder:
    order: int  # later parts build on earlier ones: 项目推出 10, 项目确定 20, 项目实施 30, 经验推广 40, monitoring 50
    name: str
    seed: Callable[[], object]


_seeders = {}


def register(order, name, seed):
    """``register(20, "applications", demo.seed)``: ``seed()`` adds the app's demo records (safe to run again)."""
    _seeders[name] = DemoSeeder(order, name, seed)


def seeders():
    return sorted(_seeders.values(), key=lambda s: (s.order, s.name))
