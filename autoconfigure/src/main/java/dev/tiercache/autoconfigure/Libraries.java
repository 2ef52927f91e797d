package dev.tiercache.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * The optional libraries tiercache builds on, the class that shows each is present, and
 * the dependency that brings it. The mode configurations are guarded by the same class
 * names.
 *
 * @author tiercache
 */
final class Libraries {

	/** A class of JGroups, which peers mode is built on. */
	static final String JGROUPS_CLASS = "org.jgroups.JChannel";

	/** The JGroups version tiercache is built and tested with. */
	static final String JGROUPS_VERSION = "5.5.7.Final";

	/** A class of spring-data-redis, which Redis mode is built on. */
	static final String REDIS_CLASS = "org.springframework.data.redis.connection.RedisConnectionFactory";

	/** A class of Jackson 3, which the JSON codec is built on. */
	static final String JACKSON_CLASS = "tools.jackson.databind.json.JsonMapper";

	/** A class of Kryo, which the Kryo codec is built on. */
	static final String KRYO_CLASS = "com.esotericsoftware.kryo.Kryo";

	/** The Kryo version tiercache is built and tested with. */
	static final String KRYO_VERSION = "5.6.2";

	/** A class of lz4-java, which LZ4 compression is built on. */
	static final String LZ4_CLASS = "net.jpountz.lz4.LZ4Factory";

	/** The lz4-java version tiercache is built and tested with. */
	static final String LZ4_VERSION = "1.10.1";

	private Libraries() {
	}

	/**
	 * Fail if the library of {@code mode} is missing.
	 * @param mode the chosen mode
	 * @param classLoader the application's class loader
	 * @throws MissingLibraryException naming the dependency to add
	 */
	static void checkMode(TierCacheProperties.Mode mode, @Nullable ClassLoader classLoader) {
		if (mode == TierCacheProperties.Mode.PEERS) {
			require(JGROUPS_CLASS, classLoader, "tiercache.mode", "peers", "JGroups",
					"org.jgroups:jgroups:" + JGROUPS_VERSION);
		}
		if (mode == TierCacheProperties.Mode.REDIS) {
			require(REDIS_CLASS, classLoader, "tiercache.mode", "redis", "spring-data-redis",
					"org.springframework.boot:spring-boot-starter-data-redis");
		}
	}

	/**
	 * Fail if the class {@code className} is missing.
	 * @param className a class of the library
	 * @param classLoader the application's class loader
	 * @param property the property that chose the library
	 * @param value its value
	 * @param library the library's name
	 * @param dependency the dependency that brings it
	 * @throws MissingLibraryException naming the dependency to add
	 */
	static void require(String className, @Nullable ClassLoader classLoader, String property, String value,
			String library, String dependency) {
		if (!ClassUtils.isPresent(className, classLoader)) {
			throw new MissingLibraryException(property, value, library, dependency);
		}
	}

}
