package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.redis.EventMessage.Type;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Redis as the remote tier. See the {@linkplain dev.tiercache.remote.redis package
 * documentation} for the algorithm; {@link #start} creates and starts one.
 *
 * @author tiercache
 */
public final class RedisRemoteTier implements RemoteTier, MessageListener, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisRemoteTier.class);

	/** Waiters for a lease re-check Redis at least this often, even without a message. */
	private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private static final int PENDING_LIMIT = 10_000;

	private static final int CLEAR_BATCH = 500;

	private static final byte[] NO_TTL = "0".getBytes(StandardCharsets.US_ASCII);

	private final RedisConnectionFactory connectionFactory;

	private final ValueCodec codec;

	private final RedisTierSettings settings;

	private final Supplier<String> nodeName;

	private final String nodeId = UUID.randomUUID().toString();

	private final byte[] eventChannel;

	private final byte[] ackChannel;

	private final ConcurrentMap<String, Registration> caches = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, CompletableFuture<Void>> loadWaiters = new ConcurrentHashMap<>();

	private final ConcurrentMap<Long, Semaphore> ackWaiters = new ConcurrentHashMap<>();

	private final AtomicLong messageIds = new AtomicLong();

	private final CircuitBreaker breaker;

	private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean pendingOverflow = new AtomicBoolean();

	private final AtomicLong rejected = new AtomicLong();

	private final RedisMessageListenerContainer subscription = new RedisMessageListenerContainer();

	private final ScheduledExecutorService heartbeat;

	private volatile long lastHeartbeatNanos = System.nanoTime();

	private volatile boolean subscriptionLost;

	private volatile boolean running;

	private volatile boolean subscribed;

	private RedisRemoteTier(RedisConnectionFactory connectionFactory, ValueCodec codec, RedisTierSettings settings,
			Supplier<String> nodeName) {
		this.connectionFactory = connectionFactory;
		this.codec = codec;
		this.settings = settings;
		this.nodeName = nodeName;
		this.eventChannel = utf8(settings.keyPrefix() + "events");
		this.ackChannel = utf8(settings.keyPrefix() + "acks:" + this.nodeId);
		this.breaker = new CircuitBreaker(settings.failureThreshold(), settings.retryInterval(), System::nanoTime);
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiercache-redis-");
		threads.setDaemon(true);
		this.heartbeat = Executors.newSingleThreadScheduledExecutor(threads);
	}

	/**
	 * Create a Redis tier that does nothing until {@link #start()}: as a bean, Spring
	 * starts it after the connection factory it uses.
	 * @param connectionFactory the application's Redis connection factory
	 * @param codec how keys and values become bytes
	 * @param settings the tier's settings
	 * @param nodeName this node's name, for the cluster view
	 * @return the tier, not yet started
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
	 */
	public static RedisRemoteTier start(RedisConnectionFactory connectionFactory, ValueCodec codec,
			RedisTierSettings settings, Supplier<String> nodeName) {
		RedisRemoteTier tier = create(connectionFactory, codec, settings, nodeName);
		tier.start();
		return tier;
	}

	/**
	 * Subscribe to the invalidation channel and start the heartbeat.
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		this.lastHeartbeatNanos = System.nanoTime();
		subscribe();
		long interval = this.settings.heartbeatInterval().toNanos();
		this.heartbeat.scheduleWithFixedDelay(this::beat, interval, interval, TimeUnit.NANOSECONDS);
	}

	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	private void subscribe() {
		this.subscription.setConnectionFactory(this.connectionFactory);
		this.subscription.setRecoveryInterval(this.settings.retryInterval().toMillis());
		// One thread, so that invalidations are applied in the order they were sent.
		this.subscription.setTaskExecutor(Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "tiercache-redis-events");
			thread.setDaemon(true);
			return thread;
		}));
		this.subscription.addMessageListener(this,
				List.of(new ChannelTopic(new String(this.eventChannel, StandardCharsets.UTF_8)),
						new ChannelTopic(new String(this.ackChannel, StandardCharsets.UTF_8))));
		this.subscription.afterPropertiesSet();
		RuntimeException failure = startSubscription();
		if (failure != null) {
			logger.warn("tiercache: could not subscribe to Redis invalidations yet (" + failure.getMessage()
					+ "); caches run on their local tier and tiercache retries every "
					+ this.settings.heartbeatInterval());
		}
	}

	private @Nullable RuntimeException startSubscription() {
		try {
			this.subscription.start();
			this.subscribed = true;
			return null;
		}
		catch (RuntimeException ex) {
			this.subscriptionLost = true;
			try {
				this.subscription.stop();
			}
			catch (RuntimeException ignored) {
				// not started
			}
			return ex;
		}
	}

	@Override
	public ClusterView view() {
		return new RedisClusterView();
	}

	@Override
	public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
		long ttlMillis = configuration.getTtl().toMillis();
		byte[] idleTtl = (this.settings.timeToIdle() && ttlMillis > 0) ? ascii(Long.toString(ttlMillis)) : NO_TTL;
		this.caches.put(cache, new Registration(stats, local, idleTtl));
	}

	@Override
	public @Nullable CacheEntry fetch(String cache, Object key) {
		Registration registration = registration(cache);
		byte[] valueKey = utf8(valueKey(cache, key));
		List<Object> reply = redis(registration.stats(), "GET", (connection) -> RedisScripts.FETCH.run(connection,
				ReturnType.MULTI, 1, valueKey, registration.idleTtl()));
		return toEntry(registration, reply);
	}

	@Override
	public CacheEntry fetchOrLoad(String cache, Object key, Loader loader) {
		Registration registration = registration(cache);
		String name = valueKey(cache, key);
		byte[] valueKey = utf8(name);
		byte[] leaseKey = utf8(name + ":lock");
		long deadline = System.nanoTime() + 2 * this.settings.leaseTimeout().toNanos();
		boolean waited = false;
		byte[] leaseMillis = ascii(Long.toString(this.settings.leaseTimeout().toMillis()));
		CompletableFuture<Void> loaded = null;
		try {
			while (true) {
				loaded = this.loadWaiters.computeIfAbsent(name, (k) -> new CompletableFuture<>());
				byte[] token = ascii(this.nodeId + ":" + ThreadLocalRandom.current().nextLong());
				List<Object> reply = redis(registration.stats(), "GET/SET NX",
						(connection) -> RedisScripts.FETCH_OR_LEASE.run(connection, ReturnType.MULTI, 2, valueKey,
								leaseKey, registration.idleTtl(), token, leaseMillis));
				if (reply != null && reply.size() == 2) {
					CacheEntry stored = toEntry(registration, reply);
					if (stored != null) {
						return stored;
					}
					// Unreadable (refused by the codec) or expiring: replace it.
					redis(registration.stats(), "UNLINK", (connection) -> connection.keyCommands().unlink(valueKey));
					continue;
				}
				if (reply != null && reply.size() == 1 && Long.valueOf(1).equals(reply.get(0))) {
					return loadUnderLease(registration, cache, name, valueKey, leaseKey, token, loader);
				}
				if (!waited) {
					registration.stats().record(Counter.LEASE_WAITS);
					waited = true;
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					// The lease holder neither finished nor let its lease expire in time:
					// load here rather than wait on, and leave the store to the holder.
					logger.warn("tiercache: waited " + this.settings.leaseTimeout().multipliedBy(2)
							+ " for the load of '" + name + "' by another node; loading locally");
					return loader.load();
				}
				awaitLoaded(loaded, Math.min(RECHECK_NANOS, remaining));
			}
		}
		finally {
			if (loaded != null) {
				this.loadWaiters.remove(name, loaded);
			}
		}
	}

	private CacheEntry loadUnderLease(Registration registration, String cache, String name, byte[] valueKey,
			byte[] leaseKey, byte[] token, Loader loader) {
		CacheEntry loaded;
		try {
			loaded = loader.load();
		}
		catch (RuntimeException | Error ex) {
			// Let the next waiter take over.
			releaseQuietly(registration, leaseKey, token);
			publishQuietly(registration, Type.LOADED, cache, utf8(name));
			throw ex;
		}
		if (!loaded.isStorable()) {
			releaseQuietly(registration, leaseKey, token);
		}
		else {
			try {
				byte[] bytes = this.codec.encode(loaded.get());
				redis(registration.stats(), "SET", (connection) -> RedisScripts.STORE_IF_LEASED.run(connection,
						ReturnType.INTEGER, 2, valueKey, leaseKey, bytes, ttlArgument(loaded), token));
			}
			catch (CodecException ex) {
				rejected(registration.stats(), ex);
				releaseQuietly(registration, leaseKey, token);
			}
			catch (RemoteTierException ex) {
				// Counted; the value is still returned to the callers.
			}
		}
		publishQuietly(registration, Type.LOADED, cache, utf8(name));
		return loaded;
	}

	@Override
	public void store(String cache, Object key, CacheEntry entry) {
		Registration registration = registration(cache);
		String name = valueKey(cache, key);
		byte[] keyBytes = this.codec.encode(key);
		byte[] bytes = this.codec.encode(entry.get());
		try {
			redis(registration.stats(), "SET", (connection) -> RedisScripts.STORE.run(connection, ReturnType.INTEGER, 2,
					utf8(name), utf8(name + ":lock"), bytes, ttlArgument(entry)));
		}
		catch (RemoteTierException ex) {
			addPending(cache, key);
			throw ex;
		}
		invalidateOthers(registration, Type.INVALIDATE, cache, keyBytes, key);
	}

	@Override
	public @Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		Registration registration = registration(cache);
		String name = valueKey(cache, key);
		byte[] bytes = this.codec.encode(entry.get());
		List<Object> reply = redis(registration.stats(), "SET NX", (connection) -> RedisScripts.STORE_IF_ABSENT
			.run(connection, ReturnType.MULTI, 2, utf8(name), utf8(name + ":lock"), bytes, ttlArgument(entry)));
		return toEntry(registration, reply);
	}

	@Override
	public boolean evict(String cache, Object key) {
		Registration registration = registration(cache);
		String name = valueKey(cache, key);
		Long removed;
		try {
			removed = redis(registration.stats(), "UNLINK", (connection) -> RedisScripts.EVICT.run(connection,
					ReturnType.INTEGER, 2, utf8(name), utf8(name + ":lock")));
		}
		catch (RemoteTierException ex) {
			addPending(cache, key);
			throw ex;
		}
		byte[] keyBytes = encodeKeyOrNull(registration, key);
		if (keyBytes != null) {
			invalidateOthers(registration, Type.INVALIDATE, cache, keyBytes, key);
		}
		else {
			invalidateOthers(registration, Type.CLEAR, cache, new byte[0], null);
		}
		return removed != null && removed > 0;
	}

	@Override
	public boolean clear(String cache) {
		Registration registration = registration(cache);
		byte[] pattern = utf8(escapeGlob(this.settings.keyPrefix() + cache + "::") + "*");
		long removed;
		try {
			removed = redis(registration.stats(), "SCAN/UNLINK", (connection) -> {
				long count = 0;
				List<byte[]> batch = new ArrayList<>(CLEAR_BATCH);
				try (Cursor<byte[]> keys = connection.keyCommands()
					.scan(ScanOptions.scanOptions().match(pattern).count(1000).build())) {
					while (keys.hasNext()) {
						batch.add(keys.next());
						if (batch.size() == CLEAR_BATCH) {
							count += unlink(connection, batch);
						}
					}
				}
				return count + unlink(connection, batch);
			});
		}
		catch (RemoteTierException ex) {
			addPending(cache, null);
			throw ex;
		}
		invalidateOthers(registration, Type.CLEAR, cache, new byte[0], null);
		return removed > 0;
	}

	private static long unlink(RedisConnection connection, List<byte[]> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		Long removed = connection.keyCommands().unlink(batch.toArray(byte[][]::new));
		batch.clear();
		return (removed != null) ? removed : 0;
	}

	/**
	 * Publish an invalidation and wait, at most {@code invalidation-timeout}, for every
	 * other subscriber to confirm that it dropped its copies.
	 */
	private void invalidateOthers(Registration registration, Type type, String cache, byte[] payload,
			@Nullable Object key) {
		long id = this.messageIds.incrementAndGet();
		byte[] message = new EventMessage(type, this.nodeId, id, cache, payload).encode();
		Semaphore acks = new Semaphore(0);
		this.ackWaiters.put(id, acks);
		try {
			Long receivers = redis(registration.stats(), "PUBLISH",
					(connection) -> connection.publish(this.eventChannel, message));
			registration.stats().record(Counter.INVALIDATIONS_SENT);
			int others = (receivers != null) ? (int) Math.max(0, receivers - 1) : 0;
			long timeout = this.settings.invalidationTimeout().toNanos();
			if (others > 0 && timeout > 0 && !acks.tryAcquire(others, timeout, TimeUnit.NANOSECONDS)) {
				logger.debug("tiercache: not every node confirmed an invalidation of cache '" + cache + "' within "
						+ this.settings.invalidationTimeout() + "; hot copies live at most hot-ttl");
			}
		}
		catch (RemoteTierException ex) {
			// The write reached Redis but the others were not told: tell them later.
			addPending(cache, key);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.ackWaiters.remove(id);
		}
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		EventMessage event;
		try {
			event = EventMessage.decode(message.getBody());
		}
		catch (CodecException ex) {
			rejected(null, ex);
			return;
		}
		if (Arrays.equals(message.getChannel(), this.ackChannel)) {
			Semaphore acks = this.ackWaiters.get(event.id());
			if (event.type() == Type.ACK && acks != null) {
				acks.release();
			}
			return;
		}
		if (event.sender().equals(this.nodeId)) {
			if (event.type() == Type.PING) {
				heartbeatReceived();
			}
			return;
		}
		switch (event.type()) {
			case INVALIDATE, CLEAR -> {
				Registration registration = this.caches.get(event.cache());
				if (registration != null) {
					applyInvalidation(registration, event);
				}
				acknowledge(event);
			}
			case LOADED -> {
				CompletableFuture<Void> waiters = this.loadWaiters
					.remove(new String(event.payload(), StandardCharsets.UTF_8));
				if (waiters != null) {
					waiters.complete(null);
				}
			}
			default -> {
			}
		}
	}

	private void applyInvalidation(Registration registration, EventMessage event) {
		registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
		if (event.type() == Type.CLEAR) {
			registration.invalidations().invalidateAll();
			return;
		}
		Object key;
		try {
			key = this.codec.decode(event.payload());
		}
		catch (CodecException ex) {
			// Cannot tell which key: dropping every hot copy of the cache is always safe.
			rejected(registration.stats(), ex);
			registration.invalidations().invalidateAll();
			return;
		}
		if (key != null) {
			registration.invalidations().invalidate(key);
		}
		else {
			registration.invalidations().invalidateAll();
		}
	}

	private void acknowledge(EventMessage event) {
		byte[] channel = utf8(this.settings.keyPrefix() + "acks:" + event.sender());
		byte[] ack = new EventMessage(Type.ACK, this.nodeId, event.id(), "", new byte[0]).encode();
		try {
			redis(null, "PUBLISH", (connection) -> connection.publish(channel, ack));
		}
		catch (RemoteTierException ex) {
			// The sender stops waiting after invalidation-timeout.
		}
	}

	/**
	 * Publish a heartbeat that this node expects to receive on its own subscription, and
	 * notice when it stops arriving. Also probes Redis while the circuit is open.
	 */
	private void beat() {
		if (!this.subscribed) {
			startSubscription();
		}
		try {
			byte[] ping = new EventMessage(Type.PING, this.nodeId, 0, "", new byte[0]).encode();
			redis(null, "PUBLISH", (connection) -> connection.publish(this.eventChannel, ping));
		}
		catch (RemoteTierException ex) {
			// Counted by the circuit breaker.
		}
		long silence = System.nanoTime() - this.lastHeartbeatNanos;
		if (!this.subscriptionLost && silence > 3 * this.settings.heartbeatInterval().toNanos()) {
			this.subscriptionLost = true;
			logger.warn("tiercache: the Redis invalidation subscription is silent; hot copies may miss "
					+ "invalidations (each lives at most hot-ttl) until it is back");
		}
	}

	private void heartbeatReceived() {
		this.lastHeartbeatNanos = System.nanoTime();
		if (this.subscriptionLost) {
			this.subscriptionLost = false;
			recovered("the Redis invalidation subscription is back");
		}
	}

	/**
	 * Replay what could not be sent and drop every hot copy, since invalidations may have
	 * been missed. Runs on the heartbeat thread, never on a caller's.
	 */
	private void recovered(String what) {
		this.heartbeat.execute(() -> {
			replayPending();
			this.caches.values().forEach((registration) -> registration.invalidations().invalidateAll());
			logger.info("tiercache: " + what + "; cleared every hot tier, since invalidations may have been missed");
		});
	}

	private void replayPending() {
		if (this.pendingOverflow.getAndSet(false)) {
			this.pending.clear();
			this.caches.keySet().forEach((cache) -> this.pending.add(new Pending(cache, null)));
		}
		for (Pending work : List.copyOf(this.pending)) {
			try {
				if (work.key() == null) {
					clear(work.cache());
				}
				else {
					evict(work.cache(), work.key());
				}
				this.pending.remove(work);
			}
			catch (RemoteTierException ex) {
				return;
			}
			catch (RuntimeException ex) {
				this.pending.remove(work);
				logger.warn("tiercache: could not replay an eviction of cache '" + work.cache() + "'", ex);
			}
		}
	}

	private void addPending(String cache, @Nullable Object key) {
		if (this.pending.size() >= PENDING_LIMIT) {
			this.pendingOverflow.set(true);
		}
		else {
			this.pending.add(new Pending(cache, key));
		}
	}

	/**
	 * Run a command, through the circuit breaker. A failure is counted in {@code stats}
	 * and becomes a {@link RemoteTierException}.
	 */
	private <T> T redis(@Nullable StatsCounter stats, String command, Function<RedisConnection, T> action) {
		if (!this.breaker.allowRequest()) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			throw new RemoteTierException("Redis is unavailable (circuit open after repeated failures); "
					+ "serving from the local tier, retrying every " + this.settings.retryInterval());
		}
		T result;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			result = action.apply(connection);
		}
		catch (RuntimeException ex) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			if (this.breaker.onFailure()) {
				logger.warn("tiercache: Redis is failing (" + ex.getMessage()
						+ "); caches run on their local tier until it answers again");
			}
			throw new RemoteTierException("Redis " + command + " failed: " + ex.getMessage(), ex);
		}
		if (this.breaker.onSuccess()) {
			recovered("Redis answers again");
		}
		return result;
	}

	private void releaseQuietly(Registration registration, byte[] leaseKey, byte[] token) {
		try {
			redis(registration.stats(), "DEL",
					(connection) -> RedisScripts.RELEASE.run(connection, ReturnType.INTEGER, 1, leaseKey, token));
		}
		catch (RemoteTierException ex) {
			// The lease expires by itself.
		}
	}

	private void publishQuietly(Registration registration, Type type, String cache, byte[] payload) {
		byte[] message = new EventMessage(type, this.nodeId, this.messageIds.incrementAndGet(), cache, payload)
			.encode();
		try {
			redis(registration.stats(), "PUBLISH", (connection) -> connection.publish(this.eventChannel, message));
		}
		catch (RemoteTierException ex) {
			// Waiters re-check on their own.
		}
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

	private @Nullable CacheEntry toEntry(Registration registration, @Nullable List<Object> reply) {
		if (reply == null || reply.size() < 2 || !(reply.get(0) instanceof byte[] bytes)
				|| !(reply.get(1) instanceof Long ttlMillis)) {
			return null;
		}
		if (ttlMillis == 0 || ttlMillis == -2) {
			return null;
		}
		long ttlNanos = (ttlMillis < 0) ? CacheEntry.FOREVER : TimeUnit.MILLISECONDS.toNanos(ttlMillis);
		try {
			return new CacheEntry(this.codec.decode(bytes), ttlNanos);
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			return null;
		}
	}

	private byte @Nullable [] encodeKeyOrNull(Registration registration, Object key) {
		try {
			return this.codec.encode(key);
		}
		catch (CodecException ex) {
			rejected(registration.stats(), ex);
			return null;
		}
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

	private Registration registration(String cache) {
		Registration registration = this.caches.get(cache);
		if (registration == null) {
			throw new IllegalStateException("Cache '" + cache + "' is not registered with the Redis tier");
		}
		return registration;
	}

	private String valueKey(String cache, Object key) {
		return this.settings.keyPrefix() + cache + "::{" + KeyNames.name(cache, key) + "}";
	}

	private static byte[] ttlArgument(CacheEntry entry) {
		if (entry.ttlNanos() == CacheEntry.FOREVER) {
			return NO_TTL;
		}
		return ascii(Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(entry.ttlNanos()))));
	}

	private static String escapeGlob(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	@Override
	public synchronized void close() {
		this.running = false;
		this.heartbeat.shutdownNow();
		try {
			this.subscription.destroy();
		}
		catch (Exception ex) {
			logger.debug("tiercache: error while unsubscribing from Redis", ex);
		}
	}

	/**
	 * A cache as the Redis tier knows it.
	 */
	private record Registration(StatsCounter stats, Invalidations invalidations, byte[] idleTtl) {
	}

	/**
	 * An eviction (of a key, or of the whole cache when {@code key} is {@code null}) that
	 * could not be sent and is replayed when Redis is back.
	 */
	private record Pending(String cache, @Nullable Object key) {
	}

	/**
	 * Redis mode as the endpoint and health see it: Redis stores every key; this node is
	 * the only member it knows of.
	 */
	private final class RedisClusterView implements ClusterView {

		@Override
		public String mode() {
			return "redis";
		}

		@Override
		public String localMember() {
			return RedisRemoteTier.this.nodeName.get();
		}

		@Override
		public List<Member> members() {
			return List.of(new Member(localMember(), null, 0.0));
		}

		@Override
		public String ownerOf(String cache, Object key) {
			return "redis";
		}

		@Override
		public boolean degraded() {
			return RedisRemoteTier.this.breaker.isOpen() || RedisRemoteTier.this.subscriptionLost;
		}

		@Override
		public Map<String, Object> details() {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("redis", RedisRemoteTier.this.breaker.isOpen() ? "unreachable" : "connected");
			details.put("subscription", RedisRemoteTier.this.subscriptionLost ? "lost" : "active");
			details.put("pendingEvictions", RedisRemoteTier.this.pending.size());
			details.put("rejectedPayloads", RedisRemoteTier.this.rejected.get());
			return details;
		}

	}

}
