package dev.tiercache.flight;

import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * One load of one key under way. Its waiters share {@link #result()}.
 *
 * @param <V> the type of the result
 * @author tiercache
 */
public final class Flight<V> {

	private final CompletableFuture<V> result = new CompletableFuture<>();

	private final @Nullable Thread leader;

	Flight(@Nullable Thread leader) {
		this.leader = leader;
	}

	CompletableFuture<V> result() {
		return this.result;
	}

	boolean isLedBy(Thread thread) {
		return this.leader == thread;
	}

}
