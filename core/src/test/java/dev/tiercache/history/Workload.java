package dev.tiercache.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import dev.tiercache.history.History.Kind;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;

import static org.awaitility.Awaitility.await;

/**
 * Client threads that call random operations on random nodes' caches and record each one
 * in a {@link History}: {@code get(key, loader)}, {@code get(key)}, "update the database,
 * then evict", "update the database, then put", "update the database, then clear" and
 * {@code putIfAbsent} of what the database holds. Each thread draws from its own random
 * source, seeded from the run's seed, so a seed replays the same choices (the threads'
 * interleaving, which the checker does not rely on, is the scheduler's). Independent of
 * the cache's mode: a node is any Spring {@link Cache}.
 *
 * @author tiercache
 */
public final class Workload {

	private static final int LOAD_GET = 40;

	private static final int GET = LOAD_GET + 25;

	private static final int EVICT = GET + 15;

	private static final int PUT = EVICT + 12;

	private static final int PUT_IF_ABSENT = PUT + 6;

	private final long seed;

	private final int threads;

	private final Database database;

	private final History history;

	private final Supplier<List<Node>> nodes;

	private final List<Thread> clients = new ArrayList<>();

	private volatile boolean running;

	/**
	 * @param seed the run's seed
	 * @param threads how many client threads
	 * @param database the database the loaders read and the writes change
	 * @param history where operations are recorded
	 * @param nodes the nodes clients may call now
	 */
	public Workload(long seed, int threads, Database database, History history, Supplier<List<Node>> nodes) {
		this.seed = seed;
		this.threads = threads;
		this.database = database;
		this.history = history;
		this.nodes = nodes;
	}

	public void start() {
		this.running = true;
		for (int i = 0; i < this.threads; i++) {
			SplittableRandom random = new SplittableRandom(this.seed * 1_000_003L + i);
			Thread client = new Thread(() -> run(random), "history-client-" + i);
			client.setDaemon(true);
			this.clients.add(client);
			client.start();
		}
	}

	/**
	 * Stop the clients and wait for their last operations.
	 * @return the clients still in an operation after {@code atMost}, with where they are
	 */
	public List<String> stop(Duration atMost) throws InterruptedException {
		this.running = false;
		long deadline = System.nanoTime() + atMost.toNanos();
		List<String> stuck = new ArrayList<>();
		for (Thread client : this.clients) {
			client.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
			if (client.isAlive()) {
				StackTraceElement[] stack = client.getStackTrace();
				stuck.add(client.getName() + " at " + List.of(stack).subList(0, Math.min(15, stack.length)));
			}
		}
		return stuck;
	}

	private void run(SplittableRandom random) {
		List<String> keys = this.database.keys();
		while (this.running) {
			List<Node> live = this.nodes.get();
			if (live.isEmpty()) {
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
				continue;
			}
			Node node = live.get(random.nextInt(live.size()));
			String key = keys.get(random.nextInt(keys.size()));
			int choice = random.nextInt(100);
			if (!node.enter()) {
				continue;
			}
			try {
				operate(random, node, key, choice);
			}
			finally {
				node.exit();
			}
		}
	}

	private void operate(SplittableRandom random, Node node, String key, int choice) {
		long id = this.history.nextId();
		Kind kind = kind(choice);
		long version = 0;
		Map<String, Long> floors = Map.of();
		String returned = null;
		Throwable failure = null;
		long invoked = System.nanoTime();
		try {
			switch (kind) {
				case LOAD_GET -> {
					int shape = random.nextInt(100);
					long pause = (shape < 25) ? random.nextLong(100_000, 2_000_000) : 0;
					returned = node.cache().get(key, this.database.loader(node.name(), key, id, pause, shape >= 85));
				}
				case GET -> returned = text(node.cache().get(key));
				case EVICT -> {
					version = this.database.update(key);
					node.cache().evict(key);
				}
				case PUT -> {
					version = this.database.update(key);
					node.cache().put(key, History.value(key, version, id));
				}
				case PUT_IF_ABSENT -> {
					version = this.database.version(key);
					returned = text(node.cache().putIfAbsent(key, History.value(key, version, id)));
				}
				case CLEAR -> {
					version = this.database.update(key);
					floors = this.database.versions();
					node.cache().clear();
				}
			}
		}
		catch (Throwable ex) {
			failure = ex;
		}
		long completed = System.nanoTime();
		this.history.record(new History.Operation(id, node.name(), kind, key, invoked, completed, version, floors,
				returned, failure));
		if (kind == Kind.CLEAR) {
			this.database.clearCompleted();
		}
		else if (kind.isWrite()) {
			this.database.writeCompleted(key);
		}
	}

	private static Kind kind(int choice) {
		if (choice < LOAD_GET) {
			return Kind.LOAD_GET;
		}
		if (choice < GET) {
			return Kind.GET;
		}
		if (choice < EVICT) {
			return Kind.EVICT;
		}
		if (choice < PUT) {
			return Kind.PUT;
		}
		return (choice < PUT_IF_ABSENT) ? Kind.PUT_IF_ABSENT : Kind.CLEAR;
	}

	private static @Nullable String text(Cache.@Nullable ValueWrapper wrapper) {
		return (wrapper != null) ? String.valueOf(wrapper.get()) : null;
	}

	/**
	 * A node the clients call, which can be retired: no new operation starts on it, and
	 * {@link #retire} returns once the running ones have returned.
	 */
	public static final class Node {

		private final String name;

		private final Cache cache;

		private final AtomicInteger inFlight = new AtomicInteger();

		private volatile boolean retired;

		public Node(String name, Cache cache) {
			this.name = name;
			this.cache = cache;
		}

		public String name() {
			return this.name;
		}

		public Cache cache() {
			return this.cache;
		}

		boolean enter() {
			this.inFlight.incrementAndGet();
			if (this.retired) {
				this.inFlight.decrementAndGet();
				return false;
			}
			return true;
		}

		void exit() {
			this.inFlight.decrementAndGet();
		}

		/**
		 * Start no new operation on this node and wait until the running ones return.
		 */
		public void retire(Duration atMost) {
			this.retired = true;
			await().atMost(atMost).pollInterval(Duration.ofMillis(5)).until(() -> this.inFlight.get() == 0);
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
