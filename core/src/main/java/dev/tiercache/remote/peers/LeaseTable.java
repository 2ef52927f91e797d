package dev.tiercache.remote.peers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.tiercache.local.CacheEntry;
import org.jspecify.annotations.Nullable;

/**
 * The load leases an owner hands out for its keys, one table per cache. The first caller
 * that misses a key gets the lease and loads it; later callers are parked on the lease
 * and answered when the holder stores the value. A lease ends when the holder stores or
 * releases it, when a write or eviction of the key cancels it, or when it expires, and
 * then the next parked caller (if any) gets a new lease.
 *
 * <p>
 * The owner holds this table's monitor while it checks a lease and changes its main tier
 * in the same step (a store under a lease, a write that cancels it), which is what keeps
 * a value loaded before an eviction from being stored after it. Waiters are called
 * outside the monitor: answering one sends a network response.
 *
 * @author tiercache
 */
final class LeaseTable {

	/**
	 * A caller waiting for a key: a parked peer request, or a local thread.
	 */
	interface Waiter {

		/**
		 * The waiter now holds the lease {@code token} and should load.
		 * @param token the lease token
		 */
		void granted(long token);

		/**
		 * The key has an entry now.
		 * @param entry the stored entry
		 */
		void answered(CacheEntry entry);

		/**
		 * The wait ended without an entry (a write cancelled the lease, or the waiter
		 * waited long enough): the waiter should ask again. Never a lease.
		 */
		void retry();

		/**
		 * Return whether this waiter has waited long enough and should be told to
		 * {@linkplain #retry() ask again}, so that a peer parked here notices within its
		 * rpc timeout if this owner dies.
		 * @param now the current time in nanoseconds
		 * @return whether to answer it with {@code null} now
		 */
		default boolean expired(long now) {
			return false;
		}

	}

	/**
	 * A lease handed to a parked waiter; the token is above 0.
	 */
	record Grant(Waiter waiter, long token) {

		void send() {
			this.waiter.granted(this.token);
		}

	}

	/**
	 * What a sweep found: expired leases handed to the next waiter, and waiters that
	 * waited long enough and must ask again.
	 */
	record Expired(List<Grant> grants, List<Waiter> retries) {

		void send() {
			this.grants.forEach(Grant::send);
			this.retries.forEach(Waiter::retry);
		}

	}

	private final Map<Object, Lease> leases = new HashMap<>();

	private final long leaseNanos;

	LeaseTable(long leaseNanos) {
		this.leaseNanos = leaseNanos;
	}

	/**
	 * Give {@code waiter} the lease of {@code key} if it is free, else park it.
	 * @return the lease token, or 0 if parked
	 */
	synchronized long acquireOrPark(Object key, Waiter waiter, long now) {
		Lease lease = this.leases.get(key);
		if (lease == null) {
			lease = new Lease();
			this.leases.put(key, lease);
			return lease.renew(now, this.leaseNanos);
		}
		if (now - lease.deadline >= 0 && lease.parked.isEmpty()) {
			return lease.renew(now, this.leaseNanos);
		}
		lease.parked.add(waiter);
		return 0;
	}

	/**
	 * Give the caller the lease of {@code key} if it is free (or expired with no one
	 * parked on it), never parking it: for a refresh, which a load or refresh under way
	 * makes needless.
	 * @return the lease token, or 0 if another caller holds the lease
	 */
	synchronized long acquire(Object key, long now) {
		Lease lease = this.leases.get(key);
		if (lease == null) {
			lease = new Lease();
			this.leases.put(key, lease);
			return lease.renew(now, this.leaseNanos);
		}
		if (now - lease.deadline >= 0 && lease.parked.isEmpty()) {
			return lease.renew(now, this.leaseNanos);
		}
		return 0;
	}

	/**
	 * End the lease {@code token} of {@code key} because its value was stored.
	 * @return the parked waiters to answer, or {@code null} if {@code token} no longer
	 * holds the lease (it was cancelled or expired), in which case nothing may be stored
	 */
	synchronized @Nullable List<Waiter> complete(Object key, long token) {
		Lease lease = this.leases.get(key);
		if (lease == null || lease.token != token) {
			return null;
		}
		this.leases.remove(key);
		return new ArrayList<>(lease.parked);
	}

	/**
	 * Give up the lease {@code token} of {@code key} (the load failed or produced nothing
	 * to store): the next parked waiter gets a new lease.
	 * @return the grant to send, or {@code null}
	 */
	synchronized @Nullable Grant release(Object key, long token, long now) {
		Lease lease = this.leases.get(key);
		if (lease == null || lease.token != token) {
			return null;
		}
		return handOver(key, lease, now);
	}

	/**
	 * Keep the lease {@code token} of {@code key} for another lease period, because its
	 * holder is still loading.
	 * @return whether {@code token} still holds the lease
	 */
	synchronized boolean extend(Object key, long token, long now) {
		Lease lease = this.leases.get(key);
		if (lease == null || lease.token != token) {
			return false;
		}
		lease.deadline = now + this.leaseNanos;
		return true;
	}

	/**
	 * Take {@code waiter} off the lease of {@code key}, because it gave up waiting.
	 * @return whether it was still parked; if not, it has been (or is about to be)
	 * answered, granted the lease or told to retry
	 */
	synchronized boolean withdraw(Object key, Waiter waiter) {
		Lease lease = this.leases.get(key);
		return lease != null && lease.parked.remove(waiter);
	}

	/**
	 * Cancel the lease of {@code key}: a write or eviction happened, so whatever is being
	 * loaded is out of date.
	 * @return the parked waiters, who should ask again
	 */
	synchronized List<Waiter> cancel(Object key) {
		Lease lease = this.leases.remove(key);
		return (lease != null) ? new ArrayList<>(lease.parked) : List.of();
	}

	/**
	 * Cancel every lease: the cache was cleared.
	 * @return every parked waiter
	 */
	synchronized List<Waiter> cancelAll() {
		List<Waiter> waiters = new ArrayList<>();
		this.leases.values().forEach((lease) -> waiters.addAll(lease.parked));
		this.leases.clear();
		return waiters;
	}

	/**
	 * Hand expired leases (their holder died or is too slow) to the next parked waiter,
	 * and collect waiters that have waited long enough (answered with {@code null}, to
	 * ask again).
	 * @return the grants and retries to send, outside this table's monitor
	 */
	synchronized Expired expire(long now) {
		List<Grant> grants = new ArrayList<>();
		List<Waiter> retries = new ArrayList<>();
		for (Iterator<Map.Entry<Object, Lease>> it = this.leases.entrySet().iterator(); it.hasNext();) {
			Map.Entry<Object, Lease> mapping = it.next();
			Lease lease = mapping.getValue();
			for (Iterator<Waiter> parked = lease.parked.iterator(); parked.hasNext();) {
				Waiter waiter = parked.next();
				if (waiter.expired(now)) {
					parked.remove();
					retries.add(waiter);
				}
			}
			if (now - lease.deadline >= 0) {
				Waiter next = lease.parked.poll();
				if (next == null) {
					it.remove();
				}
				else {
					grants.add(new Grant(next, lease.renew(now, this.leaseNanos)));
				}
			}
		}
		return new Expired(grants, retries);
	}

	private @Nullable Grant handOver(Object key, Lease lease, long now) {
		Waiter next = lease.parked.poll();
		if (next == null) {
			this.leases.remove(key);
			return null;
		}
		return new Grant(next, lease.renew(now, this.leaseNanos));
	}

	synchronized int size() {
		return this.leases.size();
	}

	private static final class Lease {

		private final Deque<Waiter> parked = new ArrayDeque<>();

		private long token;

		private long deadline;

		long renew(long now, long leaseNanos) {
			long next;
			do {
				next = ThreadLocalRandom.current().nextLong();
			}
			while (next <= 0 || next == this.token);
			this.token = next;
			this.deadline = now + leaseNanos;
			return next;
		}

	}

}
