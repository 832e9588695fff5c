"""portal/cache.py: the Redis cache backend (its outage behaviour: test_cache_outage.py)."""

from portal.cache import ResilientRedisCache


def test_one_redis_client_is_reused_for_every_operation():
    """Making a `redis.Redis` costs more than a GET: the backend keeps one per pool (no
    connection is opened here: a client connects on its first command)."""
    backend = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    first = backend._cache.get_client(write=True)
    assert backend._cache.get_client() is first
    assert backend._cache.get_client("any-key", write=True) is first
    assert first.connection_pool is backend._cache._get_connection_pool(True)


def test_each_server_keeps_its_own_client():
    backend = ResilientRedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {})
    writer = backend._cache.get_client(write=True)
    reader = backend._cache.get_client()  # reads go to the other server
    assert reader is not writer
    assert reader is backend._cache.get_client()
    assert reader.connection_pool.connection_kwargs["port"] == 2
