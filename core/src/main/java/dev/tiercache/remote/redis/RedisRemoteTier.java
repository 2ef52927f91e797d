package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Redis as the remote tier. See the {@linkplain dev.tiercache.remote.redis package
 * documentation} for the algorithm; {@link #start} creates and starts one.
 *
 * <p>
 * This class routes each operation; the work is done by {@link RedisCommands} (every
 * command, through the circuit breaker), {@link Leases} (single-flight loads),
 * {@link Writes} (store, evict and clear, and what follows them), {@link Invalidator}
 * (invalidations and their acknowledgements), {@link Subscription} (the subscription and
 * its heartbeat), {@link Heartbeat} (the heartbeat thread, and the replay when Redis is
 * back) and {@link PendingEvictions} (what is replayed).
 *
 * @author tiercache
 */
public final class RedisRemoteTier implements RemoteTier, SmartLifecycle {

	private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Duration MIN_PAUSE_TOLERANCE = Duration.ofSeconds(2);

	private final RedisTierSettings settings;

	private final String nodeId = UUID.randomUUID().toString();

	private final RedisKeys keys;

	private final ConcurrentMap<String, Registration> caches = new ConcurrentHashMap<>();

	private final Rejections rejections = new Rejections();

	private final PendingEvictions pending = new PendingEvictions();

	private final MasterChanges masterChanges;

	private final Members members;

	private final RedisCommands commands;

	private final StoredEntries entries;

	private final Outages outages;

	private final KeyStamps stamps;

	private final Invalidator invalidator;

	private final Leases leases;

	private final HeldLeases held;

	private final Subscription subscription;

	private final RedisClusterView view;

	private final ServerTracking tracking;

	private final Writes writes;

	private final Heartbeat heartbeat;

	private volatile boolean running;

	/**
	 * Whether the tier ran before: a start after a stop follows a gap in invalidations.
	 */
	private boolean stoppedBefore;

	private RedisRemoteTier(RedisConnectionFactory connectionFactory, ValueCodec codec, RedisTierSettings settings,
			Supplier<String> nodeName) {
		requireLettuce(connectionFactory);
		this.settings = settings;
		this.keys = new RedisKeys(settings.keyPrefix());
		this.outages = new Outages(settings, this.caches::values);
		this.commands = new RedisCommands(connectionFactory, settings, this::redisAnswersAgain, this.outages::began);
		this.masterChanges = new MasterChanges(this.commands, this.pending, MasterChanges.WINDOW);
		this.entries = new StoredEntries(codec, this.rejections);
		this.stamps = new KeyStamps(codec);
		this.members = new Members(settings);
		this.invalidator = new Invalidator(this.commands, this.keys, settings, this.nodeId, this.pending, this.members);
		this.held = new HeldLeases(this.commands, settings);
		this.leases = new Leases(this.commands, this.keys, this.entries, settings, this.nodeId, this.invalidator,
				this.rejections, this.held);
		this.subscription = new Subscription(connectionFactory, settings, this.commands, this.keys, this.nodeId,
				nodeName, this::onEvent, this.invalidator::acknowledged, this::subscriptionGap, this.outages::silent,
				this.rejections);
		this.outages.watch(this.commands, this.subscription);
		this.tracking = new ServerTracking(connectionFactory, this.commands.topology(), settings, this.caches::get,
				this.caches::values);
		this.view = new RedisClusterView(nodeName, this.commands, this.subscription, this.pending, this.rejections,
				this.held, this.members, this.tracking, this.masterChanges);
		this.writes = new Writes(this.commands, this.keys, this.entries, this.stamps, this.invalidator, this.pending,
				this.masterChanges, this::registration);
		this.heartbeat = new Heartbeat(settings, this.caches, this.commands, this.subscription, this.tracking,
				this.masterChanges, this.pending, this.outages, this.writes);
	}

	/**
	 * Refuse Jedis, by class name, so that nothing here needs Jedis on the class path.
	 */
	private static void requireLettuce(RedisConnectionFactory connectionFactory) {
		for (Class<?> type = connectionFactory.getClass(); type != null; type = type.getSuperclass()) {
			if (type.getName().equals("org.springframework.data.redis.connection.jedis.JedisConnectionFactory")) {
				throw new IllegalStateException("tiercache.mode=redis works with Lettuce, the client that "
						+ "spring-boot-starter-data-redis uses by default, but the RedisConnectionFactory is a "
						+ connectionFactory.getClass().getName() + ". tiercache is not tested with Jedis, whose "
						+ "blocking subscription would hold the thread that delivers invalidations to this node. "
						+ "Set spring.data.redis.client-type=lettuce, or remove the redis.clients:jedis "
						+ "dependency and keep io.lettuce:lettuce-core");
			}
		}
	}

	/**
	 * Create a Redis tier that does nothing until {@link #start()}: as a bean, Spring
	 * starts it after the connection factory it uses.
	 * @param connectionFactory the application's Redis connection factory
	 * @param codec how keys and values become bytes
	 * @param settings the tier's settings
	 * @param nodeName this node's name, for the cluster view
	 * @return the tier, not yet started
	 * @throws IllegalStateException if {@code connectionFactory} is Jedis's rather than
	 * Lettuce's
	 */
	public static RedisRemoteTier create(RedisConnectionFactory connectionFactory, ValueCodec codec,
			RedisTierSettings settings, Supplier<String> nodeName) {
		return new RedisRemoteTier(connectionFactory, codec, settings, nodeName);
	}

	/**
	 * Create a Redis tier and {@link #start()} it.
	 * @param connectionFactory the application's Redis connection factory, started
	 * @param codec how keys and values become bytes
	 * @param settings the tier's settings
	 * @param nodeName this node's name, for the cluster view
	 * @return the running tier; {@link #close()} stops it
	 * @throws IllegalStateException if {@code connectionFactory} is Jedis's rather than
	 * Lettuce's
	 */
	public static RedisRemoteTier start(RedisConnectionFactory connectionFactory, ValueCodec codec,
			RedisTierSettings settings, Supplier<String> nodeName) {
		RedisRemoteTier tier = create(connectionFactory, codec, settings, nodeName);
		tier.start();
		return tier;
	}

	/**
	 * Subscribe to the invalidation channel and start the heartbeat. A tier that was
	 * stopped starts again, and drops every hot copy first: it heard no invalidation
	 * while it was stopped.
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		if (this.stoppedBefore) {
			this.caches.values().forEach((registration) -> registration.invalidations().invalidateAll());
		}
		this.tracking.start();
		this.heartbeat.open();
		this.held.start();
		this.subscription.start();
		this.heartbeat.start();
		this.running = true;
	}

	/**
	 * Unsubscribe and stop the heartbeat and the lease thread; {@link #start()} starts
	 * them again. Caches keep working meanwhile, but hear no invalidations.
	 */
	@Override
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		this.stoppedBefore = true;
		this.heartbeat.stop();
		this.held.stop();
		this.subscription.stop();
		this.tracking.stop();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Start after the connection factory (phase 0) and before the web server; stop after
	 * the web server has drained its requests (Spring Boot's graceful shutdown runs in
	 * phase {@code DEFAULT_PHASE - 1024}, the web server stops in
	 * {@code DEFAULT_PHASE - 2048}), so requests in flight keep the remote tier.
	 */
	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public void close() {
		stop();
	}

	/**
	 * Return the settings this tier runs with.
	 * @return the settings
	 */
	public RedisTierSettings settings() {
		return this.settings;
	}

	/** This node's id on the Redis channels, for tests. */
	String nodeId() {
		return this.nodeId;
	}

	@Override
	public ClusterView view() {
		return this.view;
	}

	/**
	 * Register a cache.
	 * @throws IllegalStateException if the cache refreshes entries
	 * ({@code refresh-after}) while reads restart their time to live in Redis
	 * ({@code time-to-idle}): an entry's age is then unknown, so no refresh would ever be
	 * due
	 */
	@Override
	public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
		if (this.settings.timeToIdle() && !configuration.getRefreshAfter().isZero()) {
			throw new IllegalStateException("Cache '" + cache + "' has refresh-after ("
					+ configuration.getRefreshAfter() + "), which cannot work with tiercache.redis.time-to-idle=true: "
					+ "every read restarts an entry's time to live in Redis, so its age is unknown. Turn one of the "
					+ "two off");
		}
		long ttlMillis = configuration.getTtl().toMillis();
		byte[] idleTtl = (this.settings.timeToIdle() && ttlMillis > 0) ? RedisKeys.ascii(Long.toString(ttlMillis))
				: RedisKeys.NO_TTL;
		this.caches.put(cache, new Registration(stats, local, idleTtl));
	}

	@Override
	public @Nullable CacheEntry fetch(String cache, Object key) {
		Registration registration = registration(cache);
		byte[] valueKey = RedisKeys.utf8(this.keys.valueKey(cache, key));
		byte[] stamp = this.stamps.of(key);
		return this.entries.read(registration, stamp,
				this.commands.fetch(registration.stats(), valueKey, registration.idleTtl(), stamp));
	}

	@Override
	public CacheEntry fetchOrLoad(String cache, Object key, Loader loader) {
		return this.leases.fetchOrLoad(registration(cache), cache, this.keys.valueKey(cache, key), this.stamps.of(key),
				loader);
	}

	@Override
	public CompletableFuture<CacheEntry> fetchOrLoadAsync(String cache, Object key, AsyncLoader loader,
			Executor executor) {
		return this.leases.fetchOrLoadAsync(registration(cache), cache, this.keys.valueKey(cache, key),
				this.stamps.of(key), loader, executor, false);
	}

	/**
	 * Two seconds, or eight invalidation timeouts if longer: past the time writers wait
	 * for this node's acknowledgement.
	 */
	@Override
	public Duration pauseTolerance() {
		Duration acks = this.settings.invalidationTimeout().multipliedBy(8);
		return (acks.compareTo(MIN_PAUSE_TOLERANCE) > 0) ? acks : MIN_PAUSE_TOLERANCE;
	}

	@Override
	public @Nullable CacheEntry refresh(String cache, Object key, long windowNanos, Loader loader) {
		Registration registration = registration(cache);
		String name = KeyNames.name(cache, key);
		CacheEntry loaded = this.leases.refresh(registration, cache, this.keys.valueKeyOfName(cache, name),
				this.stamps.of(key), windowNanos, loader);
		if (loaded != null) {
			// Stored unless a write overtook it; either way no copy of the old value may
			// stay, here or on another node.
			this.writes.invalidateByName(registration, cache, name);
		}
		return loaded;
	}

	@Override
	public void store(String cache, Object key, CacheEntry entry) {
		this.writes.store(cache, key, entry);
	}

	@Override
	public @Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		return this.writes.storeIfAbsent(cache, key, entry);
	}

	@Override
	public boolean evict(String cache, Object key) {
		return this.writes.evict(cache, key);
	}

	@Override
	public boolean clear(String cache) {
		return this.writes.clear(cache);
	}

	/**
	 * A message from another node on the event channel.
	 */
	private void onEvent(EventMessage event) {
		switch (event.type()) {
			case INVALIDATE, CLEAR -> this.invalidator.received(this.caches.get(event.cache()), event);
			case LOADED -> this.leases.loaded(new String(event.payload(), StandardCharsets.UTF_8));
			case PING -> this.members.heard(event.sender(), new String(event.payload(), StandardCharsets.UTF_8));
			default -> {
			}
		}
	}

	/**
	 * The circuit closed ({@link Heartbeat#redisAnswersAgain}); {@link RedisCommands} is
	 * made before the heartbeat, so it calls this.
	 */
	private void redisAnswersAgain() {
		this.heartbeat.redisAnswersAgain();
	}

	/**
	 * Return whether hot copies may be admitted now ({@link Outages#trustsHot()}).
	 */
	@Override
	public boolean trustsHot() {
		return this.outages.trustsHot();
	}

	/**
	 * The subscription had a gap ({@link Heartbeat#subscriptionGap});
	 * {@link Subscription} is made before the heartbeat, so it calls this.
	 */
	private void subscriptionGap(Subscription.Gap gap) {
		this.heartbeat.subscriptionGap(gap);
	}

	private Registration registration(String cache) {
		Registration registration = this.caches.get(cache);
		if (registration == null) {
			throw new IllegalStateException("Cache '" + cache + "' is not registered with the Redis tier");
		}
		return registration;
	}

}
