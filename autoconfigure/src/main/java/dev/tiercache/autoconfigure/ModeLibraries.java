package dev.tiercache.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * The library each remote mode is built on, the class that shows it is present, and the
 * dependency that brings it. The mode configurations are guarded by the same class names.
 *
 * @author tiercache
 */
final class ModeLibraries {

	/** A class of JGroups, which peers mode is built on. */
	static final String JGROUPS_CLASS = "org.jgroups.JChannel";

	/** The JGroups version tiercache is built and tested with. */
	static final String JGROUPS_VERSION = "5.5.7.Final";

	/** A class of spring-data-redis, which Redis mode is built on. */
	static final String REDIS_CLASS = "org.springframework.data.redis.connection.RedisConnectionFactory";

	private ModeLibraries() {
	}

	/**
	 * Fail if the library of {@code mode} is missing.
	 * @param mode the chosen mode
	 * @param classLoader the application's class loader
	 * @throws MissingModeLibraryException naming the dependency to add
	 */
	static void check(TierCacheProperties.Mode mode, @Nullable ClassLoader classLoader) {
		if (mode == TierCacheProperties.Mode.PEERS && !ClassUtils.isPresent(JGROUPS_CLASS, classLoader)) {
			throw new MissingModeLibraryException("peers", "JGroups", "org.jgroups:jgroups:" + JGROUPS_VERSION);
		}
		if (mode == TierCacheProperties.Mode.REDIS && !ClassUtils.isPresent(REDIS_CLASS, classLoader)) {
			throw new MissingModeLibraryException("redis", "spring-data-redis",
					"org.springframework.boot:spring-boot-starter-data-redis");
		}
	}

}
