package dev.tiercache.remote.peers;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;

/**
 * One peer in a JVM of its own, driven line by line on standard input by
 * {@link PeersProcessTests}; every answer is one line on standard output starting with
 * {@code @@ }. Its loader counts how often it runs and takes 20 ms, like a database.
 */
public final class PeerNodeMain {

	private static final AtomicLong loads = new AtomicLong();

	private PeerNodeMain() {
	}

	public static void main(String[] args) throws Exception {
		String cluster = args[0];
		int basePort = Integer.parseInt(args[1]);
		int index = Integer.parseInt(args[2]);
		int size = Integer.parseInt(args[3]);
		double hotRatio = Double.parseDouble(args[4]);
		PeersSettings settings = new PeersSettings(cluster, "member-" + index, "127.0.0.1", basePort, size + 2,
				Discovery.LOOPBACK, List.of(), null, null, null, Duration.ofMillis(500), Duration.ofSeconds(5));
		PeersRemoteTier tier = PeersRemoteTier.create(settings, ValueCodec.java(AllowList.of(List.of())));
		tier.start();
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books",
					TierCacheConfiguration.defaultCacheConfig().withHotRatio(hotRatio).withMaximumSize(100_000))
			.remoteTier(tier)
			.build();
		TierCache books = manager.getCache("books");
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
		String line;
		while ((line = in.readLine()) != null) {
			String[] command = line.trim().split(" ");
			switch (command[0]) {
				case "members" -> answer(tier.view().members().size());
				case "stampede" -> answer(stampede(books));
				case "load" -> answer(books.get(command[1], () -> load(command[1] + "@" + index)));
				case "get" -> answer(books.get(command[1], String.class));
				case "put" -> {
					books.put(command[1], command[2]);
					answer("ok");
				}
				case "evict" -> {
					books.evict(command[1]);
					answer("ok");
				}
				case "fill" -> {
					for (int key = 0; key < Integer.parseInt(command[1]); key++) {
						String name = "fill-" + key;
						books.get(name, () -> {
							loads.incrementAndGet();
							return name;
						});
					}
					answer("ok");
				}
				case "count" -> {
					int hits = 0;
					for (int key = 0; key < Integer.parseInt(command[1]); key++) {
						hits += (books.get("fill-" + key) != null) ? 1 : 0;
					}
					answer(hits);
				}
				case "readloop" -> answer(readLoop(books, Duration.ofSeconds(Long.parseLong(command[1]))));
				case "loads" -> answer(loads.get());
				case "shutdown" -> {
					tier.stop();
					answer("bye");
					System.exit(0);
				}
				default -> answer("unknown command " + line);
			}
		}
	}

	private static String load(String value) throws InterruptedException {
		loads.incrementAndGet();
		Thread.sleep(20);
		return value;
	}

	private static long stampede(TierCache books) throws Exception {
		long before = loads.get();
		ExecutorService threads = Executors.newFixedThreadPool(16);
		List<Future<?>> callers = new ArrayList<>();
		for (int thread = 0; thread < 16; thread++) {
			callers.add(threads.submit(() -> {
				for (int key = 0; key < 100; key++) {
					String name = "stampede-" + key;
					if (!name.equals(books.get(name, () -> load(name)))) {
						throw new IllegalStateException("wrong value for " + name);
					}
				}
				return null;
			}));
		}
		for (Future<?> caller : callers) {
			caller.get();
		}
		threads.shutdown();
		return loads.get() - before;
	}

	private static String readLoop(TierCache books, Duration duration) throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong reads = new AtomicLong();
		AtomicLong failures = new AtomicLong();
		ExecutorService threads = Executors.newFixedThreadPool(8);
		for (int thread = 0; thread < 8; thread++) {
			threads.submit(() -> {
				int i = 0;
				while (running.get()) {
					String name = "read-" + (i++ % 300);
					try {
						if (!name.equals(books.get(name, () -> load(name)))) {
							failures.incrementAndGet();
						}
						reads.incrementAndGet();
					}
					catch (RuntimeException ex) {
						failures.incrementAndGet();
					}
				}
			});
		}
		Thread.sleep(duration.toMillis());
		running.set(false);
		threads.shutdown();
		threads.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
		return reads.get() + " " + failures.get();
	}

	private static void answer(Object value) {
		System.out.println("@@ " + value);
		System.out.flush();
	}

}
