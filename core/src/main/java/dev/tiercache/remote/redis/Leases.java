package dev.tiercache.remote.redis;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.tiercache.codec.CodecException;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.RemoteTier.AsyncLoader;
import dev.tiercache.remote.RemoteTier.Loader;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.redis.EventMessage.Type;
import dev.tiercache.stats.Counter;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;

/**
 * Single-flight across the cluster: one caller per missing key takes the key's lease
 * ({@code SET lock token NX PX lease-timeout}, in the same script that looks for the
 * value), runs the loader while {@link HeldLeases} extends the lease, and stores the
 * value only while it still holds the lease; the others wait as long as the lease lives,
 * for its "loaded" message, and re-check Redis every 100 ms anyway.
 *
 * @author tiercache
 */
final class Leases {

	private static final byte[] NEVER_CLEARED = new byte[0];

	/** Waiters for a lease re-check Redis at least this often, even without a message. */
	private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final RedisCommands commands;

	private final RedisTierSettings settings;

	private final String nodeId;

	private final Invalidator invalidator;

	private final Rejections rejections;

	private final StoredEntries entries;

	private final HeldLeases held;

	private final RedisKeys keys;

	private final LoadWaiters waiters = new LoadWaiters();

	Leases(RedisCommands commands, RedisKeys keys, StoredEntries entries, RedisTierSettings settings, String nodeId,
			Invalidator invalidator, Rejections rejections, HeldLeases held) {
		this.commands = commands;
		this.keys = keys;
		this.held = held;
		this.settings = settings;
		this.nodeId = nodeId;
		this.invalidator = invalidator;
		this.rejections = rejections;
		this.entries = entries;
	}

	/**
	 * Return the stored entry of {@code valueKey}, or load it under the key's lease, or
	 * wait for the node that holds the lease.
	 */
	CacheEntry fetchOrLoad(Registration registration, String cache, String valueKey, byte[] stamp, Loader loader) {
		byte[] value = RedisKeys.utf8(valueKey);
		byte[] lease = RedisKeys.leaseKey(valueKey);
		boolean waited = false;
		boolean collided = false;
		byte[] leaseMillis = RedisKeys.ascii(Long.toString(this.settings.leaseTimeout().toMillis()));
		while (true) {
			// Joined before Redis is asked: a "loaded" message in between is not missed.
			LoadWaiters.Wait wait = this.waiters.join(valueKey);
			try {
				byte[] token = RedisKeys.ascii(this.nodeId + ":" + ThreadLocalRandom.current().nextLong());
				List<Object> reply = fetchOrLease(registration, value, lease, token, leaseMillis, stamp);
				if (isValue(reply)) {
					CacheEntry stored = this.entries.read(registration, stamp, reply);
					if (stored != null) {
						return stored;
					}
					// Unreadable (refused by the codec) or expiring: replace it.
					this.commands.unlink(registration.stats(), value);
					continue;
				}
				if (!collided && isCollision(reply)) {
					registration.stats().record(Counter.KEY_COLLISIONS);
					collided = true;
				}
				if (isLeased(reply)) {
					return loadUnderLease(registration, cache, valueKey, value, lease, token, stamp, loader);
				}
				if (!waited) {
					registration.stats().record(Counter.LEASE_WAITS);
					waited = true;
				}
				// As long as the lease lives: its holder extends it while it loads.
				awaitLoaded(wait.loaded(), RECHECK_NANOS);
			}
			finally {
				this.waiters.leave(valueKey, wait);
			}
		}
	}

	/**
	 * {@link #fetchOrLoad} without a thread that waits: Redis commands (short) run on
	 * {@code executor}, the wait for another node's load is a future completed by its
	 * "loaded" message or by the re-check timer, and the loader's own future is not
	 * waited for.
	 */
	CompletableFuture<CacheEntry> fetchOrLoadAsync(Registration registration, String cache, String valueKey,
			byte[] stamp, AsyncLoader loader, Executor executor, boolean waited) {
		byte[] value = RedisKeys.utf8(valueKey);
		byte[] lease = RedisKeys.leaseKey(valueKey);
		byte[] leaseMillis = RedisKeys.ascii(Long.toString(this.settings.leaseTimeout().toMillis()));
		return CompletableFuture.supplyAsync(() -> {
			LoadWaiters.Wait wait = this.waiters.join(valueKey);
			try {
				while (true) {
					byte[] token = RedisKeys.ascii(this.nodeId + ":" + ThreadLocalRandom.current().nextLong());
					List<Object> reply = fetchOrLease(registration, value, lease, token, leaseMillis, stamp);
					if (isValue(reply)) {
						CacheEntry stored = this.entries.read(registration, stamp, reply);
						if (stored != null) {
							return new Attempt(stored, null, wait);
						}
						this.commands.unlink(registration.stats(), value);
						continue;
					}
					if (!waited && isCollision(reply)) {
						registration.stats().record(Counter.KEY_COLLISIONS);
					}
					boolean leased = isLeased(reply);
					return new Attempt(null, leased ? token : null, wait);
				}
			}
			catch (RuntimeException | Error ex) {
				this.waiters.leave(valueKey, wait);
				throw ex;
			}
		}, executor).thenCompose((attempt) -> {
			if (attempt.stored() != null) {
				this.waiters.leave(valueKey, attempt.joined());
				return CompletableFuture.completedFuture(attempt.stored());
			}
			if (attempt.token() != null) {
				this.waiters.leave(valueKey, attempt.joined());
				return loadUnderLeaseAsync(registration, cache, valueKey, value, lease, attempt.token(), stamp, loader,
						executor);
			}
			if (!waited) {
				registration.stats().record(Counter.LEASE_WAITS);
			}
			// As long as the lease lives: its holder extends it while it loads.
			return attempt.joined()
				.loaded()
				.copy()
				.completeOnTimeout(null, RECHECK_NANOS, TimeUnit.NANOSECONDS)
				.thenCompose((ignored) -> {
					this.waiters.leave(valueKey, attempt.joined());
					return fetchOrLoadAsync(registration, cache, valueKey, stamp, loader, executor, true);
				});
		});
	}

	private CompletableFuture<CacheEntry> loadUnderLeaseAsync(Registration registration, String cache, String valueKey,
			byte[] value, byte[] lease, byte[] token, byte[] stamp, AsyncLoader loader, Executor executor) {
		HeldLeases.Extension extension = this.held.keep(registration.stats(), lease, token);
		byte[] clears = this.keys.clearsKey(cache);
		byte @Nullable [] clearsBefore = clearsNow(registration, clears);
		CompletableFuture<CacheEntry> loading;
		try {
			loading = loader.load();
		}
		catch (RuntimeException | Error ex) {
			loading = CompletableFuture.failedFuture(ex);
		}
		return loading.handleAsync((loaded, failure) -> {
			if (failure != null) {
				extension.close();
				this.held.release(registration.stats(), lease, token);
				loadOver(registration, cache, valueKey);
				throw (failure instanceof CompletionException completion) ? completion
						: new CompletionException(failure);
			}
			try {
				store(registration, cache, value, lease, token, stamp, loaded, clears, clearsBefore);
			}
			finally {
				extension.close();
			}
			loadOver(registration, cache, valueKey);
			return loaded;
		}, executor);
	}

	/**
	 * Refresh the entry of {@code valueKey} ahead of its expiry, if it is due and no
	 * other caller holds its lease: take the lease ({@code SET NX PX}, as a load's script
	 * does when the value is missing), then, holding it, read the value's {@code PTTL}. A
	 * store deletes the lease in the same step as it writes the value, so what the lease
	 * holder reads is not overtaken unnoticed: if the entry is no longer due (refreshed
	 * or written since this node's copy was fetched), the lease is given back; if it is
	 * due or gone, the loader runs and its value is stored as a load's is, only while the
	 * lease holds.
	 * @return the loaded entry, or {@code null} if there was nothing to refresh
	 */
	@Nullable CacheEntry refresh(Registration registration, String cache, String valueKey, byte[] stamp, long windowNanos,
			Loader loader) {
		byte[] value = RedisKeys.utf8(valueKey);
		byte[] lease = RedisKeys.leaseKey(valueKey);
		byte[] token = RedisKeys.ascii(this.nodeId + ":" + ThreadLocalRandom.current().nextLong());
		long leaseMillis = this.settings.leaseTimeout().toMillis();
		Boolean leased;
		Long remainingMillis;
		try {
			leased = this.commands.run(registration.stats(), "SET NX", (connection) -> connection.stringCommands()
				.set(lease, token, Expiration.milliseconds(leaseMillis), SetOption.ifAbsent()));
			if (!Boolean.TRUE.equals(leased)) {
				// Another node loads or refreshes the key.
				return null;
			}
			remainingMillis = this.commands.run(registration.stats(), "PTTL",
					(connection) -> connection.keyCommands().pTtl(value));
		}
		catch (CircuitOpenException ex) {
			throw ex;
		}
		catch (RemoteTierException ex) {
			// The SET may have taken the lease after this node stopped waiting for it.
			this.held.releaseLater(registration.stats(), lease, token);
			throw ex;
		}
		boolean gone = remainingMillis == null || remainingMillis == -2;
		boolean due = remainingMillis != null && remainingMillis >= 0
				&& TimeUnit.MILLISECONDS.toNanos(remainingMillis) <= windowNanos;
		if (!gone && !due) {
			this.held.release(registration.stats(), lease, token);
			return null;
		}
		return loadUnderLease(registration, cache, valueKey, value, lease, token, stamp, loader);
	}

	/**
	 * The script that returns the value or takes the lease; a lease taken by a script
	 * whose reply this node no longer waited for is released later.
	 */
	private @Nullable List<Object> fetchOrLease(Registration registration, byte[] value, byte[] lease, byte[] token,
			byte[] leaseMillis, byte[] stamp) {
		try {
			return this.commands.fetchOrLease(registration.stats(), value, lease, registration.idleTtl(), token,
					leaseMillis, stamp);
		}
		catch (CircuitOpenException ex) {
			throw ex;
		}
		catch (RemoteTierException ex) {
			// Redis may still run the script after this node stopped waiting for its
			// reply, and take the lease for a caller that loads locally by then: every
			// other node would wait for that lease until it expires.
			this.held.releaseLater(registration.stats(), lease, token);
			throw ex;
		}
	}

	/**
	 * What one look at Redis found: the stored entry, a lease this node took, or neither
	 * (another node loads; wait for {@code loaded}).
	 */
	private record Attempt(@Nullable CacheEntry stored, byte @Nullable [] token, LoadWaiters.Wait joined) {
	}

	private CacheEntry loadUnderLease(Registration registration, String cache, String valueKey, byte[] value,
			byte[] lease, byte[] token, byte[] stamp, Loader loader) {
		HeldLeases.Extension extension = this.held.keep(registration.stats(), lease, token);
		byte[] clears = this.keys.clearsKey(cache);
		byte @Nullable [] clearsBefore = clearsNow(registration, clears);
		CacheEntry loaded;
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			extension.close();
			// Let the next waiter take over.
			this.held.release(registration.stats(), lease, token);
			loadOver(registration, cache, valueKey);
			throw ex;
		}
		try {
			store(registration, cache, value, lease, token, stamp, loaded, clears, clearsBefore);
		}
		finally {
			// Extended until now: a slow encoding of a large value keeps the lease too.
			extension.close();
		}
		loadOver(registration, cache, valueKey);
		return loaded;
	}

	/**
	 * Store a value loaded under a lease, unless the lease ended. A clear is not atomic
	 * with the lease ({@code SCAN} may have passed the key while the lease still stood):
	 * the clear's second pass removes such a value before the clear returns
	 * ({@link Writes#clear}), and, as a second line, the cache's clear count, read before
	 * the loader ran, is read again after the store: if a clear began meanwhile, the
	 * stored value is removed, and the hot copies are cleared again on every node. A
	 * clear that begins later finds the stored value in its {@code SCAN}.
	 */
	private void store(Registration registration, String cache, byte[] value, byte[] lease, byte[] token, byte[] stamp,
			CacheEntry loaded, byte[] clears, byte @Nullable [] clearsBefore) {
		if (!loaded.isStorable() || clearsBefore == null) {
			// Nothing to store, or no way to tell whether a clear overtakes the store.
			this.held.release(registration.stats(), lease, token);
			return;
		}
		try {
			byte[] bytes = this.entries.encode(stamp, loaded.get());
			boolean stored = this.commands.storeIfLeased(registration.stats(), value, lease, bytes,
					RedisKeys.ttlArgument(loaded), token);
			if (stored && !Arrays.equals(clearsBefore, clearsNow(registration, clears))) {
				this.commands.unlink(registration.stats(), value);
				// Another node may have read the value after the clear's invalidation
				// reached it and before this unlink: clear the hot copies again.
				registration.invalidations().invalidateAll();
				this.invalidator.invalidateOthers(registration, cache, null);
			}
		}
		catch (CodecException ex) {
			this.rejections.record(registration.stats(), ex);
			this.held.release(registration.stats(), lease, token);
		}
		catch (RemoteTierException ex) {
			// Counted; the value is still returned to the callers. The lease must not
			// make the other nodes wait until it expires: release it, on the lease
			// thread, so that this caller does not wait for Redis again.
			this.held.releaseLater(registration.stats(), lease, token);
		}
	}

	/**
	 * The cache's clear count now (empty if it was never cleared), or {@code null} if
	 * Redis did not answer.
	 */
	private byte @Nullable [] clearsNow(Registration registration, byte[] clears) {
		try {
			byte[] count = this.commands.get(registration.stats(), clears);
			return (count != null) ? count : NEVER_CLEARED;
		}
		catch (RemoteTierException ex) {
			return null;
		}
	}

	/** {@link RedisScripts#FETCH_OR_LEASE} found a value stamped for this key. */
	private static boolean isValue(@Nullable List<Object> reply) {
		return reply != null && reply.size() == 2 && reply.get(0) instanceof byte[];
	}

	private static boolean isLeased(@Nullable List<Object> reply) {
		return reply != null && !reply.isEmpty() && Long.valueOf(1).equals(reply.get(0));
	}

	/**
	 * {@link RedisScripts#FETCH_OR_LEASE} found a value of another key of the same name
	 * (or of an older format), which this caller's load replaces.
	 */
	private static boolean isCollision(@Nullable List<Object> reply) {
		return reply != null && reply.size() == 2 && Long.valueOf(1).equals(reply.get(1));
	}

	/**
	 * Another node finished the load of {@code valueKey}: wake this node's waiters.
	 */
	void loaded(String valueKey) {
		this.waiters.loaded(valueKey);
	}

	/**
	 * This node's load of {@code valueKey} is over: tell the other nodes, and wake this
	 * node's own waiters, which do not hear this node's messages.
	 */
	private void loadOver(Registration registration, String cache, String valueKey) {
		this.invalidator.publishQuietly(registration, Type.LOADED, cache, RedisKeys.utf8(valueKey));
		this.waiters.loaded(valueKey);
	}

	private static void awaitLoaded(CompletableFuture<Void> loaded, long nanos) {
		try {
			loaded.get(nanos, TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RemoteTierException("Interrupted while waiting for another node's load", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			// Re-check Redis.
		}
	}

}
