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

	/**
	 * The time to live of an entry that is handed to callers but never stored, such as a
	 * {@code null} result of a cache that does not allow {@code null} values.
	 */
	public static final long NOT_STORED = 0;

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
	 * Return whether this entry may be stored at all.
	 * @return {@code false} for an entry made with {@link #NOT_STORED}
	 */
	public boolean isStorable() {
		return this.ttlNanos != NOT_STORED;
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
