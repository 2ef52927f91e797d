package dev.tiercache.flight;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

/**
 * Runs at most one load per key at a time; concurrent callers of the same key share the
 * leader's result. See the {@linkplain dev.tiercache.flight package documentation}.
 *
 * @param <V> the type of a load's result
 * @author tiercache
 */
public final class SingleFlight<V> {

	private final ConcurrentMap<Object, Flight<V>> flights = new ConcurrentHashMap<>();

	/**
	 * Admissions take the read lock and {@link #forgetAll(Runnable)} the write lock: a
	 * clear iterates the cache weakly, so without it a result stored concurrently with a
	 * clear could survive it.
	 */
	private final ReadWriteLock clearLock = new ReentrantReadWriteLock();

	private final StatsCounter stats;

	/** The keys whose work runs on the current thread, for {@link #execute}. */
	private final ThreadLocal<Set<Object>> leading = ThreadLocal.withInitial(HashSet::new);

	/**
	 * Create a single-flight group.
	 * @param stats where waiting callers are counted as
	 * {@link Counter#LOADS_DEDUPLICATED}
	 */
	public SingleFlight(StatsCounter stats) {
		this.stats = stats;
	}

	private static IllegalStateException recursiveLoad(Object key) {
		return new IllegalStateException(
				"Recursive load of key '" + key + "': the loader of a key asked the same cache for the same key again");
	}

	/**
	 * Run {@code work} for {@code key} on the calling thread, unless a flight for the key
	 * is under way, in which case wait for its result.
	 * @param key the key
	 * @param work the load, given its flight for {@link #admit}
	 * @return the result of this caller's or the leader's work
	 * @throws RuntimeException what the leader's work threw; a checked exception of an
	 * asynchronous leader arrives as a {@link CompletionException}
	 * @throws IllegalStateException if the work for a key asks for the same key again
	 */
	public V execute(Object key, Function<Flight<V>, V> work) {
		Set<Object> leading = this.leading.get();
		if (leading.contains(key)) {
			// Also when an invalidation made this group forget the flight meanwhile: the
			// inner call would wait for the outer one's lease in the remote tier forever.
			throw recursiveLoad(key);
		}
		Flight<V> flight = new Flight<>();
		Flight<V> underWay = this.flights.putIfAbsent(key, flight);
		if (underWay != null) {
			this.stats.record(Counter.LOADS_DEDUPLICATED);
			return await(underWay);
		}
		return lead(key, flight, work, leading);
	}

	/**
	 * Run {@code work} as {@code flight}, which this thread put in the group for
	 * {@code key}, and take the flight out when it is over.
	 */
	private V lead(Object key, Flight<V> flight, Function<Flight<V>, V> work, Set<Object> leading) {
		leading.add(key);
		try {
			V result = work.apply(flight);
			flight.result().complete(result);
			return result;
		}
		catch (RuntimeException | Error ex) {
			flight.result().completeExceptionally(ex);
			throw ex;
		}
		finally {
			leading.remove(key);
			this.flights.remove(key, flight);
		}
	}

	/**
	 * Run {@code work} for {@code key} on the calling thread as a flight of its own, like
	 * {@link #execute}, unless a flight for the key is under way: then do nothing. For a
	 * refresh, which has no caller to hand a result to, and which a load or refresh under
	 * way makes needless. Callers that ask for the key meanwhile wait for this flight.
	 * @param key the key
	 * @param work the work, given its flight for {@link #admit}
	 * @return the result of the work, or {@code null} if a flight was under way
	 * @throws RuntimeException what the work threw
	 */
	public @Nullable V executeIfIdle(Object key, Function<Flight<V>, V> work) {
		Set<Object> leading = this.leading.get();
		Flight<V> flight = new Flight<>();
		if (leading.contains(key) || this.flights.putIfAbsent(key, flight) != null) {
			return null;
		}
		return lead(key, flight, work, leading);
	}

	/**
	 * Start {@code work} for {@code key} unless a flight for the key is under way, and
	 * return a future of the result either way. Never blocks.
	 * @param key the key
	 * @param work the load, given its flight for {@link #admit}
	 * @return a future completed with the result, or failed with the work's failure
	 */
	public CompletableFuture<V> executeAsync(Object key, Function<Flight<V>, CompletableFuture<V>> work) {
		Flight<V> flight = new Flight<>();
		Flight<V> underWay = this.flights.putIfAbsent(key, flight);
		if (underWay != null) {
			this.stats.record(Counter.LOADS_DEDUPLICATED);
			return underWay.result().copy();
		}
		CompletableFuture<V> result;
		try {
			result = work.apply(flight);
		}
		catch (RuntimeException | Error ex) {
			result = CompletableFuture.failedFuture(ex);
		}
		result.whenComplete((value, failure) -> {
			this.flights.remove(key, flight);
			if (failure != null) {
				flight.result().completeExceptionally(failure);
			}
			else {
				flight.result().complete(value);
			}
		});
		return flight.result().copy();
	}

	private V await(Flight<V> flight) {
		try {
			return flight.result().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CompletionException(ex);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof CompletionException completion && completion.getCause() != null) {
				cause = completion.getCause();
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new CompletionException(cause);
		}
	}

	/**
	 * Store the result of {@code flight} through {@code store}, which is given a check
	 * that the flight is still current (not overtaken by {@link #forget(Object)} or
	 * {@link #forgetAll(Runnable)}) to evaluate atomically with the store.
	 * @param key the key
	 * @param flight the leader's flight
	 * @param store stores the result if the check passes, and says whether it stored
	 * @return what {@code store} returned
	 */
	public boolean admit(Object key, Flight<V> flight, Predicate<BooleanSupplier> store) {
		return admit(store, () -> this.flights.get(key) == flight);
	}

	/**
	 * Store through {@code store}, which is given {@code current} to evaluate atomically
	 * with the store, while no {@link #forgetAll(Runnable)} runs.
	 * @param store stores if the check passes, and says whether it stored
	 * @param current whether the result is still wanted
	 * @return what {@code store} returned
	 */
	public boolean admit(Predicate<BooleanSupplier> store, BooleanSupplier current) {
		this.clearLock.readLock().lock();
		try {
			return store.test(current);
		}
		finally {
			this.clearLock.readLock().unlock();
		}
	}

	/**
	 * Return whether {@code flight} is still the current flight of {@code key}.
	 * @param key the key
	 * @param flight the flight
	 * @return whether it has not been forgotten
	 */
	public boolean isCurrent(Object key, Flight<V> flight) {
		return this.flights.get(key) == flight;
	}

	/**
	 * Forget the flight of {@code key}: its waiters still get its result, but the result
	 * is no longer admitted and the next caller starts a new flight. Call it before
	 * removing or replacing the key's entry.
	 * @param key the key
	 */
	public void forget(Object key) {
		this.flights.remove(key);
	}

	/**
	 * Forget the flights of every key that {@code keys} accepts, as
	 * {@link #forget(Object)} does for one key. Walks the flights under way, which are
	 * few.
	 * @param keys which keys to forget
	 */
	public void forgetIf(Predicate<Object> keys) {
		this.flights.keySet().removeIf(keys);
	}

	/**
	 * Forget every flight and run {@code clear} while no result can be admitted.
	 * @param clear removes the entries
	 */
	public void forgetAll(Runnable clear) {
		this.clearLock.writeLock().lock();
		try {
			this.flights.clear();
			clear.run();
		}
		finally {
			this.clearLock.writeLock().unlock();
		}
	}

	/**
	 * Return how many flights are under way, for diagnostics.
	 * @return the number of keys being loaded
	 */
	public int inFlight() {
		return this.flights.size();
	}

}
