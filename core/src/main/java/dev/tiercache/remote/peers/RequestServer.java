package dev.tiercache.remote.peers;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.Message;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.Response;
import org.jspecify.annotations.Nullable;

/**
 * Serves other members' requests. Runs on the thread that read the request
 * ({@link ServeOnReceiver}) and never blocks it: a request for a key that is being loaded
 * is parked and answered later by whoever ends the load. A peer can make this member
 * create a cache it has not used yet only while dynamic creation is on, and only a
 * bounded number of them. Whatever cannot be served is answered ({@code ERROR},
 * {@code NO_CACHE}, {@code NOT_OWNER}), so the requester loads locally at once instead of
 * waiting for its timeout.
 *
 * @author tiercache
 */
final class RequestServer implements RequestHandler {

	private static final Log logger = LogFactory.getLog(RequestServer.class);

	/** How many caches other members may make this member create by naming them. */
	static final int MAX_CREATED_BY_PEERS = 64;

	private final Map<String, Registration> caches;

	private final ValueCodec codec;

	private final Owner owner;

	private final Rejections rejections;

	private final long parkNanos;

	private volatile @Nullable PeerChannel channel;

	private volatile @Nullable Handoff handoff;

	private volatile @Nullable Consumer<String> creator;

	private final AtomicInteger createdByPeers = new AtomicInteger();

	private final AtomicLong refusedCreations = new AtomicLong();

	RequestServer(Map<String, Registration> caches, ValueCodec codec, Owner owner, Rejections rejections,
			long rpcMillis) {
		this.caches = caches;
		this.codec = codec;
		this.owner = owner;
		this.rejections = rejections;
		this.parkNanos = TimeUnit.MILLISECONDS.toNanos(rpcMillis / 2);
	}

	void connect(PeerChannel channel, Handoff handoff) {
		this.channel = channel;
		this.handoff = handoff;
	}

	@Override
	public void handle(Message message, Response response) {
		PeerMessage request;
		try {
			request = PeerMessage.decode(message.getArray(), message.getOffset(), message.getLength());
		}
		catch (CodecException ex) {
			this.rejections.record(null, ex);
			response.send(PeerMessage.reply(Type.ERROR).encode(), false);
			return;
		}
		handle(request, response);
	}

	/**
	 * Serve a read ({@code FETCH} or {@code FETCH_OR_LEASE}) that arrived on the fetch
	 * transport ({@link FetchServer}); anything else is answered {@code ERROR}, since
	 * writes must travel through JGroups, in order with the invalidations.
	 */
	void handleRead(byte[] bytes, int offset, int length, Response response) {
		PeerMessage request;
		try {
			request = PeerMessage.decode(bytes, offset, length);
			if (request.type() != Type.FETCH && request.type() != Type.FETCH_OR_LEASE) {
				throw new CodecException("Dropped a " + request.type() + " request sent on the fetch transport");
			}
		}
		catch (CodecException ex) {
			this.rejections.record(null, ex);
			response.send(PeerMessage.reply(Type.ERROR).encode(), false);
			return;
		}
		handle(request, response);
	}

	private void handle(PeerMessage request, Response response) {
		Registration registration = registrationFor(request.cache());
		if (registration == null) {
			response.send(PeerMessage.reply(Type.NO_CACHE).encode(), false);
			return;
		}
		registration.stats().record(Counter.SERVER_REQUESTS);
		PeerMessage reply;
		try {
			reply = serve(registration, request, response);
		}
		catch (CodecException ex) {
			this.rejections.record(registration.stats(), ex);
			reply = PeerMessage.reply(Type.ERROR);
		}
		catch (RuntimeException ex) {
			logger.warn(
					"tiercache: could not serve a " + request.type() + " request for cache '" + request.cache() + "'",
					ex);
			reply = PeerMessage.reply(Type.ERROR);
		}
		if (reply != null) {
			response.send(stamped(reply).encode(), false);
		}
	}

	/**
	 * The answer with the view this member has installed, if it answers a write: the
	 * writer learns that its own view may be older ({@link Writes}).
	 */
	private PeerMessage stamped(PeerMessage reply) {
		PeerChannel channel = this.channel;
		if (channel != null && reply.token() == 0 && (reply.type() == Type.OK || reply.type() == Type.NOT_OWNER)) {
			return reply.withToken(channel.viewId());
		}
		return reply;
	}

	/**
	 * The cache a request names; one that this member has not used yet is created if
	 * dynamic creation is on, up to {@value #MAX_CREATED_BY_PEERS} such caches, so that a
	 * peer cannot make this member create caches without end.
	 */
	private @Nullable Registration registrationFor(String cache) {
		Registration registration = this.caches.get(cache);
		Consumer<String> creator = this.creator;
		if (registration != null || creator == null || cache.isEmpty()) {
			return registration;
		}
		if (this.createdByPeers.incrementAndGet() > MAX_CREATED_BY_PEERS) {
			this.createdByPeers.decrementAndGet();
			if (this.refusedCreations.getAndIncrement() == 0) {
				logger.warn("tiercache: peers asked for more than " + MAX_CREATED_BY_PEERS + " caches this member has "
						+ "not used; not creating '" + cache + "' or any further one. Declare the application's "
						+ "caches in tiercache.caches");
			}
			return null;
		}
		creator.accept(cache);
		return this.caches.get(cache);
	}

	void onUnknownCache(Consumer<String> creator) {
		this.creator = creator;
	}

	@Override
	public Object handle(Message message) {
		throw new UnsupportedOperationException("tiercache peers answer asynchronously");
	}

	/**
	 * The answer to {@code request}, or {@code null} if it was parked.
	 */
	private @Nullable PeerMessage serve(Registration registration, PeerMessage request, Response response) {
		if (request.type() == Type.CLEAR) {
			registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
			return PeerMessage.ok(this.owner.clear(registration));
		}
		if (request.type() == Type.DROP_HOT) {
			registration.local().invalidateAllHot();
			return PeerMessage.ok(true);
		}
		if (request.type() == Type.HANDOFF) {
			int taken = handoff().take(registration, request.value());
			registration.stats().record(Counter.HANDOFF_ENTRIES, taken);
			return PeerMessage.ok(taken > 0);
		}
		Object key = this.codec.decode(request.key());
		if (key == null) {
			throw new CodecException("Dropped a " + request.type() + " request without a key");
		}
		return switch (request.type()) {
			case FETCH -> {
				if (!owns(registration, key)) {
					yield PeerMessage.reply(Type.NOT_OWNER);
				}
				CacheEntry stored = registration.local().serveOwned(key);
				yield (stored != null) ? this.owner.valueOf(stored, false) : PeerMessage.reply(Type.MISS);
			}
			case FETCH_OR_LEASE ->
				owns(registration, key) ? this.owner.fetchOrLease(registration, key, response, this.parkNanos)
						: PeerMessage.reply(Type.NOT_OWNER);
			case STORE_LEASED -> this.owner.storeLeased(registration, key, request);
			case RELEASE -> {
				this.owner.release(registration, key, request.token());
				yield PeerMessage.ok(true);
			}
			case EXTEND -> PeerMessage.ok(this.owner.extend(registration, key, request.token()));
			case REFRESH -> owns(registration, key) ? this.owner.refreshLease(registration, key, request)
					: PeerMessage.reply(Type.NOT_OWNER);
			case PUT -> {
				if (!owns(registration, key)) {
					// The writer tells every member to drop the key when a write is
					// refused;
					// drop this member's copy now too.
					this.owner.forget(registration, key);
					yield PeerMessage.reply(Type.NOT_OWNER);
				}
				this.owner.store(registration, key, entry(request));
				yield PeerMessage.ok(true);
			}
			case PUT_IF_ABSENT -> {
				if (!owns(registration, key)) {
					yield PeerMessage.reply(Type.NOT_OWNER);
				}
				CacheEntry existing = this.owner.storeIfAbsent(registration, key, entry(request));
				yield (existing != null) ? this.owner.valueOf(existing, false) : PeerMessage.ok(true);
			}
			case EVICT -> PeerMessage.ok(this.owner.forget(registration, key));
			case INVALIDATE -> {
				this.owner.forget(registration, key);
				if (request.token() == PeerMessage.UNCONFIRMED) {
					String[] names = UnconfirmedWrites.names(request.value());
					registration.unconfirmed().unconfirmed(key, names[0], names[1], System.nanoTime());
				}
				else if (request.token() == PeerMessage.CONFIRMED) {
					registration.unconfirmed().confirmed(key, UnconfirmedWrites.names(request.value())[0]);
				}
				registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
				yield PeerMessage.ok(true);
			}
			default -> PeerMessage.reply(Type.ERROR);
		};
	}

	private CacheEntry entry(PeerMessage request) {
		return new CacheEntry(this.codec.decode(request.value()), request.ttlNanos());
	}

	private boolean owns(Registration registration, Object key) {
		PeerChannel channel = this.channel;
		return channel != null && channel.self().equals(channel.owner(registration.name(), key));
	}

	private Handoff handoff() {
		Handoff handoff = this.handoff;
		if (handoff == null) {
			throw new IllegalStateException("Not connected");
		}
		return handoff;
	}

}
