package dev.tiercache.local;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

/**
 * A cached value with the time to live it was written with. It is the
 * {@link Cache.ValueWrapper} returned by {@link Cache#get(Object)}, so a hit allocates
 * nothing; a cached {@code null} is an entry whose {@link #get()} is {@code null}.
 *
 * <p>
 * An entry stored by a cache with {@code refresh-after} also carries when it is due for
 * refresh, by the local tier's clock, so that a hit tells with one field comparison
 * ({@link LocalTier#claimRefresh(CacheEntry)}).
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

	/** The refresh time of an entry that is never refreshed. */
	static final long NEVER = Long.MAX_VALUE;

	private static final VarHandle REFRESH_AT;

	static {
		try {
			REFRESH_AT = MethodHandles.lookup().findVarHandle(CacheEntry.class, "refreshAt", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final @Nullable Object value;

	private final long ttlNanos;

	/** The stored entry this one is a copy of with another time to live, or null. */
	private final @Nullable CacheEntry stored;

	/** The value's bytes, once a remote tier needed them. */
	private volatile byte @Nullable [] encoded;

	/**
	 * When this entry is due for refresh, by the local tier's clock, or {@link #NEVER};
	 * set by {@link LocalTier} before the entry is published, and moved forward by the
	 * hit that claims the refresh.
	 */
	private volatile long refreshAt = NEVER;

	/**
	 * Create an entry.
	 * @param value the value, {@code null} for a cached {@code null}
	 * @param ttlNanos its time to live in nanoseconds, or {@link #FOREVER}
	 */
	public CacheEntry(@Nullable Object value, long ttlNanos) {
		this(value, ttlNanos, null);
	}

	private CacheEntry(@Nullable Object value, long ttlNanos, @Nullable CacheEntry stored) {
		this.value = value;
		this.ttlNanos = ttlNanos;
		this.stored = stored;
	}

	/**
	 * Return this entry with the time to live it has left, sharing its serialized form.
	 * @param remainingNanos the time to live left
	 * @return a copy of this entry
	 */
	public CacheEntry withRemaining(long remainingNanos) {
		return new CacheEntry(this.value, remainingNanos, (this.stored != null) ? this.stored : this);
	}

	/**
	 * Return the value's bytes, serializing it on first use only: an owner that many
	 * peers ask for a popular entry serializes it once. The bytes live as long as the
	 * stored entry.
	 * @param encoder how the value becomes bytes
	 * @return the bytes
	 */
	public byte[] encodedValue(Function<@Nullable Object, byte[]> encoder) {
		CacheEntry holder = (this.stored != null) ? this.stored : this;
		byte[] bytes = holder.encoded;
		if (bytes == null) {
			bytes = encoder.apply(this.value);
			holder.encoded = bytes;
		}
		return bytes;
	}

	/**
	 * Return when this entry is due for refresh.
	 * @return the local tier's clock reading, or {@link #NEVER}
	 */
	long refreshAt() {
		return this.refreshAt;
	}

	/**
	 * Set when this entry is due for refresh, before it is published to other threads.
	 * @param refreshAt the local tier's clock reading, or {@link #NEVER}
	 */
	void refreshAt(long refreshAt) {
		this.refreshAt = refreshAt;
	}

	/**
	 * Move the refresh time from {@code expected} to {@code next}, unless another thread
	 * moved it first.
	 * @return whether this thread moved it
	 */
	boolean claimRefresh(long expected, long next) {
		return REFRESH_AT.compareAndSet(this, expected, next);
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
