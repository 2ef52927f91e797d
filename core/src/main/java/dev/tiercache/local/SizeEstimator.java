package dev.tiercache.local;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Weigher;
import org.jspecify.annotations.Nullable;

/**
 * Estimates the bytes an entry keeps alive, for caches bounded by {@code maximum-weight}.
 * It is an estimate for a 64-bit JVM with compressed references, not a measurement:
 * <ul>
 * <li>every object costs a 16-byte header; a reference costs 4 bytes;</li>
 * <li>a {@code String} costs 40 bytes plus 2 per character (the UTF-16 upper bound);</li>
 * <li>arrays cost 16 bytes plus their elements; collections and maps cost their elements
 * plus 16 (list and set) or 32 (map) bytes per element for the nodes that hold them;</li>
 * <li>boxed primitives cost 16 bytes, enum constants nothing (they are shared);</li>
 * <li>any other object costs its header plus its fields, followed reflectively to a depth
 * of {@value #MAX_DEPTH}; an object shared within one value is counted once, and fields
 * of JDK types that cannot be read reflectively cost 20 bytes each.</li>
 * </ul>
 * It runs when an entry is written, never on a read.
 *
 * @author tiercache
 */
final class SizeEstimator implements Weigher<Object, CacheEntry> {

	static final int ENTRY_OVERHEAD = 64;

	private static final int MAX_DEPTH = 8;

	private static final int HEADER = 16;

	private static final int REFERENCE = 4;

	private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {

		@Override
		protected List<Field> computeValue(Class<?> type) {
			List<Field> fields = new ArrayList<>();
			for (Class<?> current = type; current != null
					&& current != Object.class; current = current.getSuperclass()) {
				for (Field field : current.getDeclaredFields()) {
					if (!Modifier.isStatic(field.getModifiers())) {
						fields.add(field);
					}
				}
			}
			return List.copyOf(fields);
		}

	};

	@Override
	public int weigh(Object key, CacheEntry entry) {
		long bytes = ENTRY_OVERHEAD + estimate(key) + estimate(entry.get());
		return (int) Math.min(Integer.MAX_VALUE, bytes);
	}

	/**
	 * Estimate the bytes {@code value} keeps alive.
	 * @param value any object, or {@code null}
	 * @return the estimate in bytes
	 */
	static long estimate(@Nullable Object value) {
		return estimate(value, 0, new IdentityHashMap<>());
	}

	private static long estimate(@Nullable Object value, int depth, IdentityHashMap<Object, Boolean> seen) {
		if (value == null || value instanceof Enum<?> || value instanceof Class<?>) {
			return 0;
		}
		if (value instanceof String string) {
			return 40 + 2L * string.length();
		}
		if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
			return HEADER;
		}
		if (depth >= MAX_DEPTH || seen.put(value, Boolean.TRUE) != null) {
			return REFERENCE;
		}
		if (value.getClass().isArray()) {
			return estimateArray(value, depth, seen);
		}
		if (value instanceof Collection<?> collection) {
			long bytes = 3 * HEADER;
			for (Object element : collection) {
				bytes += HEADER + REFERENCE + estimate(element, depth + 1, seen);
			}
			return bytes;
		}
		if (value instanceof Map<?, ?> map) {
			long bytes = 3 * HEADER;
			for (Map.Entry<?, ?> mapping : map.entrySet()) {
				bytes += 2 * HEADER + estimate(mapping.getKey(), depth + 1, seen)
						+ estimate(mapping.getValue(), depth + 1, seen);
			}
			return bytes;
		}
		return estimateFields(value, depth, seen);
	}

	private static long estimateArray(Object array, int depth, IdentityHashMap<Object, Boolean> seen) {
		int length = Array.getLength(array);
		Class<?> component = array.getClass().getComponentType();
		if (component.isPrimitive()) {
			return HEADER + (long) length * primitiveSize(component);
		}
		long bytes = HEADER + (long) length * REFERENCE;
		for (int i = 0; i < length; i++) {
			bytes += estimate(Array.get(array, i), depth + 1, seen);
		}
		return bytes;
	}

	private static long estimateFields(Object value, int depth, IdentityHashMap<Object, Boolean> seen) {
		long bytes = HEADER;
		for (Field field : FIELDS.get(value.getClass())) {
			Class<?> type = field.getType();
			if (type.isPrimitive()) {
				bytes += primitiveSize(type);
			}
			else if (field.trySetAccessible()) {
				bytes += REFERENCE + estimate(read(field, value), depth + 1, seen);
			}
			else {
				bytes += REFERENCE + HEADER;
			}
		}
		return bytes;
	}

	private static @Nullable Object read(Field field, Object target) {
		try {
			return field.get(target);
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

	private static int primitiveSize(Class<?> type) {
		if (type == long.class || type == double.class) {
			return 8;
		}
		if (type == int.class || type == float.class) {
			return 4;
		}
		if (type == short.class || type == char.class) {
			return 2;
		}
		return 1;
	}

}
