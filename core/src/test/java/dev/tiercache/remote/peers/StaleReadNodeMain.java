package dev.tiercache.remote.peers;

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
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.history.History;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.Counter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * One application process of {@link PeersStaleReadProcessTests}: a peers-mode
 * {@link TierCacheManager} with the cache {@code books}, in front of a database that
 * lives outside every application process (a {@code redis-server} used as the source of
 * truth, never as a cache: {@code book:<id>} holds the row's version). Readers call
 * {@code get(id, loader)}, whose loader {@code GET}s the row; writers update the row
 * ({@code INCR}), then {@code evict(id)}. Driven line by line on standard input; every
 * answer is one line on standard output starting with {@code @@ }.
 *
 * <p>
 * Every operation and every run of a loader is written to the history file as soon as it
 * ends, one {@code write} per record, so that a {@code kill -9} loses only the operations
 * under way. Times are {@code System.nanoTime()}; see {@link PeersStaleReadProcessTests}
 * for why they compare across processes.
 */
public final class StaleReadNodeMain {

	static final String CACHE = "books";

	private static final long READER_THINK_NANOS = TimeUnit.MILLISECONDS.toNanos(4);

	private static final long WRITER_THINK_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

	/** Operations and loads of this process: unique across processes by its index. */
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

	private StaleReadNodeMain(int index, TierCache books, RedisCommands<String, String> database, int keys,
			OutputStream history) {
		this.ids = new AtomicLong(index * 1_000_000_000_000L);
		this.node = "member-" + index;
		this.books = books;
		this.database = database;
		this.keys = keys;
		this.history = history;
	}

	/**
	 * Arguments: cluster, base port, index, cluster size, Redis port, keys, hot-ttl and
	 * rpc-timeout in milliseconds, history file.
	 */
	public static void main(String[] args) throws Exception {
		String cluster = args[0];
		int basePort = Integer.parseInt(args[1]);
		int index = Integer.parseInt(args[2]);
		int size = Integer.parseInt(args[3]);
		int redisPort = Integer.parseInt(args[4]);
		int keys = Integer.parseInt(args[5]);
		Duration hotTtl = Duration.ofMillis(Long.parseLong(args[6]));
		Duration rpcTimeout = Duration.ofMillis(Long.parseLong(args[7]));
		PeersSettings settings = new PeersSettings(cluster, "member-" + index, "127.0.0.1", basePort, size + 2,
				Discovery.LOOPBACK, List.of(), null, null, null, rpcTimeout, Duration.ofSeconds(10));
		PeersRemoteTier tier = PeersRemoteTier.create(settings, ValueCodec.java(AllowList.of(List.of())));
		// The cache exists before the member joins, as in a Spring context.
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration(CACHE, TierCacheConfiguration.defaultCacheConfig().withHotTtl(hotTtl))
			.remoteTier(tier)
			.build();
		TierCache books = manager.getCache(CACHE);
		tier.start();
		RedisURI uri = RedisURI.create("127.0.0.1", redisPort);
		// Longer than the pause of the STOP scenario, whose replies wait in the socket.
		uri.setTimeout(Duration.ofSeconds(30));
		RedisClient redis = RedisClient.create(uri);
		try (OutputStream history = new FileOutputStream(args[8])) {
			StaleReadNodeMain main = new StaleReadNodeMain(index, books, redis.connect().sync(), keys, history);
			main.serve(tier);
		}
	}

	private void serve(PeersRemoteTier tier) throws Exception {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] command = line.trim().split(" ");
			switch (command[0]) {
				case "members" -> answer(tier.view().members().size());
				case "view" -> answer(tier.view()
					.members()
					.stream()
					.map(ClusterView.Member::name)
					.sorted()
					.collect(Collectors.joining(",")));
				case "owners" -> answer(IntStream.range(0, this.keys)
					.mapToObj((key) -> tier.view().ownerOf(CACHE, key))
					.collect(Collectors.joining(",")));
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
		return "loads=" + this.books.getStats().count(Counter.LOADS) + " peerErrors="
				+ this.books.getStats().count(Counter.PEER_ERRORS) + " remoteHits="
				+ this.books.getStats().count(Counter.REMOTE_HITS) + " hotHits="
				+ this.books.getStats().count(Counter.HOT_HITS) + " mainHits="
				+ this.books.getStats().count(Counter.MAIN_HITS);
	}

	/**
	 * {@code get(id, loader)}; records {@code R id node key invoked completed value
	 * failure}.
	 */
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
			long completed = System.nanoTime();
			record("R", id, this.node, key, invoked, completed, value, failure);
			this.reads.incrementAndGet();
			LockSupport.parkNanos(random.nextLong(READER_THINK_NANOS));
		}
	}

	/**
	 * Update the database, then evict; records {@code W id node key invoked completed
	 * version failure}.
	 */
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
			long completed = System.nanoTime();
			record("W", id, this.node, key, invoked, completed, version, failure);
			this.writes.incrementAndGet();
			LockSupport.parkNanos(random.nextLong(WRITER_THINK_NANOS));
		}
	}

	/**
	 * The loader: read the row; records {@code L id operation node key started completed
	 * version}, before the value can reach any cache.
	 */
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
