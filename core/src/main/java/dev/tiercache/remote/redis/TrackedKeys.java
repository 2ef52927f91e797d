package dev.tiercache.remote.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.api.push.PushMessage;
import org.jspecify.annotations.Nullable;

/**
 * What Redis's client tracking says changed, applied to the hot copies: an
 * {@code invalidate} push names the keys that changed ({@code <prefix><cache>::{name}}
 * drops the hot copies of that name in that cache; leases, clear counts and other
 * applications' keys are ignored), or none for a flush, which drops every hot copy.
 * Shared by the tracking connection of a standalone or Sentinel Redis
 * ({@link ServerTracking}) and those of a Cluster's masters ({@link ClusterTracking}).
 *
 * @author tiercache
 */
final class TrackedKeys {

	private final String prefix;

	private final Function<String, @Nullable Registration> registrations;

	private final Supplier<Collection<Registration>> allRegistrations;

	private final AtomicLong invalidations = new AtomicLong();

	/**
	 * @param registrations the registration of a cache name, or {@code null}
	 * @param allRegistrations every registration, for a flush or a gap
	 */
	TrackedKeys(String prefix, Function<String, @Nullable Registration> registrations,
			Supplier<Collection<Registration>> allRegistrations) {
		this.prefix = prefix;
		this.registrations = registrations;
		this.allRegistrations = allRegistrations;
	}

	/**
	 * A push from Redis: {@code invalidate} with the changed keys, or with {@code null}
	 * for a flush. Runs on a connection's I/O thread; dropping is cheap.
	 */
	void pushed(PushMessage message) {
		if (!"invalidate".equals(message.getType())) {
			return;
		}
		List<Object> content = message.getContent(TrackedKeys::utf8);
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (!(keys instanceof List<?> changed)) {
			this.invalidations.incrementAndGet();
			dropEveryHotCopy();
			return;
		}
		for (Object key : changed) {
			this.invalidations.incrementAndGet();
			if (key instanceof String text) {
				invalidate(text);
			}
		}
	}

	/** Return how many keys (or flushes) Redis reported changed so far. */
	long invalidations() {
		return this.invalidations.get();
	}

	/**
	 * Drop every hot copy: tracking starts (again), and what changed before was not told.
	 */
	void dropEveryHotCopy() {
		this.allRegistrations.get().forEach((registration) -> registration.invalidations().invalidateAll());
	}

	private static String utf8(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

	/**
	 * Drop the hot copies of the entry stored at {@code key}, if it is an entry of a
	 * registered cache: {@code <prefix><escaped cache>::{<escaped name>}}. Neither
	 * escaped part holds a brace, so the first {@code "::{"} ends the cache.
	 */
	private void invalidate(String key) {
		if (!key.startsWith(this.prefix) || !key.endsWith("}")) {
			return;
		}
		int separator = key.indexOf("::{", this.prefix.length());
		if (separator < 0 || key.indexOf('}', separator) != key.length() - 1) {
			return;
		}
		Registration registration = this.registrations.apply(unescape(key.substring(this.prefix.length(), separator)));
		if (registration != null) {
			registration.invalidations().invalidateNamed(unescape(key.substring(separator + 3, key.length() - 1)));
		}
	}

	/** The inverse of {@link RedisKeys#escape}. */
	static String unescape(String escaped) {
		if (escaped.equals("\\0")) {
			return "";
		}
		if (escaped.indexOf('\\') < 0) {
			return escaped;
		}
		StringBuilder name = new StringBuilder(escaped.length());
		for (int i = 0; i < escaped.length(); i++) {
			char c = escaped.charAt(i);
			if (c == '\\' && i + 1 < escaped.length()) {
				char next = escaped.charAt(++i);
				name.append(switch (next) {
					case '[' -> '{';
					case ']' -> '}';
					default -> next;
				});
			}
			else {
				name.append(c);
			}
		}
		return name.toString();
	}

}
