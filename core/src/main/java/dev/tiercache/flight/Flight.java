package dev.tiercache.flight;

import java.util.concurrent.CompletableFuture;

/**
 * One load of one key under way. Its waiters share {@link #result()}.
 *
 * @param <V> the type of the result
 * @author tiercache
 */
public final class Flight<V> {

	private final CompletableFuture<V> result = new CompletableFuture<>();

	CompletableFuture<V> result() {
		return this.result;
	}

}
