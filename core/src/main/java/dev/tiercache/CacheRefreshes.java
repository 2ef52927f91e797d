package dev.tiercache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.tiercache.codec.CodecException;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The refreshes ahead of expiry of one cache ({@code refresh-after}). A hit that finds
 * its entry due, and claims it ({@link LocalTier#claimRefresh(CacheEntry)}), hands the
 * key and its own loader here and returns the entry at once; the reload runs on a
 * {@code tiercache-remote} thread, or not at all when every such thread is busy (the next
 * hit a moment later tries again): no caller ever waits for it.
 *
 * <p>
 * One node refreshes a key at a time in the whole cluster, under the rule loads use:
 * <ul>
 * <li>local mode: the refresh is a flight of the cache's {@link SingleFlight}, started
 * only if no load or refresh of the key is under way, and its value replaces the entry it
 * refreshed only if that entry is still there, in one atomic step; a write or an eviction
 * since then wins;</li>
 * <li>the remote modes: {@link RemoteTier#refresh} takes the key's lease (the owner's in
 * peers mode, the Redis lease in redis mode) only while the stored entry is due, stores
 * under it, and drops every node's copy as a write does.</li>
 * </ul>
 * A refresh whose loader fails, or that the remote tier cannot take, is counted
 * ({@link Counter#REFRESH_FAILURES}) and the old entry is served until its time to live
 * ends. A loader that now returns {@code null} in a cache that does not allow
 * {@code null}s removes the key, as {@code put(key, null)} does.
 *
 * @author tiercache
 */
final class CacheRefreshes {

	private static final Log logger = LogFactory.getLog(CacheRefreshes.class);

	private final String name;

	private final LocalTier tier;

	private final SingleFlight<CacheEntry> flights;

	private final StatsCounter stats;

	private final @Nullable RemoteTier remote;

	private final RemoteExecutor executor;

	private final CacheLoads loads;

	private final LocalCopies copies;

	private final Consumer<Object> evictor;

	/** How many refreshes failed, for the log's pacing. */
	private final AtomicLong failures = new AtomicLong();

	CacheRefreshes(String name, LocalTier tier, SingleFlight<CacheEntry> flights, StatsCounter stats,
			@Nullable RemoteTier remote, RemoteExecutor executor, CacheLoads loads, LocalCopies copies,
			Consumer<Object> evictor) {
		this.name = name;
		this.tier = tier;
		this.flights = flights;
		this.stats = stats;
		this.remote = remote;
		this.executor = executor;
		this.loads = loads;
		this.copies = copies;
		this.evictor = evictor;
	}

	/**
	 * Refresh {@code key}, whose entry {@code claimed} a hit found due, in the background
	 * with that hit's loader. Never blocks and never throws.
	 * @param key the key
	 * @param claimed the entry the hit read
	 * @param loader the hit's loader
	 */
	void refresh(Object key, CacheEntry claimed, Callable<?> loader) {
		try {
			this.executor.tryExecute(() -> run(key, claimed, loader));
		}
		catch (RuntimeException ex) {
			// A task decorator failed: a hit after the retry interval tries again.
		}
	}

	/**
	 * {@link #refresh(Object, CacheEntry, Callable)} with the loader of
	 * {@code retrieve(key, Supplier)}, whose future the background thread waits for.
	 */
	void refreshAsync(Object key, CacheEntry claimed, Supplier<? extends CompletableFuture<?>> loader) {
		refresh(key, claimed, () -> {
			try {
				return loader.get().get();
			}
			catch (ExecutionException ex) {
				Throwable cause = CacheLoads.unwrap((ex.getCause() != null) ? ex.getCause() : ex);
				if (cause instanceof Exception exception) {
					throw exception;
				}
				throw (Error) cause;
			}
		});
	}

	private void run(Object key, CacheEntry claimed, Callable<?> loader) {
		CacheEntry loaded;
		try {
			RemoteTier remote = this.remote;
			loaded = (remote != null) ? remote.refresh(this.name, key, this.tier.refreshWindowNanos(),
					() -> this.loads.runLoader(key, loader)) : refreshLocally(key, claimed, loader);
		}
		catch (CodecException ex) {
			// The key cannot cross to other nodes: its copy here lives until its ttl.
			this.stats.record(Counter.REFRESH_FAILURES);
			this.copies.rejected(key, ex);
			return;
		}
		catch (RuntimeException | Error ex) {
			failed(ex);
			return;
		}
		if (loaded == null) {
			// Not due any more, or refreshed (or loaded) elsewhere.
			return;
		}
		this.stats.record(Counter.REFRESHES);
		if (!loaded.isStorable()) {
			// null, where nulls are not cached: the old value must not stay.
			this.evictor.accept(key);
		}
	}

	/**
	 * Local mode: a flight of the key's own, started only if none is under way; its value
	 * replaces {@code claimed} only if that is still the key's entry (or is stored if the
	 * key has none any more, as a load's value is).
	 */
	private @Nullable CacheEntry refreshLocally(Object key, CacheEntry claimed, Callable<?> loader) {
		CacheEntry[] loaded = new CacheEntry[1];
		this.flights.executeIfIdle(key, (flight) -> {
			CacheEntry current = this.tier.peekMain(key);
			if (current != null && current != claimed) {
				// Written, or refreshed, since the hit: nothing to do (a caller that
				// joined this flight gets the current entry).
				return current;
			}
			CacheEntry entry = this.loads.runLoader(key, loader);
			loaded[0] = entry;
			if (entry.isStorable()) {
				this.flights.admit(key, flight,
						(stillCurrent) -> (current != null)
								? stillCurrent.getAsBoolean() && this.tier.replaceMain(key, claimed, entry)
								: this.tier.admitMain(key, entry, stillCurrent));
			}
			return entry;
		});
		return loaded[0];
	}

	private void failed(Throwable ex) {
		this.stats.record(Counter.REFRESH_FAILURES);
		if (Thread.currentThread().isInterrupted()) {
			// The manager is closing.
			return;
		}
		long count = this.failures.incrementAndGet();
		if (count <= 3 || count % 1_000 == 0) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			logger.warn("tiercache: cache '" + this.name + "' could not refresh a key (" + count + " failures so "
					+ "far); serving the old value until its ttl: " + cause);
		}
	}

}
