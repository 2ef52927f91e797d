package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.LeaseTable.Grant;
import dev.tiercache.remote.peers.LeaseTable.Waiter;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.blocks.Response;
import org.jgroups.util.NameCache;
import org.jgroups.util.RspList;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The application's own instances as the remote tier, found and connected by JGroups; see
 * the {@linkplain dev.tiercache.remote.peers package documentation}.
 *
 * @author tiercache
 */
public final class PeersRemoteTier implements RemoteTier, RequestHandler, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PeersRemoteTier.class);

	private static final int HANDOFF_BATCH = 200;

	private volatile PeersSettings settings;

	private final Supplier<String> nodeName;

	private final ValueCodec codec;

	private final ConcurrentMap<String, Registration> caches = new ConcurrentHashMap<>();

	private final ScheduledExecutorService background;

	private final AtomicLong rejected = new AtomicLong();

	private volatile @Nullable Membership membership;

	private volatile @Nullable Consumer<String> cacheCreator;

	private @Nullable JChannel channel;

	private @Nullable MessageDispatcher dispatcher;

	private volatile boolean running;

	private PeersRemoteTier(PeersSettings settings, ValueCodec codec, Supplier<String> nodeName) {
		this.settings = settings;
		this.nodeName = nodeName;
		this.codec = codec;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiercache-peers-");
		threads.setDaemon(true);
		this.background = Executors.newSingleThreadScheduledExecutor(threads);
	}

	/**
	 * Create a peers tier that joins its cluster on {@link #start()}.
	 * @param settings the tier's settings
	 * @param codec how keys and values become bytes
	 * @return the tier, not yet started
	 */
	public static PeersRemoteTier create(PeersSettings settings, ValueCodec codec) {
		return new PeersRemoteTier(settings, codec, settings::nodeName);
	}

	/**
	 * Create a peers tier whose node name is decided when it joins the cluster, such as a
	 * name that includes the port a web server bound at start-up.
	 * @param settings the tier's settings; their node name is used until the tier starts
	 * @param codec how keys and values become bytes
	 * @param nodeName supplies this member's name when the tier starts
	 * @return the tier, not yet started
	 */
	public static PeersRemoteTier create(PeersSettings settings, ValueCodec codec, Supplier<String> nodeName) {
		return new PeersRemoteTier(settings, codec, nodeName);
	}

	/**
	 * Join the cluster.
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.settings = this.settings.withNodeName(this.nodeName.get());
		try {
			JChannel channel = JGroupsStack.channel(this.settings);
			this.dispatcher = new MessageDispatcher(channel, this).asyncDispatching(true).setReceiver(new Receiver() {

				@Override
				public void viewAccepted(View view) {
					// Rebuild the ring off the JGroups delivery thread.
					try {
						PeersRemoteTier.this.background.execute(() -> onView(view, true));
					}
					catch (RejectedExecutionException ex) {
						// Closing: the members that stay rebuild their own rings.
					}
				}

			});
			channel.connect(this.settings.clusterName());
			this.channel = channel;
			// On the background thread, which takes every later view in order.
			this.background.submit(() -> onView(channel.getView(), false)).get();
		}
		catch (Exception ex) {
			throw new IllegalStateException("tiercache could not join cluster '" + this.settings.clusterName() + "' on "
					+ this.settings.bindAddress() + ":" + this.settings.port() + ": " + ex.getMessage(), ex);
		}
		long sweep = Math.max(10, Math.min(this.settings.leaseTimeout().toMillis() / 10, rpcMillis() / 4));
		this.background.scheduleWithFixedDelay(this::expireLeases, sweep, sweep, TimeUnit.MILLISECONDS);
		this.running = true;
	}

	/**
	 * Hand every main entry to its owner among the other members, then leave the cluster.
	 */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		Membership current = this.membership;
		if (current != null && current.ring().members().size() > 1) {
			List<String> others = new ArrayList<>(current.ring().members());
			others.remove(this.settings.nodeName());
			handOff(new HashRing(others), current);
		}
		close();
	}

	/**
	 * Return the JGroups channel, for tests that inject faults into its stack.
	 */
	@Nullable JChannel channel() {
		return this.channel;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public synchronized void close() {
		this.running = false;
		this.background.shutdownNow();
		if (this.dispatcher != null) {
			this.dispatcher.stop();
		}
		if (this.channel != null) {
			this.channel.close();
		}
	}

	@Override
	public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
		this.caches.put(cache,
				new Registration(cache, stats, local, new LeaseTable(this.settings.leaseTimeout().toNanos())));
	}

	@Override
	public void onUnknownCache(Consumer<String> creator) {
		this.cacheCreator = creator;
	}

	@Override
	public boolean usesMain() {
		return true;
	}

	@Override
	public boolean ownsLocally(String cache, Object key) {
		return this.settings.nodeName().equals(owner(cache, key));
	}

	@Override
	public ClusterView view() {
		return new PeersClusterView();
	}

	@Override
	public @Nullable CacheEntry fetch(String cache, Object key) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (owner.equals(this.settings.nodeName())) {
			return registration.local().getOwned(key);
		}
		PeerMessage reply = request(registration, owner, PeerMessage.of(Type.FETCH, cache, this.codec.encode(key)),
				rpcMillis());
		return (reply.type() == Type.VALUE) ? decodeEntry(registration, reply) : null;
	}

	@Override
	public CacheEntry fetchOrLoad(String cache, Object key, Loader loader) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (owner.equals(this.settings.nodeName())) {
			return loadAsOwner(registration, key, loader);
		}
		return loadThroughOwner(registration, owner, key, loader);
	}

	private CacheEntry loadAsOwner(Registration registration, Object key, Loader loader) {
		long deadline = System.nanoTime() + 2 * this.settings.leaseTimeout().toNanos();
		boolean waited = false;
		while (true) {
			CacheEntry stored = registration.local().getOwned(key);
			if (stored != null) {
				return stored;
			}
			LocalWaiter waiter = new LocalWaiter();
			Claim claim = storedOrLease(registration, key, waiter);
			if (claim.stored() != null) {
				return claim.stored();
			}
			long token = claim.token();
			if (token == 0) {
				if (!waited) {
					registration.stats().record(Counter.LEASE_WAITS);
					waited = true;
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return loader.load();
				}
				Outcome outcome = waiter.await(remaining);
				if (outcome == null || (outcome.token() == 0 && outcome.entry() == null)) {
					continue;
				}
				if (outcome.entry() != null) {
					return outcome.entry();
				}
				token = outcome.token();
			}
			return loadUnderOwnLease(registration, key, token, loader);
		}
	}

	private CacheEntry loadUnderOwnLease(Registration registration, Object key, long token, Loader loader) {
		CacheEntry loaded;
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			grant(registration, registration.leases().release(key, token, System.nanoTime()));
			throw ex;
		}
		if (!loaded.isStorable()) {
			grant(registration, registration.leases().release(key, token, System.nanoTime()));
			return loaded;
		}
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			waiters = registration.leases().complete(key, token);
			if (waiters != null) {
				registration.local().storeOwned(key, loaded);
			}
		}
		if (waiters != null) {
			waiters.forEach((waiter) -> waiter.answered(loaded));
		}
		return loaded;
	}

	private CacheEntry loadThroughOwner(Registration registration, String owner, Object key, Loader loader) {
		byte[] keyBytes = this.codec.encode(key);
		long deadline = System.nanoTime() + 2 * this.settings.leaseTimeout().toNanos();
		while (true) {
			// A parked request is answered "ask again" within half the rpc timeout, so a
			// silent owner is noticed within rpc-timeout even while another node loads.
			PeerMessage reply = request(registration, owner,
					PeerMessage.of(Type.FETCH_OR_LEASE, registration.name(), keyBytes), rpcMillis());
			switch (reply.type()) {
				case VALUE -> {
					CacheEntry entry = decodeEntry(registration, reply);
					return (entry != null) ? entry : loader.load();
				}
				case LEASED -> {
					return loadUnderRemoteLease(registration, owner, keyBytes, reply.token(), loader);
				}
				case NOT_OWNER -> {
					registration.stats().record(Counter.PEER_ERRORS);
					throw new RemoteTierException(
							"Peer '" + owner + "' does not own the key (views differ); " + "loading locally");
				}
				default -> {
					if (System.nanoTime() - deadline >= 0) {
						return loader.load();
					}
				}
			}
		}
	}

	private CacheEntry loadUnderRemoteLease(Registration registration, String owner, byte[] keyBytes, long token,
			Loader loader) {
		PeerMessage release = PeerMessage.of(Type.RELEASE, registration.name(), keyBytes).withToken(token);
		CacheEntry loaded;
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			requestQuietly(registration, owner, release);
			throw ex;
		}
		if (!loaded.isStorable()) {
			requestQuietly(registration, owner, release);
			return loaded;
		}
		byte[] value;
		try {
			value = this.codec.encode(loaded.get());
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			requestQuietly(registration, owner, release);
			return loaded;
		}
		requestQuietly(registration, owner,
				PeerMessage.of(Type.STORE_LEASED, registration.name(), keyBytes)
					.withValue(value, loaded.ttlNanos())
					.withToken(token));
		return loaded;
	}

	@Override
	public void store(String cache, Object key, CacheEntry entry) {
		Registration registration = registration(cache);
		byte[] keyBytes = this.codec.encode(key);
		byte[] value = this.codec.encode(entry.get());
		String owner = owner(cache, key);
		if (owner.equals(this.settings.nodeName())) {
			storeAsOwner(registration, key, entry);
		}
		else {
			request(registration, owner, PeerMessage.of(Type.PUT, cache, keyBytes).withValue(value, entry.ttlNanos()),
					rpcMillis());
		}
		invalidateOthers(registration, owner, keyBytes);
	}

	private void storeAsOwner(Registration registration, Object key, CacheEntry entry) {
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			waiters = registration.leases().cancel(key);
			registration.local().storeOwned(key, entry);
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
	}

	@Override
	public @Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		Registration registration = registration(cache);
		byte[] keyBytes = this.codec.encode(key);
		byte[] value = this.codec.encode(entry.get());
		String owner = owner(cache, key);
		if (owner.equals(this.settings.nodeName())) {
			return storeIfAbsentAsOwner(registration, key, entry);
		}
		PeerMessage reply = request(registration, owner,
				PeerMessage.of(Type.PUT_IF_ABSENT, cache, keyBytes).withValue(value, entry.ttlNanos()), rpcMillis());
		return (reply.type() == Type.VALUE) ? decodeEntry(registration, reply) : null;
	}

	private @Nullable CacheEntry storeIfAbsentAsOwner(Registration registration, Object key, CacheEntry entry) {
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			CacheEntry existing = registration.local().getOwned(key);
			if (existing != null) {
				return existing;
			}
			waiters = registration.leases().cancel(key);
			registration.local().storeOwned(key, entry);
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
		return null;
	}

	@Override
	public boolean evict(String cache, Object key) {
		Registration registration = registration(cache);
		byte[] keyBytes = this.codec.encode(key);
		String owner = owner(cache, key);
		boolean removed;
		if (owner.equals(this.settings.nodeName())) {
			removed = evictAsOwner(registration, key);
		}
		else {
			removed = request(registration, owner, PeerMessage.of(Type.EVICT, cache, keyBytes), rpcMillis())
				.ttlNanos() == 1;
		}
		invalidateOthers(registration, owner, keyBytes);
		return removed;
	}

	private boolean evictAsOwner(Registration registration, Object key) {
		List<Waiter> waiters;
		boolean removed;
		synchronized (registration.leases()) {
			waiters = registration.leases().cancel(key);
			removed = registration.local().removeOwned(key);
		}
		waiters.forEach((waiter) -> waiter.answered(null));
		return removed;
	}

	@Override
	public boolean clear(String cache) {
		Registration registration = registration(cache);
		registration.leases().cancelAll().forEach((waiter) -> waiter.answered(null));
		List<Address> others = others(null);
		if (others.isEmpty()) {
			return false;
		}
		boolean changed = false;
		try {
			RspList<byte[]> replies = dispatcher().castMessage(others,
					request(null, PeerMessage.of(Type.CLEAR, cache).encode()),
					RequestOptions.SYNC().timeout(rpcMillis()).anycasting(true));
			registration.stats().record(Counter.INVALIDATIONS_SENT);
			for (byte[] reply : replies.getResults()) {
				changed |= reply != null && PeerMessage.decode(reply, 0, reply.length).ttlNanos() == 1;
			}
		}
		catch (Exception ex) {
			registration.stats().record(Counter.PEER_ERRORS);
		}
		return changed;
	}

	/**
	 * Tell every member but this node and the owner to drop its copy of a key, and wait
	 * (at most {@code rpc-timeout}) until they have.
	 */
	private void invalidateOthers(Registration registration, String owner, byte[] keyBytes) {
		List<Address> targets = others(owner);
		if (targets.isEmpty()) {
			return;
		}
		try {
			dispatcher().castMessage(targets,
					request(null, PeerMessage.of(Type.INVALIDATE, registration.name(), keyBytes).encode()),
					RequestOptions.SYNC().timeout(rpcMillis()).anycasting(true));
			registration.stats().record(Counter.INVALIDATIONS_SENT);
		}
		catch (Exception ex) {
			registration.stats().record(Counter.PEER_ERRORS);
		}
	}

	/**
	 * Serve a peer. Runs on a JGroups thread and never blocks it: a request for a key
	 * that is being loaded is parked and answered later by whoever stores it.
	 */
	@Override
	public void handle(Message message, Response response) {
		PeerMessage request;
		try {
			request = PeerMessage.decode(message.getArray(), message.getOffset(), message.getLength());
		}
		catch (CodecException ex) {
			rejected(null, ex);
			response.send(PeerMessage.reply(Type.MISS).encode(), false);
			return;
		}
		Registration registration = this.caches.get(request.cache());
		if (registration == null && !request.cache().isEmpty() && this.cacheCreator != null) {
			this.cacheCreator.accept(request.cache());
			registration = this.caches.get(request.cache());
		}
		if (registration == null) {
			response.send(PeerMessage.reply(Type.NOT_OWNER).encode(), false);
			return;
		}
		registration.stats().record(Counter.SERVER_REQUESTS);
		try {
			serve(registration, request, response);
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			response.send(PeerMessage.reply(Type.MISS).encode(), false);
		}
		catch (RuntimeException ex) {
			logger.warn(
					"tiercache: could not serve a " + request.type() + " request for cache '" + request.cache() + "'",
					ex);
			response.send(PeerMessage.reply(Type.MISS).encode(), false);
		}
	}

	@Override
	public Object handle(Message message) {
		throw new UnsupportedOperationException("tiercache peers answer asynchronously");
	}

	private void serve(Registration registration, PeerMessage request, Response response) {
		if (request.type() == Type.CLEAR) {
			registration.leases().cancelAll().forEach((waiter) -> waiter.answered(null));
			boolean[] any = new boolean[1];
			registration.local().forEachOwned((key, entry) -> any[0] = true);
			registration.local().invalidateAll();
			registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
			response.send(PeerMessage.ok(any[0]).encode(), false);
			return;
		}
		if (request.type() == Type.HANDOFF) {
			int taken = takeHandoff(registration, request.value());
			registration.stats().record(Counter.HANDOFF_ENTRIES, taken);
			response.send(PeerMessage.ok(taken > 0).encode(), false);
			return;
		}
		Object key = decodeKey(request.key());
		boolean owned = ownsLocally(registration.name(), key);
		PeerMessage reply = switch (request.type()) {
			case FETCH -> owned ? valueOrMiss(registration.local().serveOwned(key)) : PeerMessage.reply(Type.NOT_OWNER);
			case FETCH_OR_LEASE ->
				owned ? fetchOrLease(registration, key, response) : PeerMessage.reply(Type.NOT_OWNER);
			case STORE_LEASED -> storeLeased(registration, key, request);
			case RELEASE -> {
				grant(registration, registration.leases().release(key, request.token(), System.nanoTime()));
				yield PeerMessage.ok(true);
			}
			case PUT -> {
				if (!owned) {
					yield PeerMessage.reply(Type.NOT_OWNER);
				}
				storeAsOwner(registration, key, new CacheEntry(this.codec.decode(request.value()), request.ttlNanos()));
				yield PeerMessage.ok(true);
			}
			case PUT_IF_ABSENT -> {
				if (!owned) {
					yield PeerMessage.reply(Type.NOT_OWNER);
				}
				CacheEntry existing = storeIfAbsentAsOwner(registration, key,
						new CacheEntry(this.codec.decode(request.value()), request.ttlNanos()));
				yield (existing != null) ? valueOrMiss(existing) : PeerMessage.ok(true);
			}
			case EVICT -> PeerMessage.ok(evictAsOwner(registration, key));
			case INVALIDATE -> {
				registration.local().invalidate(key);
				registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
				yield PeerMessage.ok(true);
			}
			default -> PeerMessage.reply(Type.MISS);
		};
		if (reply != null) {
			response.send(reply.encode(), false);
		}
	}

	/**
	 * The owner's answer to a caller that wants the entry or the right to load it: the
	 * entry, a lease, or nothing yet ({@code null}: the request is parked on the lease).
	 */
	private @Nullable PeerMessage fetchOrLease(Registration registration, Object key, Response response) {
		CacheEntry stored = registration.local().serveOwned(key);
		if (stored != null) {
			return valueOrMiss(stored);
		}
		Claim claim = storedOrLease(registration, key, new PeerWaiter(response));
		if (claim.stored() != null) {
			return valueOrMiss(claim.stored());
		}
		if (claim.token() == 0) {
			registration.stats().record(Counter.LEASE_WAITS);
			return null;
		}
		return PeerMessage.reply(Type.LEASED).withToken(claim.token());
	}

	/**
	 * The owner's stored entry of {@code key}, or else the lease on it (or {@code waiter}
	 * parked on it). The entry is looked up again under the lease table's lock, which a
	 * load completes under, so a load that finished since the caller's first look is
	 * never run a second time.
	 */
	private Claim storedOrLease(Registration registration, Object key, LeaseTable.Waiter waiter) {
		synchronized (registration.leases()) {
			CacheEntry stored = registration.local().getOwned(key);
			if (stored != null) {
				return new Claim(stored, 0);
			}
			return new Claim(null, registration.leases().acquireOrPark(key, waiter, System.nanoTime()));
		}
	}

	private PeerMessage storeLeased(Registration registration, Object key, PeerMessage request) {
		CacheEntry entry;
		try {
			entry = new CacheEntry(this.codec.decode(request.value()), request.ttlNanos());
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			grant(registration, registration.leases().release(key, request.token(), System.nanoTime()));
			return PeerMessage.ok(false);
		}
		List<Waiter> waiters;
		synchronized (registration.leases()) {
			waiters = registration.leases().complete(key, request.token());
			if (waiters != null) {
				registration.local().storeOwned(key, entry);
			}
		}
		if (waiters == null) {
			return PeerMessage.ok(false);
		}
		waiters.forEach((waiter) -> waiter.answered(entry));
		return PeerMessage.ok(true);
	}

	private PeerMessage valueOrMiss(@Nullable CacheEntry entry) {
		if (entry == null) {
			return PeerMessage.reply(Type.MISS);
		}
		return PeerMessage.value(entry.encodedValue(this.codec::encode), entry.ttlNanos());
	}

	private void grant(Registration registration, @Nullable Grant grant) {
		if (grant != null) {
			grant.waiter().granted(grant.token());
		}
	}

	private void expireLeases() {
		long now = System.nanoTime();
		this.caches.values()
			.forEach((registration) -> registration.leases()
				.expire(now)
				.forEach((grant) -> grant.waiter().granted(grant.token())));
	}

	/**
	 * A new view: rebuild the ring and, if this node was already a member, hand the main
	 * entries it no longer owns to their new owners. Runs off the delivery thread.
	 */
	private void onView(View view, boolean handOff) {
		Membership previous = this.membership;
		if (previous != null && view.getViewId().compareToIDs(previous.view()) <= 0) {
			// A view this node has already seen, such as the one it connected with.
			return;
		}
		Map<String, Address> addresses = new LinkedHashMap<>();
		for (Address address : view.getMembers()) {
			String name = NameCache.get(address);
			addresses.put((name != null) ? name : address.toString(), address);
		}
		Membership next = new Membership(view.getViewId(), new HashRing(new ArrayList<>(addresses.keySet())),
				addresses);
		this.membership = next;
		logger.info("tiercache: cluster '" + this.settings.clusterName() + "' has " + addresses.size() + " member(s): "
				+ addresses.keySet());
		if (view instanceof MergeView) {
			// A partition healed: both sides may have owned (and changed) the same keys,
			// and invalidations sent across the partition were lost.
			this.caches.values().forEach((registration) -> registration.local().invalidateAll());
			logger.info("tiercache: cluster '" + this.settings.clusterName() + "' merged after a partition; cleared "
					+ "the local tiers, since entries on either side may be stale");
		}
		else if (handOff && previous != null && !previous.ring().members().equals(next.ring().members())) {
			handOff(next.ring(), next);
		}
	}

	/**
	 * Send every main entry whose owner in {@code ring} is another member to that member,
	 * in batches, and drop the ones it took.
	 */
	private void handOff(HashRing ring, Membership membership) {
		for (Registration registration : this.caches.values()) {
			Map<String, List<Object[]>> moves = new HashMap<>();
			registration.local().forEachOwned((key, entry) -> {
				String owner;
				try {
					owner = ring.ownerOf(registration.name() + ":" + KeyNames.name(registration.name(), key));
				}
				catch (CodecException ex) {
					return;
				}
				if (!owner.equals(this.settings.nodeName()) && entry.isStorable()) {
					moves.computeIfAbsent(owner, (o) -> new ArrayList<>()).add(new Object[] { key, entry });
				}
			});
			moves.forEach((owner, entries) -> {
				for (int from = 0; from < entries.size(); from += HANDOFF_BATCH) {
					List<Object[]> batch = entries.subList(from, Math.min(entries.size(), from + HANDOFF_BATCH));
					if (!sendHandoff(registration, membership.addresses().get(owner), batch)) {
						break;
					}
				}
			});
		}
	}

	private boolean sendHandoff(Registration registration, @Nullable Address target, List<Object[]> batch) {
		if (target == null) {
			return false;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		List<Object> sent = new ArrayList<>();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			for (Object[] move : batch) {
				try {
					byte[] key = this.codec.encode(move[0]);
					byte[] value = ((CacheEntry) move[1]).encodedValue(this.codec::encode);
					out.writeInt(key.length);
					out.write(key);
					out.writeInt(value.length);
					out.write(value);
					out.writeLong(((CacheEntry) move[1]).ttlNanos());
					sent.add(move[0]);
				}
				catch (CodecException ex) {
					rejected(registration.stats(), ex);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			byte[] reply = dispatcher().sendMessage(request(target,
					PeerMessage.of(Type.HANDOFF, registration.name()).withValue(bytes.toByteArray(), 0).encode()),
					RequestOptions.SYNC().timeout(4 * rpcMillis()));
			if (reply == null || PeerMessage.decode(reply, 0, reply.length).type() != Type.OK) {
				// Not taken (the new owner has no such cache yet, say): keep the entries.
				registration.stats().record(Counter.PEER_ERRORS);
				return false;
			}
		}
		catch (Exception ex) {
			registration.stats().record(Counter.PEER_ERRORS);
			return false;
		}
		sent.forEach((key) -> registration.local().removeOwned(key));
		return true;
	}

	private int takeHandoff(Registration registration, byte[] payload) {
		int taken = 0;
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
			while (in.available() > 0) {
				byte[] keyBytes = in.readNBytes(checkedLength(in));
				byte[] value = in.readNBytes(checkedLength(in));
				long ttl = in.readLong();
				Object key = decodeKey(keyBytes);
				if (ttl > 0 && registration.local().getOwned(key) == null) {
					registration.local().storeOwned(key, new CacheEntry(this.codec.decode(value), ttl));
					taken++;
				}
			}
		}
		catch (IOException ex) {
			throw new CodecException("Dropped a malformed handoff of " + payload.length + " bytes", ex);
		}
		return taken;
	}

	private static int checkedLength(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > in.available()) {
			throw new CodecException("Dropped a handoff with a field length of " + length);
		}
		return length;
	}

	private PeerMessage request(Registration registration, String owner, PeerMessage message, long timeoutMillis) {
		Membership current = this.membership;
		Address target = (current != null) ? current.addresses().get(owner) : null;
		if (target == null) {
			registration.stats().record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + owner + "' is not in the view");
		}
		byte[] reply;
		try {
			reply = dispatcher().sendMessage(request(target, message.encode()),
					RequestOptions.SYNC().timeout(timeoutMillis));
		}
		catch (Exception ex) {
			registration.stats().record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + owner + "' did not answer a " + message.type() + " request: " + ex,
					ex);
		}
		if (reply == null) {
			registration.stats().record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + owner + "' gave no answer to a " + message.type() + " request");
		}
		try {
			return PeerMessage.decode(reply, 0, reply.length);
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			throw new RemoteTierException("Peer '" + owner + "' gave a malformed answer", ex);
		}
	}

	private void requestQuietly(Registration registration, String owner, PeerMessage message) {
		try {
			request(registration, owner, message, rpcMillis());
		}
		catch (RemoteTierException ex) {
			// Counted; the owner's lease expires by itself.
		}
	}

	private @Nullable CacheEntry decodeEntry(Registration registration, PeerMessage reply) {
		try {
			return new CacheEntry(this.codec.decode(reply.value()), reply.ttlNanos());
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			return null;
		}
	}

	private Object decodeKey(byte[] bytes) {
		Object key = this.codec.decode(bytes);
		if (key == null) {
			throw new CodecException("Dropped a request without a key");
		}
		return key;
	}

	private String owner(String cache, Object key) {
		Membership current = this.membership;
		if (current == null) {
			return this.settings.nodeName();
		}
		return current.ring().ownerOf(cache + ":" + KeyNames.name(cache, key));
	}

	/**
	 * Every member but this node and {@code except}.
	 */
	private List<Address> others(@Nullable String except) {
		Membership current = this.membership;
		if (current == null) {
			return List.of();
		}
		List<Address> others = new ArrayList<>();
		current.addresses().forEach((name, address) -> {
			if (!name.equals(this.settings.nodeName()) && !name.equals(except)) {
				others.add(address);
			}
		});
		return others;
	}

	/**
	 * A request for one or all other members, hand-offs included: out of band, and
	 * outside flow control. The owner answers on the thread that read the request
	 * ({@link ServeOnReceiver}) and JGroups copies the request's flags to the reply;
	 * under flow control, a reply that ran out of credits would block that thread, and
	 * the credits that would free it arrive on the very connection it no longer reads. A
	 * member's requests and replies are bounded by the threads waiting for them
	 * (hand-offs go one batch at a time), which is the flow control they need.
	 */
	private static Message request(@Nullable Address target, byte[] payload) {
		return new BytesMessage(target, payload).setFlag(Message.Flag.OOB, Message.Flag.NO_FC);
	}

	private MessageDispatcher dispatcher() {
		MessageDispatcher dispatcher = this.dispatcher;
		if (dispatcher == null) {
			throw new RemoteTierException("tiercache has not joined its cluster yet");
		}
		return dispatcher;
	}

	private long rpcMillis() {
		return this.settings.rpcTimeout().toMillis();
	}

	private Registration registration(String cache) {
		Registration registration = this.caches.get(cache);
		if (registration == null) {
			throw new IllegalStateException("Cache '" + cache + "' is not registered with the peers tier");
		}
		return registration;
	}

	private void rejected(@Nullable StatsCounter stats, CodecException ex) {
		if (stats != null) {
			stats.record(Counter.REJECTED_PAYLOADS);
		}
		long count = this.rejected.incrementAndGet();
		if (count <= 10 || count % 1000 == 0) {
			logger.warn("tiercache: " + ex.getMessage() + " (" + count + " rejected so far)");
		}
	}

	/**
	 * A cache as the peers tier knows it.
	 */
	private record Registration(String name, StatsCounter stats, LocalStore local, LeaseTable leases) {
	}

	/**
	 * The members as of the last view, by logical name, and the ring over them.
	 */
	private record Membership(ViewId view, HashRing ring, Map<String, Address> addresses) {
	}

	/**
	 * What {@link #storedOrLease} found: the stored entry, or a lease token (0 when the
	 * waiter was parked).
	 */
	private record Claim(@Nullable CacheEntry stored, long token) {
	}

	/**
	 * What a local caller parked on a lease got.
	 */
	private record Outcome(long token, @Nullable CacheEntry entry) {
	}

	/**
	 * A thread of this node parked on a lease.
	 */
	private static final class LocalWaiter implements Waiter {

		private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

		@Override
		public void granted(long token) {
			this.outcome.complete(new Outcome(token, null));
		}

		@Override
		public void answered(@Nullable CacheEntry entry) {
			this.outcome.complete(new Outcome(0, entry));
		}

		@Nullable Outcome await(long nanos) {
			try {
				return this.outcome.get(nanos, TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new RemoteTierException("Interrupted while waiting for a load", ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				return null;
			}
		}

	}

	/**
	 * A peer's request parked on a lease, answered when the lease ends.
	 */
	private final class PeerWaiter implements Waiter {

		private final Response response;

		private final long deadline;

		PeerWaiter(Response response) {
			this.response = response;
			this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rpcMillis() / 2);
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
		public void answered(@Nullable CacheEntry entry) {
			PeerMessage reply;
			try {
				reply = valueOrMiss(entry);
			}
			catch (CodecException ex) {
				reply = PeerMessage.reply(Type.MISS);
			}
			this.response.send(reply.encode(), false);
		}

	}

	/**
	 * The cluster as this node sees it.
	 */
	private final class PeersClusterView implements ClusterView {

		@Override
		public String mode() {
			return "peers";
		}

		@Override
		public String localMember() {
			return PeersRemoteTier.this.settings.nodeName();
		}

		@Override
		public List<Member> members() {
			Membership current = PeersRemoteTier.this.membership;
			if (current == null) {
				return List.of(new Member(localMember(), null, 1.0));
			}
			List<Member> members = new ArrayList<>();
			current.addresses()
				.forEach((name, address) -> members.add(new Member(name, physical(address), current.ring().share())));
			return members;
		}

		private @Nullable String physical(Address address) {
			JChannel channel = PeersRemoteTier.this.channel;
			if (channel == null) {
				return null;
			}
			Object physical = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, address));
			return (physical instanceof PhysicalAddress) ? physical.toString() : null;
		}

		@Override
		public String ownerOf(String cache, Object key) {
			return PeersRemoteTier.this.owner(cache, key);
		}

		@Override
		public Map<String, Object> details() {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("cluster", PeersRemoteTier.this.settings.clusterName());
			JChannel channel = PeersRemoteTier.this.channel;
			details.put("view", (channel != null && channel.getView() != null)
					? channel.getView().getViewId().toString() : "not connected");
			details.put("rejectedPayloads", PeersRemoteTier.this.rejected.get());
			return details;
		}

	}

}
