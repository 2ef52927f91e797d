package dev.tiercache.local;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * A cached value with the time to live it was written with. It is the
 * {@link Cache.ValueWrapper} returned by {@link Cache#get(Object)}, so a hit allocates
 * nothing; a cached {@code null} is an entry whose {@link #get()} is {@code null}.
 *
 * @author tiercache
 */
public final class CacheEntry implements Cache.ValueWrapper {

	/** The time to live of an entry that never expires. */
	public static final long FOREVER = Long.MAX_VALUE;

	private final @Nullable Object value;

	private final long ttlNanos;

	/**
	 * Create an entry.
	 * @param value the value, {@code null} for a cached {@code null}
	 * @param ttlNanos its time to live in nanoseconds, or {@link #FOREVER}
	 */
	public CacheEntry(@Nullable Object value, long ttlNanos) {
		this.value = value;
		this.ttlNanos = ttlNanos;
	}

	@Override
	public @Nullable Object get() {
		return this.value;
	}

	/**
	 * Return the time to live this entry was written with.
	 * @return nanoseconds, or {@link #FOREVER}
	 */
	public long ttlNanos() {
		return this.ttlNanos;
	}

	@Override
	public String toString() {
		return "CacheEntry[value=" + this.value + ", ttlNanos=" + this.ttlNanos + "]";
	}

}
