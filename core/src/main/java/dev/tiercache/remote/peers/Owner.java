package dev.tiercache.remote.peers;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTier.AsyncLoader;
import dev.tiercache.remote.RemoteTier.Loader;
import dev.tiercache.remote.peers.LeaseTable.Grant;
import dev.tiercache.remote.peers.LeaseTable.Waiter;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.blocks.Response;
import org.jspecify.annotations.Nullable;

/**
 * The owner's side of every operation on a key it owns: the stored entry, the load lease,
 * and the writes that cancel it, for this member's own callers and for peers' requests
 * alike.
 *
 * <p>
 * Every change of a key's main entry happens under the cache's {@link LeaseTable} monitor
 * together with the lease it affects, which is what keeps a value loaded before an
 * eviction from being stored after it; the removal is also remembered
 * ({@link RecentRemovals}), so a late hand-off cannot bring the entry back. Waiters are
 * answered outside the monitor, since answering a peer sends a message.
 *
 * <p>
 * A lease lasts {@code lease-timeout} and its holder extends it every third of that while
 * its loader runs, so a slow load keeps its lease and a dead holder loses it: the next
 * waiter then gets a lease of its own.
 *
 * @author tiercache
 */
final class Owner {

	private final ValueCodec codec;

	private final ScheduledExecutorService timers;

	private final long leaseNanos;

	Owner(ValueCodec codec, ScheduledExecutorService timers, long leaseNanos) {
		this.codec = codec;
		this.timers = timers;
		this.leaseNanos = leaseNanos;
	}

	/**
	 * The stored entry of {@code key}, or else load it under its lease (waiting for the
	 * holder while another caller, here or on a peer, has it).
	 */
	CacheEntry load(Registration registration, Object key, Loader loader) {
		boolean waited = false;
		while (true) {
			Waiters.Local waiter = new Waiters.Local(this);
			long token;
			synchronized (registration.leases()) {
				CacheEntry stored = registration.local().getOwned(key);
				if (stored != null) {
					return stored;
				}
				token = registration.leases().acquireOrPark(key, waiter, System.nanoTime());
			}
			if (token == 0) {
				if (!waited) {
					registration.stats().record(Counter.LEASE_WAITS);
					waited = true;
				}
				Waiters.Outcome outcome = waiter.await(registration, key);
				if (outcome.entry() != null) {
					return outcome.entry();
				}
				if (outcome.token() == 0) {
					continue;
				}
				token = outcome.token();
			}
			return loadUnderLease(registration, key, token, loader);
		}
	}

	/**
	 * {@link #load} without a thread that waits: a parked caller waits on a future.
	 */
	CompletableFuture<CacheEntry> loadAsync(Registration registration, Object key, AsyncLoader loader, boolean waited) {
		Waiters.Local waiter = new Waiters.Local(this);
		long token;
		synchronized (registration.leases()) {
			CacheEntry stored = registration.local().getOwned(key);
			if (stored != null) {
				return CompletableFuture.completedFuture(stored);
			}
			token = registration.leases().acquireOrPark(key, waiter, System.nanoTime());
		}
		if (token != 0) {
			return loadUnderLeaseAsync(registration, key, token, loader);
		}
		if (!waited) {
			registration.stats().record(Counter.LEASE_WAITS);
		}
		return waiter.outcome().thenCompose((outcome) -> {
			if (outcome.entry() != null) {
				return CompletableFuture.completedFuture(outcome.entry());
			}
			if (outcome.token() != 0) {
				return loadUnderLeaseAsync(registration, key, outcome.token(), loader);
			}
			return loadAsync(registration, key, loader, true);
		});
	}

	private CompletableFuture<CacheEntry> loadUnderLeaseAsync(Registration registration, Object key, long token,
			AsyncLoader loader) {
		Runnable stopExtending = keepLease(() -> extend(registration, key, token));
		CompletableFuture<CacheEntry> loading = Owner.start(loader);
		return loading.whenComplete((loaded, failure) -> {
			stopExtending.run();
			if (failure != null || !loaded.isStorable()) {
				release(registration, key, token);
			}
			else {
				complete(registration, key, token, loaded);
			}
		});
	}

	/**
	 * Start {@code loader}; what it throws becomes the returned future's failure.
	 */
	static CompletableFuture<CacheEntry> start(AsyncLoader loader) {
		try {
			return loader.load();
		}
		catch (RuntimeException | Error ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private CacheEntry loadUnderLease(Registration registration, Object key, long token, Loader loader) {
		CacheEntry loaded;
		Runnable stopExtending = keepLease(() -> extend(registration, key, token));
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			release(registration, key, token);
			throw ex;
		}
		finally {
			stopExtending.run();
		}
		if (!loaded.isStorable()) {
			release(registration, key, token);
			return loaded;
		}
		complete(registration, key, token, loaded);
		return loaded;
	}

	/**
	 * A refresh of {@code key} by this member: if the stored entry is due (its remaining
	 * time to live at most {@code windowNanos}) or gone, and no caller here or on a peer
	 * holds the key's lease, take it, run {@code loader} and store the result if the
	 * lease still holds, as a load does.
	 * @return the loaded entry, or {@code null} if the entry is not due or the lease is
	 * held
	 */
	@Nullable CacheEntry refresh(Registration registration, Object key, long windowNanos, Loader loader) {
		long token = leaseForRefresh(registration, key, windowNanos);
		return (token != 0) ? loadUnderLease(registration, key, token, loader) : null;
	}

	/**
	 * A peer's request to refresh {@code key}: {@code LEASED} with a token, on the terms
	 * of {@link #refresh}, or {@code OK} (unchanged) when there is nothing to refresh.
	 * Never parked.
	 */
	PeerMessage refreshLease(Registration registration, Object key, PeerMessage request) {
		long token = leaseForRefresh(registration, key, request.ttlNanos());
		return (token != 0) ? PeerMessage.reply(Type.LEASED).withToken(token) : PeerMessage.ok(false);
	}

	private long leaseForRefresh(Registration registration, Object key, long windowNanos) {
		synchronized (registration.leases()) {
			CacheEntry stored = registration.local().getOwned(key);
			if (stored != null && stored.ttlNanos() > windowNanos) {
				// Fresh: refreshed or written since the reader's copy was fetched.
				return 0;
			}
			return registration.leases().acquire(key, System.nanoTime());
		}
	}

	/**
	 * Run {@code extend} every third of the lease time until the returned action is run.
	 * @return stops the extensions
	 */
	Runnable keepLease(Runnable extend) {
		long period = Math.max(1, this.leaseNanos / 3);
		try {
			ScheduledFuture<?> extensions = this.timers.scheduleAtFixedRate(extend, period, period,
					TimeUnit.NANOSECONDS);
			return () -> extensions.cancel(false);
		}
		catch (RejectedExecutionException ex) {
			// Closing: the lease simply expires.
			return () -> {
			};
		}
	}

	/**
	 * Store {@code entry} loaded under lease {@code token}, unless the lease ended (a
	 * write cancelled it, or it expired and passed on).
	 * @return whether it was stored
	 */
	boolean complete(Registration registration, Object key, long token, CacheEntry entry) {
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			waiters = registration.leases().complete(key, token);
			if (waiters != null) {
				registration.local().storeOwned(key, entry);
			}
		}
		if (waiters == null) {
			return false;
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
		return true;
	}

	void release(Registration registration, Object key, long token) {
		Grant grant = registration.leases().release(key, token, System.nanoTime());
		if (grant != null) {
			grant.send();
		}
	}

	boolean extend(Registration registration, Object key, long token) {
		return registration.leases().extend(key, token, System.nanoTime());
	}

	/**
	 * Store {@code entry} as a write: it cancels the key's lease and answers its waiters.
	 */
	void store(Registration registration, Object key, CacheEntry entry) {
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			registration.removals().removed(key, System.nanoTime());
			waiters = registration.leases().cancel(key);
			registration.local().storeOwned(key, entry);
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
	}

	/**
	 * Store {@code entry} unless the key has an entry.
	 * @return the entry that was there, or {@code null} if {@code entry} was stored
	 */
	@Nullable CacheEntry storeIfAbsent(Registration registration, Object key, CacheEntry entry) {
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			CacheEntry existing = registration.local().getOwned(key);
			if (existing != null) {
				return existing;
			}
			registration.removals().removed(key, System.nanoTime());
			waiters = registration.leases().cancel(key);
			registration.local().storeOwned(key, entry);
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
		return null;
	}

	/**
	 * Drop this member's copy of {@code key} (main and hot) as an eviction or a peer's
	 * write does: the key's lease is cancelled and its waiters ask again.
	 * @return whether this member held the key
	 */
	boolean forget(Registration registration, Object key) {
		List<Waiter> waiters;
		boolean removed;
		synchronized (registration.leases()) {
			registration.removals().removed(key, System.nanoTime());
			waiters = registration.leases().cancel(key);
			removed = registration.local().removeOwned(key);
		}
		waiters.forEach(Waiter::retry);
		return removed;
	}

	/**
	 * Drop every entry of the cache from this member and cancel every lease.
	 * @return whether main held anything
	 */
	boolean clear(Registration registration) {
		List<Waiter> waiters;
		boolean[] any = new boolean[1];
		synchronized (registration.leases()) {
			registration.removals().cleared(System.nanoTime());
			waiters = registration.leases().cancelAll();
			registration.local().forEachOwned((key, entry) -> any[0] = true);
			registration.local().invalidateAll();
		}
		waiters.forEach(Waiter::retry);
		return any[0];
	}

	/**
	 * A peer's request for the entry or the right to load it: the entry, a lease, or
	 * {@code null} when the request is parked on the lease and answered later.
	 */
	@Nullable PeerMessage fetchOrLease(Registration registration, Object key, Response response, long parkNanos) {
		CacheEntry stored = registration.local().serveOwned(key);
		if (stored != null) {
			return valueOf(stored, false);
		}
		long token;
		synchronized (registration.leases()) {
			stored = registration.local().getOwned(key);
			if (stored != null) {
				return valueOf(stored, false);
			}
			token = registration.leases()
				.acquireOrPark(key, new Waiters.Peer(this, response, System.nanoTime() + parkNanos), System.nanoTime());
		}
		return (token == 0) ? null : PeerMessage.reply(Type.LEASED).withToken(token);
	}

	/**
	 * A peer's value loaded under lease: stored if the lease still holds.
	 */
	PeerMessage storeLeased(Registration registration, Object key, PeerMessage request) {
		CacheEntry entry;
		try {
			entry = new CacheEntry(this.codec.decode(request.value()), request.ttlNanos());
		}
		catch (CodecException ex) {
			release(registration, key, request.token());
			throw ex;
		}
		return PeerMessage.ok(complete(registration, key, request.token(), entry));
	}

	/**
	 * Pass expired leases on and tell waiters that waited long enough to ask again.
	 */
	void expireLeases(Collection<Registration> registrations) {
		long now = System.nanoTime();
		registrations.forEach((registration) -> registration.leases().expire(now).send());
	}

	/**
	 * The answer that carries {@code entry}; {@code ERROR} if it cannot be encoded, so
	 * that the requester loads at once instead of asking again.
	 */
	PeerMessage valueOf(CacheEntry entry, boolean afterWait) {
		try {
			PeerMessage value = PeerMessage.value(entry.encodedValue(this.codec::encode), entry.ttlNanos());
			return afterWait ? value.withToken(PeerMessage.WAITED) : value;
		}
		catch (CodecException ex) {
			return PeerMessage.reply(Type.ERROR);
		}
	}

}
