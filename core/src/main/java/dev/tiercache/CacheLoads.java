package dev.tiercache;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.tiercache.codec.CodecException;
import dev.tiercache.flight.Flight;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.observation.TierCacheObserver;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache.ValueRetrievalException;

/**
 * The loads of one cache, run by the leader of a key's flight: in local mode the loader
 * and a store in main; in the remote modes the remote tier's fetch-or-load (one load in
 * the cluster), whose result is admitted to hot, and a local load kept in hot when the
 * remote tier fails. Once the application's loader has run, its value is returned
 * whatever the remote tier does: a loader never runs twice for one call. Asynchronous
 * loads hold no thread while they wait, and start the loader on a remote thread, never on
 * a transport's.
 *
 * @author tiercache
 */
final class CacheLoads {

	private final String name;

	private final TierCacheConfiguration configuration;

	private final LocalTier tier;

	private final SingleFlight<CacheEntry> flights;

	private final StatsCounter stats;

	private final @Nullable RemoteTier remote;

	private final Executor remoteExecutor;

	private final Observations observations;

	private final LocalCopies copies;

	private final boolean usesMain;

	CacheLoads(String name, TierCacheConfiguration configuration, LocalTier tier, SingleFlight<CacheEntry> flights,
			StatsCounter stats, Observations observations, @Nullable RemoteTier remote, Executor remoteExecutor,
			LocalCopies copies) {
		this.name = name;
		this.configuration = configuration;
		this.tier = tier;
		this.flights = flights;
		this.stats = stats;
		this.observations = observations;
		this.remote = remote;
		this.remoteExecutor = remoteExecutor;
		this.copies = copies;
		this.usesMain = (remote == null) || remote.usesMain();
	}

	CacheEntry load(Object key, Flight<CacheEntry> flight, Callable<?> valueLoader) {
		RemoteTier remote = this.remote;
		if (remote == null) {
			CacheEntry loaded = this.tier.getMain(key);
			if (loaded != null) {
				return loaded;
			}
			CacheEntry entry = runLoader(key, valueLoader);
			if (entry.isStorable()) {
				this.flights.admit(key, flight, (current) -> this.tier.admitMain(key, entry, current));
			}
			return entry;
		}
		CacheEntry cached = (this.usesMain && this.tier.getMain(key) != null) ? this.tier.getMain(key)
				: this.tier.getHot(key);
		if (cached != null) {
			return cached;
		}
		long seen = this.copies.seen();
		CacheEntry[] loadedHere = new CacheEntry[1];
		CacheEntry entry;
		Observations.SyncFetch observed = this.observations.fetchSync();
		try {
			entry = remote.fetchOrLoad(this.name, key, () -> loadedHere[0] = runLoader(key, valueLoader));
			observed.stop((loadedHere[0] != null) ? "loaded" : "hit", loadedHere[0] != null);
		}
		catch (RemoteTierException | CodecException ex) {
			observed.stop((ex instanceof CodecException) ? "rejected" : "error", loadedHere[0] != null);
			if (ex instanceof CodecException codec) {
				// The key (or the loaded value) cannot cross to other nodes.
				this.copies.rejected(key, codec);
			}
			// Keep the value in hot only; the loader never runs twice for one call.
			entry = (loadedHere[0] != null) ? loadedHere[0] : runLoader(key, valueLoader);
		}
		catch (RuntimeException | Error ex) {
			// The loader's own failure, which the caller gets.
			observed.stop("failure", loadedHere[0] != null);
			throw ex;
		}
		this.copies.admitHot(key, entry, seen, flight);
		return entry;
	}

	CompletableFuture<CacheEntry> loadAsync(Object key, Flight<CacheEntry> flight,
			Supplier<? extends CompletableFuture<?>> valueLoader) {
		RemoteTier remote = this.remote;
		if (remote != null) {
			return loadRemotelyAsync(remote, key, flight, valueLoader);
		}
		CacheEntry loaded = this.tier.getMain(key);
		if (loaded != null) {
			return CompletableFuture.completedFuture(loaded);
		}
		return runLoaderAsync(valueLoader, Runnable::run).thenApply((entry) -> {
			if (entry.isStorable()) {
				this.flights.admit(key, flight, (current) -> this.tier.admitMain(key, entry, current));
			}
			return entry;
		});
	}

	/**
	 * The remote modes' asynchronous load: no thread waits for the store, a lease or the
	 * loader; the loader starts on a remote thread, never on a thread of the transport.
	 */
	private CompletableFuture<CacheEntry> loadRemotelyAsync(RemoteTier remote, Object key, Flight<CacheEntry> flight,
			Supplier<? extends CompletableFuture<?>> valueLoader) {
		CacheEntry cached = (this.usesMain && this.tier.getMain(key) != null) ? this.tier.getMain(key)
				: this.tier.getHot(key);
		if (cached != null) {
			return CompletableFuture.completedFuture(cached);
		}
		long seen = this.copies.seen();
		AtomicReference<@Nullable CacheEntry> loadedHere = new AtomicReference<>();
		RemoteTier.AsyncLoader loader = () -> runLoaderAsync(valueLoader, this.remoteExecutor).thenApply((entry) -> {
			loadedHere.set(entry);
			return entry;
		});
		CompletableFuture<CacheEntry> load;
		Observations.AsyncFetch observed = this.observations.fetchAsync();
		try {
			load = remote.fetchOrLoadAsync(this.name, key, loader, this.remoteExecutor);
		}
		catch (RuntimeException ex) {
			load = CompletableFuture.failedFuture(ex);
		}
		return load.handle((entry, failure) -> {
			observed.stop(fetchOutcome(failure, loadedHere.get() != null), false);
			if (failure == null) {
				return CompletableFuture.completedFuture(entry);
			}
			Throwable cause = unwrap(failure);
			if (!(cause instanceof RemoteTierException) && !(cause instanceof CodecException)) {
				// The loader's own failure: the caller gets it as it is.
				return CompletableFuture.<CacheEntry>failedFuture(cause);
			}
			if (cause instanceof CodecException codec) {
				this.copies.rejected(key, codec);
			}
			// Keep the value in hot only; the loader never runs twice for one call.
			CacheEntry loaded = loadedHere.get();
			return (loaded != null) ? CompletableFuture.completedFuture(loaded)
					: runLoaderAsync(valueLoader, this.remoteExecutor);
		}).thenCompose((entry) -> entry).thenApply((entry) -> {
			this.copies.admitHot(key, entry, seen, flight);
			return entry;
		});
	}

	private static String fetchOutcome(@Nullable Throwable failure, boolean loadedHere) {
		if (failure == null) {
			return loadedHere ? "loaded" : "hit";
		}
		Throwable cause = unwrap(failure);
		return (cause instanceof CodecException) ? "rejected"
				: (cause instanceof RemoteTierException) ? "error" : "failure";
	}

	/**
	 * Start the application's asynchronous loader on {@code executor}, counting it, and
	 * wrap the result with its TTL; the returned future fails with what the loader's
	 * future failed with.
	 */
	private CompletableFuture<CacheEntry> runLoaderAsync(Supplier<? extends CompletableFuture<?>> valueLoader,
			Executor executor) {
		long start = System.nanoTime();
		TierCacheObserver.Observed observed = this.observations.loadAsync();
		CompletableFuture<?> loading = CompletableFuture.supplyAsync(valueLoader, executor)
			.thenCompose((started) -> (CompletableFuture<?>) started);
		return loading.handle((value, failure) -> {
			observed.stop((failure != null) ? "failure" : "success");
			this.stats.recordLoadTime(System.nanoTime() - start);
			if (failure != null) {
				this.stats.record(Counter.LOAD_FAILURES);
				throw new CompletionException(unwrap(failure));
			}
			this.stats.record(Counter.LOADS);
			return entryFor(value);
		});
	}

	static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * Run the application's loader, counting it, and wrap the result with its TTL.
	 */
	CacheEntry runLoader(Object key, Callable<?> valueLoader) {
		TierCacheObserver.Observed observed = this.observations.load();
		long start = System.nanoTime();
		String outcome = "failure";
		Object value;
		try {
			value = valueLoader.call();
			outcome = "success";
		}
		catch (Exception ex) {
			this.stats.record(Counter.LOAD_FAILURES);
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		finally {
			this.stats.recordLoadTime(System.nanoTime() - start);
			observed.stop(outcome);
		}
		this.stats.record(Counter.LOADS);
		return entryFor(value);
	}

	CacheEntry entryFor(@Nullable Object value) {
		if (value == null && !this.configuration.isAllowNullValues()) {
			return new CacheEntry(null, CacheEntry.NOT_STORED);
		}
		return this.tier.newEntry(value);
	}

}
