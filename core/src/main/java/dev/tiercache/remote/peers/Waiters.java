package dev.tiercache.remote.peers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.LeaseTable.Waiter;
import dev.tiercache.remote.peers.PeerMessage.Type;
import org.jgroups.blocks.Response;
import org.jspecify.annotations.Nullable;

/**
 * The callers an owner parks on a lease: a thread (or a future) of this member, and a
 * peer's request, answered through JGroups' asynchronous {@link Response} so that it
 * holds no thread while it waits.
 *
 * @author tiercache
 */
final class Waiters {

	private Waiters() {
	}

	/**
	 * What a local caller parked on a lease got: an entry, a lease, or (neither) ask
	 * again.
	 */
	record Outcome(long token, @Nullable CacheEntry entry) {
	}

	/**
	 * A thread of this member parked on a lease. It waits as long as the lease lives,
	 * which its holder extends while loading; if it is interrupted, it leaves the queue,
	 * and gives up a lease it was granted meanwhile so that nobody waits for it.
	 */
	static final class Local implements Waiter {

		private final Owner owner;

		private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

		Local(Owner owner) {
			this.owner = owner;
		}

		CompletableFuture<Outcome> outcome() {
			return this.outcome;
		}

		@Override
		public void granted(long token) {
			this.outcome.complete(new Outcome(token, null));
		}

		@Override
		public void answered(CacheEntry entry) {
			this.outcome.complete(new Outcome(0, entry));
		}

		@Override
		public void retry() {
			this.outcome.complete(new Outcome(0, null));
		}

		Outcome await(Registration registration, Object key) {
			try {
				return this.outcome.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				if (!registration.leases().withdraw(key, this)) {
					// Answered or granted meanwhile: pass a lease on rather than sit on
					// it.
					Outcome late = this.outcome.join();
					if (late.token() != 0) {
						this.owner.release(registration, key, late.token());
					}
				}
				throw new RemoteTierException("Interrupted while waiting for the load of a key", ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/**
	 * A peer's request parked on a lease, answered when the lease ends, or told to ask
	 * again once it has waited {@code parkNanos} (half the rpc timeout), so that the peer
	 * notices within its timeout if this member dies.
	 */
	static final class Peer implements Waiter {

		private final Owner owner;

		private final Response response;

		private final long deadline;

		Peer(Owner owner, Response response, long deadline) {
			this.owner = owner;
			this.response = response;
			this.deadline = deadline;
		}

		@Override
		public boolean expired(long now) {
			return now - this.deadline >= 0;
		}

		@Override
		public void granted(long token) {
			this.response.send(PeerMessage.reply(Type.LEASED).withToken(token).encode(), false);
		}

		@Override
		public void answered(CacheEntry entry) {
			this.response.send(this.owner.valueOf(entry, true).encode(), false);
		}

		@Override
		public void retry() {
			this.response.send(PeerMessage.reply(Type.WAIT).encode(), false);
		}

	}

}
