package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.JChannel;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The application's own instances as the remote tier, found and connected by JGroups; see
 * the {@linkplain dev.tiercache.remote.peers package documentation}. This class joins and
 * leaves the cluster and routes each operation to the owner's side ({@link Owner}) when
 * this member owns the key, or to the requester's side ({@link PeerClient}) when another
 * member does; writes then tell the other members to drop their copies.
 *
 * @author tiercache
 */
public final class PeersRemoteTier implements RemoteTier, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PeersRemoteTier.class);

	/**
	 * Keys remembered per cache for refusing late hand-offs, before they become a clear.
	 */
	private static final int REMOVALS_CAPACITY = 100_000;

	/**
	 * Keys remembered per cache as written but not confirmed by their owner, before the
	 * whole cache is read locally for a while instead.
	 */
	private static final int UNCONFIRMED_CAPACITY = 10_000;

	private static final Duration MIN_PAUSE_TOLERANCE = Duration.ofSeconds(2);

	private volatile PeersSettings settings;

	private final Supplier<String> nodeName;

	private final ValueCodec codec;

	private final ConcurrentMap<String, Registration> caches = new ConcurrentHashMap<>();

	/** Views and hand-offs, in order. */
	private final ExecutorService views;

	/** Lease sweeps and lease extensions: short tasks only. */
	private final ScheduledExecutorService timers;

	private final Rejections rejections = new Rejections();

	private final Owner owner;

	private volatile @Nullable JoinedCluster joined;

	private volatile boolean running;

	private @Nullable RequestServer server;

	private volatile @Nullable Consumer<String> creator;

	private PeersRemoteTier(PeersSettings settings, ValueCodec codec, Supplier<String> nodeName) {
		this.settings = settings;
		this.nodeName = nodeName;
		this.codec = codec;
		this.views = Executors.newSingleThreadExecutor(daemons("tiercache-peers-"));
		this.timers = Executors.newSingleThreadScheduledExecutor(daemons("tiercache-leases-"));
		this.owner = new Owner(codec, this.timers, settings.leaseTimeout().toNanos());
	}

	private static CustomizableThreadFactory daemons(String prefix) {
		CustomizableThreadFactory threads = new CustomizableThreadFactory(prefix);
		threads.setDaemon(true);
		return threads;
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
	 * @throws IllegalStateException if the cluster cannot be joined, or another member
	 * already has this member's name
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.settings = this.settings.withNodeName(this.nodeName.get());
		long rpcMillis = rpcMillis();
		RequestServer server = new RequestServer(this.caches, this.codec, this.owner, this.rejections, rpcMillis);
		this.server = server;
		Consumer<String> creator = this.creator;
		if (creator != null) {
			server.onUnknownCache(creator);
		}
		try {
			this.joined = JoinedCluster.join(this.settings, server, this.caches.values(), this.codec, this.owner,
					this.rejections, this.timers, this.views);
		}
		catch (Exception ex) {
			close();
			if (ex instanceof IllegalStateException refused) {
				throw refused;
			}
			throw new IllegalStateException("tiercache could not join cluster '" + this.settings.clusterName() + "' on "
					+ this.settings.bindAddress() + ":" + this.settings.port() + ": " + ex.getMessage(), ex);
		}
		long sweep = Math.max(10, Math.min(this.settings.leaseTimeout().toMillis() / 10, rpcMillis / 4));
		this.timers.scheduleWithFixedDelay(this::expireLeases, sweep, sweep, TimeUnit.MILLISECONDS);
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
		Membership current = membership();
		JoinedCluster joined = this.joined;
		if (current != null && joined != null && current.ring().members().size() > 1) {
			List<String> others = new ArrayList<>(current.ring().members());
			others.remove(this.settings.nodeName());
			joined.handoff().send(this.caches.values(), new HashRing(others), current);
		}
		close();
	}

	/**
	 * Return the JGroups channel, for tests that inject faults into its stack.
	 */
	@Nullable JChannel channel() {
		JoinedCluster joined = this.joined;
		return (joined != null) ? joined.channel() : null;
	}

	/**
	 * Return the fetch transport, or {@code null} if reads go through JGroups.
	 */
	@Nullable FetchTransport fetchTransport() {
		JoinedCluster joined = this.joined;
		return (joined != null) ? joined.fetchTransport() : null;
	}

	/**
	 * Return what serves other members' requests, for tests that send it payloads.
	 */
	@Nullable RequestServer requestHandler() {
		return this.server;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public synchronized void close() {
		this.running = false;
		this.views.shutdownNow();
		this.timers.shutdownNow();
		JoinedCluster joined = this.joined;
		if (joined != null) {
			joined.close();
		}
	}

	@Override
	public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
		long window = TimeUnit.MILLISECONDS.toNanos(12 * rpcMillis());
		long followedUp = TimeUnit.MILLISECONDS.toNanos((Writes.FOLLOW_UPS + 1) * rpcMillis());
		this.caches.put(cache,
				new Registration(cache, stats, local, new LeaseTable(this.settings.leaseTimeout().toNanos()),
						new RecentRemovals(window, REMOVALS_CAPACITY),
						new UnconfirmedWrites(followedUp, UNCONFIRMED_CAPACITY)));
	}

	@Override
	public void onUnknownCache(Consumer<String> creator) {
		this.creator = creator;
		RequestServer server = this.server;
		if (server != null) {
			server.onUnknownCache(creator);
		}
	}

	/**
	 * Two seconds, or eight rpc timeouts if longer: well past the time writers wait for
	 * this member, and short of failure detection (8 s), after which the others remove a
	 * silent member and stop telling it anything until the views merge.
	 */
	@Override
	public Duration pauseTolerance() {
		Duration rpcs = this.settings.rpcTimeout().multipliedBy(8);
		return (rpcs.compareTo(MIN_PAUSE_TOLERANCE) > 0) ? rpcs : MIN_PAUSE_TOLERANCE;
	}

	@Override
	public boolean usesMain() {
		return true;
	}

	@Override
	public boolean ownsLocally(String cache, Object key) {
		try {
			return this.settings.nodeName().equals(owner(cache, key));
		}
		catch (CodecException ex) {
			// A key without a stable name is cached on this node only, in hot.
			return false;
		}
	}

	@Override
	public ClusterView view() {
		return new PeersClusterView(this);
	}

	@Override
	public @Nullable CacheEntry fetch(String cache, Object key) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (isSelf(owner)) {
			return registration.local().getOwned(key);
		}
		return client().fetch(registration, owner, key);
	}

	@Override
	public CacheEntry fetchOrLoad(String cache, Object key, Loader loader) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (isSelf(owner)) {
			return this.owner.load(registration, key, loader);
		}
		return client().fetchOrLoad(registration, owner, key, loader);
	}

	@Override
	public CompletableFuture<@Nullable CacheEntry> fetchAsync(String cache, Object key, Executor executor) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (isSelf(owner)) {
			return CompletableFuture.completedFuture(registration.local().getOwned(key));
		}
		return client().fetchAsync(registration, owner, key, executor);
	}

	@Override
	public CompletableFuture<CacheEntry> fetchOrLoadAsync(String cache, Object key, AsyncLoader loader,
			Executor executor) {
		Registration registration = registration(cache);
		String owner = owner(cache, key);
		if (isSelf(owner)) {
			return this.owner.loadAsync(registration, key, loader, false);
		}
		return client().fetchOrLoadAsync(registration, owner, key, loader, executor);
	}

	@Override
	public @Nullable CacheEntry refresh(String cache, Object key, long windowNanos, Loader loader) {
		return joined().refreshes().refresh(registration(cache), owner(cache, key), key, windowNanos, loader);
	}

	@Override
	public void store(String cache, Object key, CacheEntry entry) {
		writes().store(registration(cache), owner(cache, key), key, entry);
	}

	@Override
	public @Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		return writes().storeIfAbsent(registration(cache), owner(cache, key), key, entry);
	}

	@Override
	public boolean evict(String cache, Object key) {
		return writes().evict(registration(cache), owner(cache, key), key);
	}

	@Override
	public boolean clear(String cache) {
		return writes().clear(registration(cache));
	}

	private void expireLeases() {
		try {
			this.owner.expireLeases(this.caches.values());
		}
		catch (RuntimeException ex) {
			// Never let one failure end the sweeps that free expired leases.
			logger.warn("tiercache: could not pass on expired leases", ex);
		}
	}

	@Nullable Membership membership() {
		PeerChannel peers = peerChannel();
		return (peers != null) ? peers.membership() : null;
	}

	PeersSettings settings() {
		return this.settings;
	}

	long rejectedPayloads() {
		return this.rejections.count();
	}

	String owner(String cache, Object key) {
		PeerChannel peers = peerChannel();
		return (peers != null) ? peers.owner(cache, key) : this.settings.nodeName();
	}

	private boolean isSelf(String member) {
		return this.settings.nodeName().equals(member);
	}

	private PeerClient client() {
		return joined().client();
	}

	private Writes writes() {
		return joined().writes();
	}

	private JoinedCluster joined() {
		JoinedCluster joined = this.joined;
		if (joined == null) {
			throw new RemoteTierException("tiercache has not joined its cluster yet");
		}
		return joined;
	}

	private long rpcMillis() {
		return this.settings.rpcTimeout().toMillis();
	}

	/**
	 * Return how many keys of {@code cache} have a load lease, for tests.
	 */
	int leases(String cache) {
		return registration(cache).leases().size();
	}

	/**
	 * Return how this member reaches the others, for tests that make views differ.
	 */
	@Nullable PeerChannel peerChannel() {
		JoinedCluster joined = this.joined;
		return (joined != null) ? joined.peers() : null;
	}

	private Registration registration(String cache) {
		Registration registration = this.caches.get(cache);
		if (registration == null) {
			throw new IllegalStateException("Cache '" + cache + "' is not registered with the peers tier");
		}
		return registration;
	}

}
