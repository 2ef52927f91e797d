package dev.tiercache.remote.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * This node's callers that wait for a key's load under another caller's lease, woken
 * together when the load is over ({@link #loaded}): by the holder's "loaded" message, or
 * directly when the holder is on this node (a node does not hear its own messages). Every
 * caller joins before it looks at Redis and leaves after, so that a message that arrives
 * in between is not missed, and the wait stays in place while any caller is in it: the
 * first to leave does not take it from the others.
 *
 * @author tiercache
 */
final class LoadWaiters {

	private final ConcurrentMap<String, Wait> waits = new ConcurrentHashMap<>();

	/**
	 * Join the wait for the load of {@code valueKey}.
	 */
	Wait join(String valueKey) {
		return this.waits.compute(valueKey, (key, wait) -> {
			Wait joined = (wait == null || wait.loaded().isDone()) ? new Wait(new CompletableFuture<>()) : wait;
			joined.callers++;
			return joined;
		});
	}

	/**
	 * Leave {@code wait}; the last caller to leave removes it.
	 */
	void leave(String valueKey, Wait wait) {
		this.waits.computeIfPresent(valueKey, (key, current) -> {
			if (current != wait) {
				return current;
			}
			return (--current.callers == 0) ? null : current;
		});
	}

	/**
	 * The load of {@code valueKey} is over: wake every caller waiting for it.
	 */
	void loaded(String valueKey) {
		Wait wait = this.waits.remove(valueKey);
		if (wait != null) {
			wait.loaded().complete(null);
		}
	}

	/**
	 * The callers waiting for one load.
	 */
	static final class Wait {

		private final CompletableFuture<Void> loaded;

		/** Guarded by the map's lock on the key. */
		private int callers;

		private Wait(CompletableFuture<Void> loaded) {
			this.loaded = loaded;
		}

		/** Completed when the load is over. */
		CompletableFuture<Void> loaded() {
			return this.loaded;
		}

	}

}
