package dev.tiercache.observation;

/**
 * Observes tiercache's slow operations: each {@link Operation} is started, and stopped
 * with its outcome, so that a trace shows where a slow {@code @Cacheable} spent its time.
 * Never called on the hit path. Implementations must be thread-safe and must not throw.
 *
 * @author tiercache
 * @see #none()
 */
public interface TierCacheObserver {

	/**
	 * Start observing an operation.
	 * @param operation what is done
	 * @param cache the cache name
	 * @param tier where it is done: {@code local}, {@code peers} or {@code redis}
	 * @param scoped whether the operation runs on this thread until it stops, so that
	 * what it calls on this thread is observed inside it (a synchronous call), or
	 * continues on other threads (an asynchronous one)
	 * @return the running observation
	 */
	Observed start(Operation operation, String cache, String tier, boolean scoped);

	/**
	 * Return the observer that observes nothing.
	 * @return the shared no-op observer
	 */
	static TierCacheObserver none() {
		return NoObserver.INSTANCE;
	}

	/**
	 * A running observation.
	 */
	interface Observed {

		/**
		 * Stop the observation; a scoped one must be stopped on the thread that started
		 * it. Calls after the first are ignored.
		 * @param outcome how it ended, such as {@code hit}, {@code miss}, {@code success}
		 * or {@code failure}
		 */
		void stop(String outcome);

	}

	/**
	 * tiercache's observed operations.
	 */
	enum Operation {

		/**
		 * The application's loader, run by this node.
		 */
		LOAD("tiercache.load", "load"),

		/**
		 * A read from the remote tier (the key's owner, or Redis), including, for a
		 * synchronized read, the lease wait or load it leads to.
		 */
		FETCH("tiercache.fetch", "fetch"),

		/**
		 * A wait for another caller's load of the same key under its lease.
		 */
		LEASE_WAIT("tiercache.lease.wait", "lease wait");

		private final String observationName;

		private final String contextualName;

		Operation(String observationName, String contextualName) {
			this.observationName = observationName;
			this.contextualName = contextualName;
		}

		/**
		 * Return the name of the observation, and of the timer it makes.
		 * @return such as {@code tiercache.load}
		 */
		public String observationName() {
			return this.observationName;
		}

		/**
		 * Return the span name prefix, followed by the cache name.
		 * @return such as {@code load}
		 */
		public String contextualName() {
			return this.contextualName;
		}

	}

}
