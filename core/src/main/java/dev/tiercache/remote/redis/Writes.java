package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import dev.tiercache.codec.KeyNames;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTierException;
import org.jspecify.annotations.Nullable;

/**
 * The writes of the Redis tier: {@code store}, {@code storeIfAbsent}, {@code evict} and
 * {@code clear}, and what must follow each so that no node keeps an old value.
 *
 * <p>
 * A write is remembered where it can be found again if it is lost: one that did not reach
 * Redis becomes a {@link PendingEvictions pending eviction}, replayed as soon as Redis
 * answers; one that Redis acknowledged is remembered by {@link MasterChanges}, since a
 * failover may lose it. Then the key is invalidated by its name ({@link KeyNames}), on
 * the other nodes and in this node's own hot tier: Redis holds one entry per name, so
 * every hot copy of a key of that name goes, whatever its Java type. A
 * {@code storeIfAbsent} changes nothing that a node may hold, and tells no one.
 *
 * <p>
 * These are also how {@link PendingEvictions} sends its work again: a replayed eviction
 * is an eviction like any other.
 *
 * @author tiercache
 */
final class Writes implements PendingEvictions.Replay {

	private final RedisCommands commands;

	private final RedisKeys keys;

	private final StoredEntries entries;

	private final KeyStamps stamps;

	private final Invalidator invalidator;

	private final PendingEvictions pending;

	private final MasterChanges masterChanges;

	private final Function<String, Registration> registrations;

	/**
	 * @param registrations a registered cache's registration, which throws if the cache
	 * is not registered
	 */
	Writes(RedisCommands commands, RedisKeys keys, StoredEntries entries, KeyStamps stamps, Invalidator invalidator,
			PendingEvictions pending, MasterChanges masterChanges, Function<String, Registration> registrations) {
		this.commands = commands;
		this.keys = keys;
		this.entries = entries;
		this.stamps = stamps;
		this.invalidator = invalidator;
		this.pending = pending;
		this.masterChanges = masterChanges;
		this.registrations = registrations;
	}

	void store(String cache, Object key, CacheEntry entry) {
		Registration registration = this.registrations.apply(cache);
		String name = KeyNames.name(cache, key);
		String valueKey = this.keys.valueKeyOfName(cache, name);
		byte[] bytes = this.entries.encode(this.stamps.of(key), entry.get());
		try {
			this.commands.store(registration.stats(), RedisKeys.utf8(valueKey), RedisKeys.leaseKey(valueKey), bytes,
					RedisKeys.ttlArgument(entry));
		}
		catch (RemoteTierException ex) {
			this.pending.add(cache, key);
			throw ex;
		}
		this.masterChanges.wrote(cache, key);
		invalidateByName(registration, cache, name);
	}

	@Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		Registration registration = this.registrations.apply(cache);
		String valueKey = this.keys.valueKey(cache, key);
		byte[] stamp = this.stamps.of(key);
		byte[] bytes = this.entries.encode(stamp, entry.get());
		return this.entries.read(registration, stamp, this.commands.storeIfAbsent(registration.stats(),
				RedisKeys.utf8(valueKey), RedisKeys.leaseKey(valueKey), bytes, RedisKeys.ttlArgument(entry), stamp));
	}

	@Override
	public boolean evict(String cache, Object key) {
		Registration registration = this.registrations.apply(cache);
		String name = KeyNames.name(cache, key);
		String valueKey = this.keys.valueKeyOfName(cache, name);
		boolean removed;
		try {
			removed = this.commands.evict(registration.stats(), RedisKeys.utf8(valueKey), RedisKeys.leaseKey(valueKey));
		}
		catch (RemoteTierException ex) {
			this.pending.add(cache, key);
			throw ex;
		}
		this.masterChanges.wrote(cache, key);
		invalidateByName(registration, cache, name);
		return removed;
	}

	/**
	 * Evict many keys of {@code cache} at once, as a replay of many pending evictions
	 * (after a failover, say): their values and leases go in a few {@code UNLINK}s, and
	 * the other nodes are told to drop every hot copy of the cache (one message, not one
	 * per key); this node drops its own copies of the keys.
	 */
	@Override
	public void evictAll(String cache, Collection<Object> keys) {
		Registration registration = this.registrations.apply(cache);
		List<String> names = keys.stream().map((key) -> KeyNames.name(cache, key)).toList();
		List<byte[]> redisKeys = new ArrayList<>(names.size() * 2);
		for (String name : names) {
			String valueKey = this.keys.valueKeyOfName(cache, name);
			redisKeys.add(RedisKeys.utf8(valueKey));
			redisKeys.add(RedisKeys.leaseKey(valueKey));
		}
		this.commands.unlinkAll(registration.stats(), redisKeys);
		keys.forEach((key) -> this.masterChanges.wrote(cache, key));
		names.forEach((name) -> registration.invalidations().invalidateNamed(name));
		this.invalidator.invalidateOthers(registration, cache, null);
	}

	@Override
	public boolean clear(String cache) {
		Registration registration = this.registrations.apply(cache);
		long removed;
		try {
			// Counted first: a load that overlaps the clear sees the count move, and
			// removes what it stored (Leases), but maybe only after this returns.
			this.commands.increment(registration.stats(), this.keys.clearsKey(cache));
			byte[] pattern = this.keys.cachePattern(cache);
			removed = this.commands.clear(registration.stats(), pattern);
			// Twice: a load whose lease stood before the count moved may store its value
			// after SCAN passed the value's key and before the first pass unlinked the
			// lease. Once the first pass is over, no such lease is left to store under,
			// and the second removes what was stored meanwhile.
			removed += this.commands.clear(registration.stats(), pattern);
		}
		catch (RemoteTierException ex) {
			this.pending.add(cache, null);
			throw ex;
		}
		this.masterChanges.wrote(cache, null);
		this.invalidator.invalidateOthers(registration, cache, null);
		return removed > 0;
	}

	@Override
	public void notifyOthers(String cache, @Nullable String name) {
		this.invalidator.notifyOthers(this.registrations.apply(cache), cache, name);
	}

	/**
	 * Tell the other nodes, and this node's own hot tier, that the entry of {@code name}
	 * changed: every hot copy of a key of that name goes, whatever its Java type, since
	 * Redis holds one entry per name.
	 */
	void invalidateByName(Registration registration, String cache, String name) {
		this.invalidator.invalidateOthers(registration, cache, name);
		registration.invalidations().invalidateNamed(name);
	}

}
