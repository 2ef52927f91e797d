package dev.tiercache;

import java.util.Arrays;

/**
 * What tiercache's remote threads are doing, for tests that prove a wait holds no thread.
 */
public final class RemoteThreads {

	private RemoteThreads() {
	}

	/**
	 * Return how many of tiercache's remote threads are inside tiercache's code (an idle
	 * pool thread is not).
	 */
	public static long busy() {
		return Thread.getAllStackTraces()
			.entrySet()
			.stream()
			.filter((thread) -> thread.getKey().getName().startsWith("tiercache-remote-"))
			.filter((thread) -> Arrays.stream(thread.getValue())
				.anyMatch((frame) -> frame.getClassName().startsWith("dev.tiercache")))
			.count();
	}

}
