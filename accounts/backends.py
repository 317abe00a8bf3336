"""Django's ModelBackend, reading the signed-in user of each request through the read-through cache
(``accounts.caching``: the generational cache, renewed by any write, so a password change, a deactivation or a
new password hash is seen at the next request). Signing in (``authenticate``) always reads the database."""

from django.contrib.auth.backends import ModelBackend

from . import caching


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        load = super().get_user
        return caching.read("user", (user_id,), lambda: load(user_id))
