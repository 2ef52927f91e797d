package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

/**
 * Names keys for the remote tier by their string form, the way Spring's own Redis cache
 * does: {@code 42L} is {@code "42"}, a {@code SimpleKey} of several arguments is
 * {@code "SimpleKey [a,b]"}. A key whose class does not override {@code toString()} has
 * no stable name across nodes and is refused.
 *
 * @author tiercache
 */
public final class KeyNames {

	private static final ClassValue<Boolean> NAMEABLE = new ClassValue<>() {

		@Override
		protected Boolean computeValue(Class<?> type) {
			try {
				return type.getMethod("toString").getDeclaringClass() != Object.class;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

	};

	private KeyNames() {
	}

	/**
	 * Return the name of {@code key}.
	 * @param cache the cache name, for the error message
	 * @param key the key
	 * @return its string form
	 * @throws CodecException if the key's class does not override {@code toString()}
	 */
	public static String name(String cache, Object key) {
		if (!NAMEABLE.get(key.getClass())) {
			throw new CodecException("Cannot use a key of class " + key.getClass().getName() + " in cache '" + cache
					+ "' remotely: it does not override toString(), so nodes cannot agree on its name. Use a key "
					+ "with a stable toString(), such as a String, a number, a record or Spring's SimpleKey");
		}
		return key.toString();
	}

	/**
	 * Return the name of {@code key}, or {@code null} if it has none (its class does not
	 * override {@code toString()}, or that throws): such a key is never shared.
	 * @param key the key
	 * @return its string form, or {@code null}
	 */
	public static @Nullable String nameOrNull(Object key) {
		if (!NAMEABLE.get(key.getClass())) {
			return null;
		}
		try {
			return key.toString();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}
