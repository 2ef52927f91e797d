package dev.tiercache.benchmarks.jmh;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The keys every hit benchmark caches and reads: {@link #COUNT} ids, which each benchmark
 * thread walks from its own position.
 *
 * @author tiercache
 */
@State(Scope.Thread)
public class Keys {

	/** How many keys; a power of two. */
	static final int COUNT = 1024;

	private static final Long[] IDS = new Long[COUNT];

	static {
		for (int i = 0; i < COUNT; i++) {
			IDS[i] = 1_000_000L + i;
		}
	}

	private int next;

	/**
	 * Return the {@code i}th key.
	 * @param i from 0 to {@link #COUNT} - 1
	 * @return the key
	 */
	static Long id(int i) {
		return IDS[i];
	}

	/**
	 * Return this thread's next key.
	 * @return the key
	 */
	Long next() {
		return IDS[this.next++ & (COUNT - 1)];
	}

}
