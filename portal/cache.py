"""The Redis cache, tolerant of Redis going away.

Every use of the cache on this site is an optimization (the converted Traditional pages) except
one: the per-IP counters of the request form and the status lookup. So when Redis cannot be
reached, reads are misses and writes are dropped (pages are served, just uncached), while the
counter operations `add` and `incr` still raise: a counter that silently failed would lift the
limit. The request views catch `CACHE_ERRORS` and refuse with a clear message (fail closed).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")

#: What a cache operation raises when Redis is unreachable or misbehaves.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


class ReusedClientsCacheClient(RedisCacheClient):
    """Django's client makes a new `redis.Redis` for every operation, which copies its ~80
    response callbacks: about 80 µs, more than a GET on the loopback (50 µs), and a page
    missed with an empty cache makes 10–20 of them. One client per connection pool instead
    (a client holds no connection of its own: the pool hands one out per command, thread-safe).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's own choice of server (the first for writes, another one for reads)
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = super().get_client(key, write=write)
            self._clients[index] = client
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientsCacheClient

    def _degraded(self, operation: str, error: Exception) -> None:
        logger.warning("cache unavailable, %s skipped: %s", operation, type(error).__name__)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except CACHE_ERRORS as error:
            self._degraded("get", error)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict:
        try:
            return super().get_many(keys, version)
        except CACHE_ERRORS as error:
            self._degraded("get_many", error)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except CACHE_ERRORS as error:
            self._degraded("has_key", error)
            return False

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except CACHE_ERRORS as error:
            self._degraded("set", error)

    def set_many(
        self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        try:
            return super().set_many(data, timeout, version)
        except CACHE_ERRORS as error:
            self._degraded("set_many", error)
            return list(data)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except CACHE_ERRORS as error:
            self._degraded("touch", error)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except CACHE_ERRORS as error:
            self._degraded("delete", error)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except CACHE_ERRORS as error:
            self._degraded("delete_many", error)

    def clear(self) -> None:
        try:
            super().clear()
        except CACHE_ERRORS as error:
            self._degraded("clear", error)
