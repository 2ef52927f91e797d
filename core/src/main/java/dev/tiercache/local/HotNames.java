package dev.tiercache.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.tiercache.codec.KeyNames;
import org.jspecify.annotations.Nullable;

/**
 * The keys of a hot tier by name ({@link KeyNames}), so that an invalidation that names a
 * key, as Redis does, finds the hot copies of every key of that name: {@code 150L} and
 * {@code "150"} are one entry in Redis.
 *
 * <p>
 * The index may hold keys that are no longer in hot, never the reverse: a key is added
 * under the lock of its hot entry before the entry is stored, and removed only under that
 * lock while the entry is absent or being removed ({@link #remove}). Keys that hot
 * dropped on its own (size, expiry) are swept out when the index grows to twice the
 * tier's size, so the index costs an amortized constant per admission and nothing on a
 * hit.
 *
 * @author tiercache
 */
final class HotNames {

	private static final int MIN_SWEEP = 64;

	/** Name to key, or to an {@code Object[]} of keys when several share a name. */
	private final ConcurrentHashMap<String, Object> keys = new ConcurrentHashMap<>();

	/**
	 * Add {@code key}; call under the lock of its hot entry.
	 */
	void add(Object key) {
		String name = KeyNames.nameOrNull(key);
		if (name != null) {
			this.keys.compute(name, (n, present) -> with(present, key));
		}
	}

	/**
	 * Remove {@code key}; call under the lock of its hot entry, while the entry is absent
	 * or being removed.
	 */
	void remove(Object key) {
		String name = KeyNames.nameOrNull(key);
		if (name != null) {
			this.keys.computeIfPresent(name, (n, present) -> without(present, key));
		}
	}

	/**
	 * Return the keys of {@code name}, some of which may have left hot already.
	 */
	List<Object> keysNamed(String name) {
		Object present = this.keys.get(name);
		if (present == null) {
			return List.of();
		}
		return (present instanceof Object[] several) ? List.of(several) : List.of(present);
	}

	/**
	 * Whether the index has grown to twice {@code hotSize} names and should be swept.
	 */
	boolean needsSweep(long hotSize) {
		return this.keys.mappingCount() > 2 * Math.max(MIN_SWEEP, hotSize);
	}

	/**
	 * Call {@code action} with every key of the index, to sweep out those that left hot.
	 */
	void forEachKey(Consumer<Object> action) {
		List<Object> all = new ArrayList<>();
		this.keys.values().forEach((present) -> {
			if (present instanceof Object[] several) {
				all.addAll(Arrays.asList(several));
			}
			else {
				all.add(present);
			}
		});
		all.forEach(action);
	}

	int size() {
		return (int) this.keys.mappingCount();
	}

	private static Object with(@Nullable Object present, Object key) {
		if (present == null) {
			return key;
		}
		if (present instanceof Object[] several) {
			for (Object other : several) {
				if (other.equals(key)) {
					return present;
				}
			}
			Object[] more = Arrays.copyOf(several, several.length + 1);
			more[several.length] = key;
			return more;
		}
		return present.equals(key) ? present : new Object[] { present, key };
	}

	private static @Nullable Object without(Object present, Object key) {
		if (!(present instanceof Object[] several)) {
			return present.equals(key) ? null : present;
		}
		List<Object> rest = new ArrayList<>(several.length);
		for (Object other : several) {
			if (!other.equals(key)) {
				rest.add(other);
			}
		}
		if (rest.isEmpty()) {
			return null;
		}
		return (rest.size() == 1) ? rest.get(0) : rest.toArray();
	}

}
