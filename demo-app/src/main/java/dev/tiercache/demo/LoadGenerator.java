package dev.tiercache.demo;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * A built-in load generator for the dashboard: reads (and a share of title updates) of
 * Zipf-distributed books through {@link BookService}, exactly as the HTTP API does them,
 * at a chosen rate. A ticker releases the due operations every 20 ms to a bounded pool of
 * workers; when the workers cannot keep up (a slow store and a high rate), operations are
 * dropped and counted rather than queued without end.
 *
 * @author tiercache
 */
@Component
public class LoadGenerator implements DisposableBean {

	private static final long TICK_MILLIS = 20;

	private final BookService books;

	private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "demo-load-ticker");
		thread.setDaemon(true);
		return thread;
	});

	private final ThreadPoolExecutor workers = new ThreadPoolExecutor(8, 8, 1, TimeUnit.MINUTES,
			new ArrayBlockingQueue<>(1000), (task) -> {
				Thread thread = new Thread(task, "demo-load");
				thread.setDaemon(true);
				return thread;
			});

	private final AtomicLong reads = new AtomicLong();

	private final AtomicLong writes = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	private final AtomicLong dropped = new AtomicLong();

	private @Nullable LoadSettings settings;

	private @Nullable ScheduledFuture<?> tick;

	LoadGenerator(BookService books) {
		this.books = books;
	}

	/**
	 * Start generating load with {@code settings}, replacing any load under way.
	 * @param settings the rate, write share and key distribution
	 */
	public synchronized void start(LoadSettings settings) {
		stop();
		ZipfKeys keys = new ZipfKeys(settings.keys(), settings.skew());
		double perTick = settings.rate() * TICK_MILLIS / 1000.0;
		double[] due = { 0 };
		this.settings = settings;
		this.tick = this.ticker.scheduleAtFixedRate(() -> {
			due[0] += perTick;
			while (due[0] >= 1) {
				due[0]--;
				submit(keys, settings.writeShare());
			}
		}, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
	}

	private void submit(ZipfKeys keys, double writeShare) {
		try {
			this.workers.execute(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				long id = keys.next(random);
				try {
					if (random.nextDouble() < writeShare) {
						this.books.updateTitle(id, "Book " + id + " (rev " + this.writes.incrementAndGet() + ")");
					}
					else {
						this.books.find(id);
						this.reads.incrementAndGet();
					}
				}
				catch (RuntimeException ex) {
					this.errors.incrementAndGet();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.dropped.incrementAndGet();
		}
	}

	/**
	 * Stop generating load; operations already released still finish.
	 */
	public synchronized void stop() {
		if (this.tick != null) {
			this.tick.cancel(false);
			this.tick = null;
		}
		this.settings = null;
	}

	/**
	 * Return what the generator is doing and has done since start-up.
	 * @return its status
	 */
	public synchronized LoadStatus status() {
		return new LoadStatus(this.settings != null, this.settings, this.reads.get(), this.writes.get(),
				this.errors.get(), this.dropped.get());
	}

	@Override
	public void destroy() {
		stop();
		this.ticker.shutdownNow();
		this.workers.shutdownNow();
	}

	/**
	 * What to generate.
	 *
	 * @param rate operations per second, 1 to 5000
	 * @param writeShare the fraction of operations that update a title, 0 to 1
	 * @param keys how many distinct books to draw from (ids 1 to keys)
	 * @param skew Zipf's exponent: 0 is uniform, 1 is typical, higher is hotter
	 */
	public record LoadSettings(int rate, double writeShare, int keys, double skew) {

		public LoadSettings {
			if (rate < 1 || rate > 5000) {
				throw new IllegalArgumentException("rate must be between 1 and 5000 operations per second");
			}
			if (writeShare < 0 || writeShare > 1) {
				throw new IllegalArgumentException("writeShare must be between 0 and 1");
			}
			if (keys < 1 || keys > 100_000) {
				throw new IllegalArgumentException("keys must be between 1 and 100000");
			}
			if (skew < 0 || skew > 5) {
				throw new IllegalArgumentException("skew must be between 0 and 5");
			}
		}

	}

	/**
	 * The generator's state.
	 *
	 * @param running whether it generates load now
	 * @param settings what it generates, when running
	 * @param reads reads done since start-up
	 * @param writes title updates done since start-up
	 * @param errors operations that failed
	 * @param dropped operations dropped because the workers were busy
	 */
	public record LoadStatus(boolean running, @Nullable LoadSettings settings, long reads, long writes, long errors,
			long dropped) {
	}

}
