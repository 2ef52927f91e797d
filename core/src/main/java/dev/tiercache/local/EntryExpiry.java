package dev.tiercache.local;

import com.github.benmanes.caffeine.cache.Expiry;

/**
 * Expires every entry after the time to live it carries: a write (create or replace)
 * restarts the clock with the new entry's TTL, a read leaves it alone.
 *
 * @author tiercache
 */
final class EntryExpiry implements Expiry<Object, CacheEntry> {

	static final EntryExpiry INSTANCE = new EntryExpiry();

	private EntryExpiry() {
	}

	@Override
	public long expireAfterCreate(Object key, CacheEntry entry, long currentTime) {
		return entry.ttlNanos();
	}

	@Override
	public long expireAfterUpdate(Object key, CacheEntry entry, long currentTime, long currentDuration) {
		return entry.ttlNanos();
	}

	@Override
	public long expireAfterRead(Object key, CacheEntry entry, long currentTime, long currentDuration) {
		return currentDuration;
	}

}
