package dev.tiercache.remote.peers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.RemoteTier.AsyncLoader;
import dev.tiercache.remote.RemoteTier.Loader;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.Address;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.jspecify.annotations.Nullable;

/**
 * A member's side of the requests it makes of a key's owner and of the other members.
 *
 * <pre>
 * fetchOrLoad:  FETCH_OR_LEASE to the owner
 *   VALUE     -> the entry (a remote hit, or the end of a lease wait)
 *   LEASED    -> run the loader, extending the lease meanwhile; STORE_LEASED to the owner
 *   WAIT      -> the key is still being loaded (the owner parked us for rpc-timeout / 2)
 *                or a write cancelled the load: ask again
 *   otherwise -> the owner cannot help (not the owner in its view, no such cache, an
 *                error): a peer error, and the caller loads locally
 * </pre>
 *
 * @author tiercache
 */
final class PeerClient {

	private final PeerChannel channel;

	private final ValueCodec codec;

	private final Owner owner;

	private final Rejections rejections;

	private final long rpcMillis;

	private final @Nullable FetchClient fetches;

	PeerClient(PeerChannel channel, ValueCodec codec, Owner owner, Rejections rejections, long rpcMillis,
			@Nullable FetchClient fetches) {
		this.channel = channel;
		this.fetches = fetches;
		this.codec = codec;
		this.owner = owner;
		this.rejections = rejections;
		this.rpcMillis = rpcMillis;
	}

	@Nullable CacheEntry fetch(Registration registration, String member, Object key) {
		requireConfirmed(registration, member, key);
		PeerMessage reply = read(registration, member,
				PeerMessage.of(Type.FETCH, registration.name(), this.codec.encode(key)));
		return switch (reply.type()) {
			case VALUE -> decode(reply);
			case MISS -> null;
			default -> throw refused(registration, member, reply);
		};
	}

	CacheEntry fetchOrLoad(Registration registration, String member, Object key, Loader loader) {
		requireConfirmed(registration, member, key);
		byte[] keyBytes = this.codec.encode(key);
		boolean waited = false;
		while (true) {
			PeerMessage reply = read(registration, member,
					PeerMessage.of(Type.FETCH_OR_LEASE, registration.name(), keyBytes));
			switch (reply.type()) {
				case VALUE -> {
					return valueOf(registration, reply, waited);
				}
				case LEASED -> {
					if (reply.token() <= 0) {
						throw refused(registration, member, reply);
					}
					return loadUnderLease(registration, member, keyBytes, reply.token(), loader);
				}
				case WAIT -> {
					if (!waited) {
						registration.stats().record(Counter.LEASE_WAITS);
						waited = true;
					}
				}
				default -> throw refused(registration, member, reply);
			}
		}
	}

	/**
	 * A read on the fetch transport if there is one, else through JGroups.
	 */
	private PeerMessage read(Registration registration, String member, PeerMessage request) {
		FetchClient fetches = this.fetches;
		if (fetches != null) {
			return fetches.request(registration.stats(), member, request, this.rpcMillis);
		}
		return this.channel.request(registration.stats(), member, request, this.rpcMillis);
	}

	/**
	 * {@link #fetch} without a thread that waits.
	 */
	CompletableFuture<@Nullable CacheEntry> fetchAsync(Registration registration, String member, Object key,
			Executor executor) {
		requireConfirmed(registration, member, key);
		return this.channel
			.requestAsync(registration.stats(), member,
					PeerMessage.of(Type.FETCH, registration.name(), this.codec.encode(key)), this.rpcMillis)
			.thenApplyAsync((reply) -> switch (reply.type()) {
				case VALUE -> decode(reply);
				case MISS -> null;
				default -> throw refused(registration, member, reply);
			}, executor);
	}

	/**
	 * {@link #fetchOrLoad} without a thread that waits: for the owner's answers, the
	 * lease or the loader. Answers are decoded, and the loader started, on
	 * {@code executor}, never on the JGroups thread that received the answer.
	 */
	CompletableFuture<CacheEntry> fetchOrLoadAsync(Registration registration, String member, Object key,
			AsyncLoader loader, Executor executor) {
		requireConfirmed(registration, member, key);
		return ask(registration, member, this.codec.encode(key), loader, executor, false);
	}

	/**
	 * Refuse to read a key whose owner has not confirmed a write of it
	 * ({@link UnconfirmedWrites}): it may still serve the old value.
	 * @throws RemoteTierException if it has not, so that the caller loads the key itself
	 */
	private static void requireConfirmed(Registration registration, String member, Object key) {
		if (registration.unconfirmed().isUnconfirmed(key)) {
			registration.stats().record(Counter.PEER_ERRORS);
			throw new RemoteTierException("'" + member + "' has not confirmed a write of this key of cache '"
					+ registration.name() + "'; loading it here");
		}
	}

	private CompletableFuture<CacheEntry> ask(Registration registration, String member, byte[] keyBytes,
			AsyncLoader loader, Executor executor, boolean waited) {
		return this.channel
			.requestAsync(registration.stats(), member,
					PeerMessage.of(Type.FETCH_OR_LEASE, registration.name(), keyBytes), this.rpcMillis)
			.thenComposeAsync((reply) -> switch (reply.type()) {
				case VALUE -> {
					yield CompletableFuture.completedFuture(valueOf(registration, reply, waited));
				}
				case LEASED -> {
					if (reply.token() <= 0) {
						throw refused(registration, member, reply);
					}
					yield loadUnderLeaseAsync(registration, member, keyBytes, reply.token(), loader);
				}
				case WAIT -> {
					if (!waited) {
						registration.stats().record(Counter.LEASE_WAITS);
					}
					yield ask(registration, member, keyBytes, loader, executor, true);
				}
				default -> throw refused(registration, member, reply);
			}, executor);
	}

	private CompletableFuture<CacheEntry> loadUnderLeaseAsync(Registration registration, String member, byte[] keyBytes,
			long token, AsyncLoader loader) {
		PeerMessage release = PeerMessage.of(Type.RELEASE, registration.name(), keyBytes).withToken(token);
		PeerMessage extend = PeerMessage.of(Type.EXTEND, registration.name(), keyBytes).withToken(token);
		Runnable stopExtending = this.owner
			.keepLease(() -> this.channel.send(registration.stats(), member, extend, this.rpcMillis));
		CompletableFuture<CacheEntry> loading = Owner.start(loader);
		return loading.handle((loaded, failure) -> {
			stopExtending.run();
			return failure;
		}).thenCompose((failure) -> {
			if (failure != null) {
				this.channel.send(registration.stats(), member, release, this.rpcMillis);
				return loading;
			}
			CacheEntry loaded = loading.join();
			byte[] value = encodeOrRelease(registration, member, release, loaded);
			if (value == null) {
				return loading;
			}
			return this.channel
				.requestAsync(registration.stats(), member,
						PeerMessage.of(Type.STORE_LEASED, registration.name(), keyBytes)
							.withValue(value, loaded.ttlNanos())
							.withToken(token),
						this.rpcMillis)
				.handle((stored, notStored) -> loaded);
		});
	}

	/**
	 * The loaded value's bytes, or {@code null} (and the lease released) if there is
	 * nothing to store.
	 */
	private byte @Nullable [] encodeOrRelease(Registration registration, String member, PeerMessage release,
			CacheEntry loaded) {
		if (!loaded.isStorable()) {
			this.channel.send(registration.stats(), member, release, this.rpcMillis);
			return null;
		}
		try {
			return this.codec.encode(loaded.get());
		}
		catch (CodecException ex) {
			this.rejections.record(registration.stats(), ex);
			this.channel.send(registration.stats(), member, release, this.rpcMillis);
			return null;
		}
	}

	CacheEntry loadUnderLease(Registration registration, String member, byte[] keyBytes, long token, Loader loader) {
		PeerMessage release = PeerMessage.of(Type.RELEASE, registration.name(), keyBytes).withToken(token);
		PeerMessage extend = PeerMessage.of(Type.EXTEND, registration.name(), keyBytes).withToken(token);
		CacheEntry loaded;
		Runnable stopExtending = this.owner
			.keepLease(() -> this.channel.send(registration.stats(), member, extend, this.rpcMillis));
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			this.channel.send(registration.stats(), member, release, this.rpcMillis);
			throw ex;
		}
		finally {
			stopExtending.run();
		}
		byte[] value = encodeOrRelease(registration, member, release, loaded);
		if (value == null) {
			return loaded;
		}
		try {
			this.channel.request(registration.stats(), member,
					PeerMessage.of(Type.STORE_LEASED, registration.name(), keyBytes)
						.withValue(value, loaded.ttlNanos())
						.withToken(token),
					this.rpcMillis);
		}
		catch (RemoteTierException ex) {
			// Counted; the owner's lease expires by itself, and the value is returned.
		}
		return loaded;
	}

	/**
	 * Ask {@code member}, the owner, to store a value.
	 * @return whether it did; {@code false} if it does not own the key in its view
	 */
	boolean put(Registration registration, String member, byte[] keyBytes, byte[] value, long ttlNanos) {
		PeerMessage reply = this.channel.request(registration.stats(), member,
				PeerMessage.of(Type.PUT, registration.name(), keyBytes).withValue(value, ttlNanos), this.rpcMillis);
		if (reply.type() != Type.OK) {
			registration.stats().record(Counter.PEER_ERRORS);
			return false;
		}
		return true;
	}

	/**
	 * Ask {@code member}, the owner, to store a value unless it has one.
	 * @return the owner's answer: {@code VALUE} with the existing entry, or {@code OK}
	 * @throws RemoteTierException if the owner did not apply the request
	 */
	PeerMessage putIfAbsent(Registration registration, String member, byte[] keyBytes, byte[] value, long ttlNanos) {
		PeerMessage reply = this.channel.request(registration.stats(), member,
				PeerMessage.of(Type.PUT_IF_ABSENT, registration.name(), keyBytes).withValue(value, ttlNanos),
				this.rpcMillis);
		if (reply.type() != Type.OK && reply.type() != Type.VALUE) {
			throw refused(registration, member, reply);
		}
		return reply;
	}

	/**
	 * Ask {@code member}, the owner, to remove a key.
	 * @return the answer: {@code OK}, changed or not
	 */
	PeerMessage evict(Registration registration, String member, byte[] keyBytes) {
		PeerMessage reply = this.channel.request(registration.stats(), member,
				PeerMessage.of(Type.EVICT, registration.name(), keyBytes), this.rpcMillis);
		if (reply.type() != Type.OK) {
			throw refused(registration, member, reply);
		}
		return reply;
	}

	/**
	 * Tell every member but this one and {@code except} to drop its copy of a key, and
	 * wait (at most {@code rpc-timeout}) until they have; each member that did not answer
	 * is a peer error.
	 */
	void invalidateOthers(Registration registration, @Nullable String except, byte[] keyBytes) {
		cast(registration, except, PeerMessage.of(Type.INVALIDATE, registration.name(), keyBytes));
	}

	/**
	 * Tell every other member, {@code owner} included, to drop a key whose owner has not
	 * confirmed a write of it, and to read it from no other member until this member says
	 * the owner has ({@link UnconfirmedWrites}); wait as {@link #invalidateOthers} does.
	 */
	void invalidateUnconfirmed(Registration registration, String owner, byte[] keyBytes) {
		cast(registration, null,
				PeerMessage.of(Type.INVALIDATE, registration.name(), keyBytes)
					.withValue(UnconfirmedWrites.names(this.channel.self(), owner), 0)
					.withToken(PeerMessage.UNCONFIRMED));
	}

	private void cast(Registration registration, @Nullable String except, PeerMessage invalidation) {
		List<Address> targets = this.channel.others(except);
		if (!targets.isEmpty()) {
			this.channel.cast(registration.stats(), targets, invalidation, this.rpcMillis);
			registration.stats().record(Counter.INVALIDATIONS_SENT);
		}
	}

	/**
	 * Ask {@code member} to remove a key, without waiting.
	 * @return a future of the answer, failed unless the member removed it
	 */
	CompletableFuture<PeerMessage> evictAsync(Registration registration, String member, byte[] keyBytes) {
		return this.channel
			.requestAsync(registration.stats(), member, PeerMessage.of(Type.EVICT, registration.name(), keyBytes),
					this.rpcMillis)
			.thenApply((reply) -> {
				if (reply.type() != Type.OK) {
					throw refused(registration, member, reply);
				}
				return reply;
			});
	}

	/**
	 * Tell every member but {@code owner}, without waiting, to drop a key once more; if
	 * {@code confirmed}, also that the owner has confirmed this member's write of it, so
	 * that its mark ({@link UnconfirmedWrites}) is lifted.
	 */
	void invalidateOthersAsync(Registration registration, String owner, byte[] keyBytes, boolean confirmed) {
		List<Address> targets = this.channel.others(owner);
		if (!targets.isEmpty()) {
			PeerMessage invalidation = PeerMessage.of(Type.INVALIDATE, registration.name(), keyBytes);
			if (confirmed) {
				invalidation = invalidation.withValue(UnconfirmedWrites.names(this.channel.self(), owner), 0)
					.withToken(PeerMessage.CONFIRMED);
			}
			this.channel.castAsync(registration.stats(), targets, invalidation, this.rpcMillis);
			registration.stats().record(Counter.INVALIDATIONS_SENT);
		}
	}

	/**
	 * Tell every other member to clear the cache and wait (at most {@code rpc-timeout})
	 * until they have; then tell them all to drop their hot copies once more. The members
	 * clear in parallel, so one that has cleared may fetch a key from an owner that has
	 * not yet, and keep the old value in hot after the clear returned; the second round
	 * drops it, and whatever is fetched after the first round comes from cleared owners.
	 * @return whether any of them held an entry
	 */
	boolean clearOthers(Registration registration) {
		List<Address> targets = this.channel.others(null);
		if (targets.isEmpty()) {
			return false;
		}
		RspList<byte[]> replies = this.channel.cast(registration.stats(), targets,
				PeerMessage.of(Type.CLEAR, registration.name()), this.rpcMillis);
		registration.stats().record(Counter.INVALIDATIONS_SENT);
		this.channel.cast(registration.stats(), targets, PeerMessage.of(Type.DROP_HOT, registration.name()),
				this.rpcMillis);
		boolean changed = false;
		for (Rsp<byte[]> reply : replies) {
			byte[] answer = reply.wasReceived() ? reply.getValue() : null;
			if (answer != null) {
				try {
					changed |= PeerMessage.decode(answer, 0, answer.length).ttlNanos() == 1;
				}
				catch (CodecException ex) {
					this.rejections.record(registration.stats(), ex);
				}
			}
		}
		return changed;
	}

	/**
	 * The entry of a {@code VALUE} answer to {@code FETCH_OR_LEASE}, counted as a remote
	 * hit, or as the end of a lease wait (once per load).
	 */
	private CacheEntry valueOf(Registration registration, PeerMessage reply, boolean waited) {
		CacheEntry entry = decode(reply);
		if (!reply.afterWait()) {
			registration.stats().record(Counter.REMOTE_HITS);
		}
		else if (!waited) {
			registration.stats().record(Counter.LEASE_WAITS);
		}
		return entry;
	}

	private CacheEntry decode(PeerMessage reply) {
		return new CacheEntry(this.codec.decode(reply.value()), reply.ttlNanos());
	}

	private RemoteTierException refused(Registration registration, String member, PeerMessage reply) {
		registration.stats().record(Counter.PEER_ERRORS);
		String why = switch (reply.type()) {
			case NOT_OWNER -> "does not own the key in its view (views differ)";
			case NO_CACHE -> "has no cache '" + registration.name() + "' yet (declare it in tiercache.caches so that "
					+ "every member has it from the start)";
			case ERROR -> "could not serve the request (see its log)";
			default -> "answered " + reply.type();
		};
		return new RemoteTierException("Peer '" + member + "' " + why + "; using the local tier");
	}

}
