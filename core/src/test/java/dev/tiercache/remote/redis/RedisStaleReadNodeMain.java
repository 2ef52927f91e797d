package dev.tiercache.remote.redis;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.history.History;
import dev.tiercache.remote.redis.RedisTierSettings.OnOutage;
import dev.tiercache.stats.Counter;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.slf4j.LoggerFactory;

/**
 * One application process of {@link RedisStaleReadProcessTests}: a redis-mode
 * {@link TierCacheManager} with the cache {@code books} on the cache's
 * {@code redis-server}, configured as tiercache's autoconfigure does by default (a
 * heartbeat every second, a circuit of 3 failures and 1 s, Lettuce's reconnect back-off
 * capped at 1 s, commands that time out after 500 ms), in front of a database that lives
 * in another {@code redis-server} ({@code book:<id>} holds the row's version), which no
 * fault touches. Readers call {@code get(id, loader)}; writers update the row
 * ({@code INCR}), then {@code evict(id)}. Driven line by line on standard input; every
 * answer is one line on standard output starting with {@code @@ }. Records the same
 * history as {@link dev.tiercache.remote.peers.StaleReadNodeMain}.
 */
public final class RedisStaleReadNodeMain {

	static final String CACHE = "books";

	private static final long READER_THINK_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

	private static final long WRITER_THINK_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

	private final AtomicLong ids;

	private final String node;

	private final TierCache books;

	private final RedisCommands<String, String> database;

	private final int keys;

	private final OutputStream history;

	private final AtomicLong reads = new AtomicLong();

	private final AtomicLong writes = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final List<Thread> clients = new ArrayList<>();

	private volatile boolean running;

	private RedisStaleReadNodeMain(int index, TierCache books, RedisCommands<String, String> database, int keys,
			OutputStream history) {
		this.ids = new AtomicLong(index * 1_000_000_000_000L);
		this.node = "node-" + index;
		this.books = books;
		this.database = database;
		this.keys = keys;
		this.history = history;
	}

	/**
	 * Arguments: index, cache Redis port, database Redis port, keys, hot-ttl in
	 * milliseconds, on-outage, history file.
	 */
	public static void main(String[] args) throws Exception {
		int index = Integer.parseInt(args[0]);
		int cachePort = Integer.parseInt(args[1]);
		int databasePort = Integer.parseInt(args[2]);
		int keys = Integer.parseInt(args[3]);
		Duration hotTtl = Duration.ofMillis(Long.parseLong(args[4]));
		OnOutage onOutage = OnOutage.valueOf(args[5]);
		RedisTierSettings settings = RedisTierSettings.defaults().withOnOutage(onOutage);
		ClientResources resources = DefaultClientResources.builder()
			.reconnectDelay(
					() -> Delay.exponential(Duration.ofMillis(1), settings.retryInterval(), 2, TimeUnit.MILLISECONDS))
			.build();
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", cachePort),
				LettuceClientConfiguration.builder()
					.commandTimeout(Duration.ofMillis(500))
					.clientResources(resources)
					.build());
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		RedisRemoteTier tier = RedisRemoteTier.start(connectionFactory, ValueCodec.java(AllowList.of(List.of())),
				settings, () -> "node-" + index);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration(CACHE, TierCacheConfiguration.defaultCacheConfig().withHotTtl(hotTtl))
			.remoteTier(tier)
			.build();
		TierCache books = manager.getCache(CACHE);
		RedisClient database = RedisClient.create(RedisURI.create("127.0.0.1", databasePort));
		try (OutputStream history = new FileOutputStream(args[6])) {
			RedisStaleReadNodeMain node = new RedisStaleReadNodeMain(index, books, database.connect().sync(), keys,
					history);
			node.recordDroppedHot();
			node.serve(tier);
		}
	}

	private void serve(RedisRemoteTier tier) throws IOException, InterruptedException {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] command = line.trim().split(" ");
			switch (command[0]) {
				case "ready" -> answer(!tier.view().degraded() && tier.view().members().size() == 3);
				case "run" -> {
					start(Integer.parseInt(command[1]), Integer.parseInt(command[2]));
					answer("ok");
				}
				case "stop" -> answer(stop());
				case "stats" -> answer(stats());
				default -> answer("unknown command " + line);
			}
		}
	}

	/**
	 * Record {@code O} when {@link Outages} has dropped every hot copy: its log line
	 * follows the drop on the same thread, so a read begun after the line cannot see a
	 * copy admitted before the drop.
	 */
	private void recordDroppedHot() {
		AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {

			@Override
			protected void append(ILoggingEvent event) {
				if (event.getFormattedMessage().contains("dropped every hot copy")) {
					long now = System.nanoTime();
					record("O", RedisStaleReadNodeMain.this.ids.incrementAndGet(), RedisStaleReadNodeMain.this.node,
							"-", now, now, "-", "-");
				}
			}

		};
		Logger logger = (Logger) LoggerFactory.getLogger(Outages.class);
		appender.setContext(logger.getLoggerContext());
		appender.start();
		logger.addAppender(appender);
	}

	private void start(int readers, int writers) {
		this.running = true;
		for (int i = 0; i < readers + writers; i++) {
			boolean writer = i >= readers;
			Thread client = new Thread(writer ? this::write : this::read, (writer ? "writer-" : "reader-") + i);
			client.setDaemon(true);
			this.clients.add(client);
			client.start();
		}
	}

	private String stop() throws InterruptedException {
		this.running = false;
		for (Thread client : this.clients) {
			client.join(TimeUnit.SECONDS.toMillis(30));
		}
		long stuck = this.clients.stream().filter(Thread::isAlive).count();
		return this.reads.get() + " " + this.writes.get() + " " + this.failures.get() + " " + stuck;
	}

	private String stats() {
		return "loads=" + this.books.getStats().count(Counter.LOADS) + " remoteHits="
				+ this.books.getStats().count(Counter.REMOTE_HITS) + " hotHits="
				+ this.books.getStats().count(Counter.HOT_HITS) + " redisErrors="
				+ this.books.getStats().count(Counter.REDIS_ERRORS);
	}

	private void read() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (this.running) {
			int key = random.nextInt(this.keys);
			long id = this.ids.incrementAndGet();
			String value = null;
			String failure = null;
			long invoked = System.nanoTime();
			try {
				value = this.books.get(key, () -> load(key, id));
			}
			catch (RuntimeException ex) {
				failure = failed(ex);
			}
			record("R", id, this.node, key, invoked, System.nanoTime(), value, failure);
			this.reads.incrementAndGet();
			LockSupport.parkNanos(random.nextLong(READER_THINK_NANOS));
		}
	}

	private void write() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (this.running) {
			int key = random.nextInt(this.keys);
			long id = this.ids.incrementAndGet();
			long version = 0;
			String failure = null;
			long invoked = System.nanoTime();
			try {
				version = this.database.incr(row(key));
				this.books.evict(key);
			}
			catch (RuntimeException ex) {
				failure = failed(ex);
			}
			record("W", id, this.node, key, invoked, System.nanoTime(), version, failure);
			this.writes.incrementAndGet();
			LockSupport.parkNanos(random.nextLong(WRITER_THINK_NANOS));
		}
	}

	private String load(int key, long operation) {
		long id = this.ids.incrementAndGet();
		long started = System.nanoTime();
		String stored = this.database.get(row(key));
		long version = (stored != null) ? Long.parseLong(stored) : 0;
		record("L", id, operation, this.node, key, started, System.nanoTime(), version);
		return History.value(Integer.toString(key), version, id);
	}

	private static String row(int key) {
		return "book:" + key;
	}

	private String failed(RuntimeException ex) {
		this.failures.incrementAndGet();
		ex.printStackTrace();
		return (ex.getClass().getName() + ":" + ex.getMessage()).replaceAll("\\s+", "_");
	}

	private void record(Object... fields) {
		StringBuilder line = new StringBuilder();
		for (Object field : fields) {
			line.append((line.length() > 0) ? " " : "").append((field != null) ? field : "-");
		}
		byte[] bytes = line.append('\n').toString().getBytes(StandardCharsets.UTF_8);
		synchronized (this.history) {
			try {
				this.history.write(bytes);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not record an operation", ex);
			}
		}
	}

	private static void answer(Object value) {
		System.out.println("@@ " + value);
		System.out.flush();
	}

}
