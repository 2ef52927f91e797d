package dev.tiercache.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.core.ResolvableType;

/**
 * Suggests the valid {@code tiercache.*} property nearest to a misspelt one, by walking
 * {@link TierCacheProperties} segment by segment (a map, such as {@code caches}, takes
 * any key) and, at the first segment that names nothing, taking the nearest property name
 * there by edit distance (a swap of two neighbouring letters counts once).
 *
 * @author tiercache
 */
final class PropertyNameSuggestions {

	private static final String PREFIX = "tiercache";

	private PropertyNameSuggestions() {
	}

	/**
	 * Return the valid name nearest to {@code name}.
	 * @param name an unknown property name, such as {@code tiercache.caches.books.tll}
	 * @return the suggestion, such as {@code tiercache.caches.books.ttl}, or {@code null}
	 * if nothing is near enough
	 */
	static @Nullable String suggest(String name) {
		if (!name.startsWith(PREFIX + ".")) {
			return null;
		}
		String[] segments = name.substring(PREFIX.length() + 1).split("\\.");
		Class<?> type = TierCacheProperties.class;
		StringBuilder valid = new StringBuilder(PREFIX);
		for (int i = 0; i < segments.length; i++) {
			Map<String, PropertyDescriptor> properties = properties(type);
			PropertyDescriptor property = properties.get(segments[i]);
			if (property == null) {
				String nearest = nearest(segments[i], properties.keySet());
				if (nearest == null) {
					return null;
				}
				valid.append('.').append(nearest);
				for (int rest = i + 1; rest < segments.length; rest++) {
					valid.append('.').append(segments[rest]);
				}
				return valid.toString();
			}
			valid.append('.').append(segments[i]);
			ResolvableType propertyType = ResolvableType.forMethodReturnType(property.getReadMethod());
			if (Map.class.isAssignableFrom(property.getPropertyType()) && i + 1 < segments.length) {
				valid.append('.').append(segments[++i]);
				type = propertyType.asMap().getGeneric(1).resolve(Object.class);
			}
			else if (isGroup(property.getPropertyType())) {
				type = property.getPropertyType();
			}
			else {
				return null;
			}
		}
		return null;
	}

	/**
	 * Whether a property of the given type is a group of further properties, such as
	 * {@code tiercache.cluster}: one of tiercache's own settings classes, which all live
	 * in this package (enums, which are single values, excepted).
	 */
	private static boolean isGroup(Class<?> type) {
		return type.getPackageName().equals(TierCacheProperties.class.getPackageName()) && !type.isEnum();
	}

	private static Map<String, PropertyDescriptor> properties(Class<?> type) {
		Map<String, PropertyDescriptor> properties = new TreeMap<>();
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			if (property.getReadMethod() != null && !property.getName().equals("class")) {
				properties.put(dashed(property.getName()), property);
			}
		}
		return properties;
	}

	private static String dashed(String name) {
		StringBuilder dashed = new StringBuilder();
		for (char c : name.toCharArray()) {
			if (Character.isUpperCase(c)) {
				dashed.append('-').append(Character.toLowerCase(c));
			}
			else {
				dashed.append(c);
			}
		}
		return dashed.toString();
	}

	private static @Nullable String nearest(String segment, Collection<String> candidates) {
		String nearest = null;
		int best = Integer.MAX_VALUE;
		for (String candidate : candidates) {
			int distance = distance(segment, candidate);
			if (distance < best) {
				best = distance;
				nearest = candidate;
			}
		}
		return (best <= Math.max(2, segment.length() / 3)) ? nearest : null;
	}

	/**
	 * The optimal string alignment distance: insertions, deletions, substitutions and
	 * swaps of neighbouring characters.
	 */
	static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

}
