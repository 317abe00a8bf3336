"""Locust users of ``bench/real_use.py`` (not meant to be run by hand: real_use.py writes the people file and sets
the environment). Every request goes to the --host real_use.py passes (gunicorn on 127.0.0.1), with the person's
own session cookie (signed in, past the second factor); a page that does not answer 200 (a redirect to the login
page included) counts as a failure. Requests are named by page key, so locust's statistics are per page.

BENCH_MODE:
    real      each person works through their own pages (a weighted mix), waiting BENCH_THINK_MIN..MAX seconds
              between pages (and a random part of that before the first); BENCH_ADMINS superusers read Django
              admin's change lists of the same rows with the same think time (the same run's reference).
    mix       closed loop: each locust user is one person going through their own mix with no think time.
    admin     closed loop: superusers going through the three admin change lists with no think time.
    page:KEY  closed loop: people who have page KEY request only it (``page:admin_apps`` … the superuser).
"""

import itertools
import json
import os
import random

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

PEOPLE = json.loads(open(os.environ["BENCH_PEOPLE"]).read())  # noqa: SIM115 - read once at import
MODE = os.environ.get("BENCH_MODE", "real")
THINK = (float(os.environ.get("BENCH_THINK_MIN", "10")), float(os.environ.get("BENCH_THINK_MAX", "30")))
# How often each page comes up in a person's mix (pages a person has none of are left out).
WEIGHTS = {
    "home": 3,
    "inbox": 3,
    "applications": 2,
    "pilots": 2,
    "reports": 2,
    "application": 2,
    "pilot": 2,
    "dashboard": 3,
}
ADMIN_PAGES = PEOPLE["admin"]["pages"]
_people = itertools.count()
_admins = itertools.count()
_times = {"people": [], "admin": []}  # every response time (ms), the people's pages together and the admin's


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if exception is None:
        _times["admin" if name.startswith("admin_") else "people"].append(response_time)


def _percentile(ordered, q):
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0


@events.quitting.add_listener
def _dump(**kwargs):
    """p50/p95 over all of the people's requests (locust's CSV has them a page only) for real_use.py."""
    out = {}
    for who, times in _times.items():
        times.sort()
        out[who] = {"n": len(times), "p50": _percentile(times, 0.50), "p95": _percentile(times, 0.95)}
    if os.environ.get("BENCH_TOGETHER"):
        with open(os.environ["BENCH_TOGETHER"], "w") as f:
            json.dump(out, f)


def _choose(person):
    keys = [k for k in WEIGHTS if k in person["pages"]]
    return keys, [WEIGHTS[k] for k in keys]


class Base(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def get(self, key, path):
        headers = {"Cookie": f"{PEOPLE['cookie_name']}={self.cookie}"}
        with self.client.get(path, name=key, headers=headers, allow_redirects=False, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"{resp.status_code} {resp.headers.get('Location', '')}")

    def think(self):
        if MODE == "real":
            gevent.sleep(random.uniform(*THINK))


class Person(Base):
    """One of the seeded people (county, office, committee, special group, guidance unit)."""

    def on_start(self):
        people = PEOPLE["people"]
        if MODE.startswith("page:"):
            people = [p for p in people if MODE[5:] in p["pages"]]
        if not people:
            raise StopUser
        self.person = people[next(_people) % len(people)]
        self.cookie = self.person["cookie"]
        self.keys, self.weights = _choose(self.person)
        if MODE == "real":
            gevent.sleep(random.uniform(0, THINK[1]))  # arrivals spread, not all at the ramp

    @task
    def work(self):
        key = MODE[5:] if MODE.startswith("page:") else random.choices(self.keys, self.weights)[0]
        self.get(key, self.person["pages"][key])
        self.think()


class Admin(Base):
    """A superuser reading Django admin's change lists (bench/urls.py): the reference."""

    fixed_count = int(os.environ.get("BENCH_ADMINS", "0"))

    def on_start(self):
        self.cookie = PEOPLE["admin"]["cookie"]
        self.offset = next(_admins)
        if MODE == "real":
            gevent.sleep(random.uniform(0, THINK[1]))

    @task
    def work(self):
        if MODE.startswith("page:"):
            key = MODE[5:]
        else:
            key = list(ADMIN_PAGES)[self.offset % len(ADMIN_PAGES)]
            self.offset += 1
        self.get(key, ADMIN_PAGES[key])
        self.think()


# Which classes run: locust takes the module's user classes; the mode keeps the one it needs.
if MODE == "admin" or MODE.startswith("page:admin_"):
    del Person
elif MODE != "real":
    del Admin
