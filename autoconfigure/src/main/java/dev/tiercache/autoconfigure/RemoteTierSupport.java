package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.Conventions;

/**
 * What the remote modes share in their configuration: the codec and the reporting of
 * invalid settings.
 *
 * @author tiercache
 */
final class RemoteTierSupport {

	private static final Log logger = LogFactory.getLog(RemoteTierSupport.class);

	private RemoteTierSupport() {
	}

	/**
	 * The codec of keys and values: the application's {@link ValueCodec} bean if it has
	 * one (guarded, so that whatever it throws degrades to this node's tier), else the
	 * one {@code tiercache.serialization.*} chooses, allowing the JDK's value types, the
	 * application's own packages (those of its {@code @SpringBootApplication}) and
	 * {@code tiercache.serialization.allowed-packages}, and resolving classes with the
	 * bean class loader, the one that loaded the application's classes (not the thread
	 * context class loader of whichever thread decodes, which Spring Boot DevTools'
	 * restarts leave stale).
	 * <p>
	 * An application package that is a single segment (an application class in package
	 * {@code com}) or the default package is skipped with a warning rather than failing
	 * start-up, as Spring Boot itself only warns about the default package: allowing it
	 * would allow every library under it, and the application still starts; its values
	 * are refused, with a message naming the property, until their packages are listed.
	 * The same names in {@code tiercache.serialization.allowed-packages} fail start-up,
	 * since someone wrote them there.
	 * @throws MissingLibraryException if the chosen codec's or compression's library is
	 * missing
	 */
	static ValueCodec codec(TierCacheProperties properties, BeanFactory beanFactory) {
		ValueCodec custom = beanFactory.getBeanProvider(ValueCodec.class).getIfUnique();
		if (custom != null) {
			return ValueCodec.guarded(custom);
		}
		TierCacheSerializationProperties serialization = properties.getSerialization();
		AllowList allowList = allowList(serialization.getAllowedPackages(), beanFactory);
		ClassLoader classLoader = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : null;
		ValueCodec codec = switch (serialization.getCodec()) {
			case JAVA -> ValueCodec.java(allowList, classLoader);
			case JSON -> {
				Libraries.require(Libraries.JACKSON_CLASS, classLoader, "tiercache.serialization.codec", "json",
						"Jackson 3", "org.springframework.boot:spring-boot-starter-jackson");
				yield JsonCodecs.create(beanFactory, allowList, classLoader);
			}
			case KRYO -> {
				Libraries.require(Libraries.KRYO_CLASS, classLoader, "tiercache.serialization.codec", "kryo", "Kryo",
						"com.esotericsoftware:kryo:" + Libraries.KRYO_VERSION);
				yield ValueCodec.kryo(allowList, classLoader);
			}
		};
		if (serialization.getCompression() == TierCacheSerializationProperties.Compression.LZ4) {
			Libraries.require(Libraries.LZ4_CLASS, classLoader, "tiercache.serialization.compression", "lz4",
					"lz4-java", "at.yawk.lz4:lz4-java:" + Libraries.LZ4_VERSION);
			long threshold = serialization.getCompressionThreshold().toBytes();
			if (threshold < 1 || threshold > Integer.MAX_VALUE) {
				throw new InvalidConfigurationPropertyValueException("tiercache.serialization.compression-threshold",
						serialization.getCompressionThreshold(), "compression-threshold must be at least 1B");
			}
			codec = ValueCodec.lz4(codec, (int) threshold);
		}
		return codec;
	}

	private static AllowList allowList(List<String> configured, BeanFactory beanFactory) {
		List<String> packages = new ArrayList<>(configured);
		if (AutoConfigurationPackages.has(beanFactory)) {
			for (String name : AutoConfigurationPackages.get(beanFactory)) {
				if (AllowList.isTooBroad(name)) {
					logger.warn("tiercache does not allow deserializing every class under '" + name + "', the "
							+ "package of your @SpringBootApplication, since that would allow every library "
							+ "there too. Remote caches refuse values of your classes until you list their "
							+ "packages (such as " + (name.isBlank() ? "com.example" : name + ".example")
							+ ".books) in tiercache.serialization.allowed-packages");
				}
				else {
					packages.add(name);
				}
			}
		}
		try {
			return AllowList.of(packages);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("tiercache.serialization.allowed-packages",
					String.join(",", configured), ex.getMessage());
		}
	}

	/**
	 * Create settings, turning a refusal into the start-up failure of the property at
	 * fault. The settings' messages start with the property's name relative to
	 * {@code prefix}, such as {@code lease-timeout must be positive}.
	 * @param prefix the properties' prefix, such as {@code tiercache.redis}
	 * @param properties the bound properties under that prefix
	 * @param settings creates the settings
	 * @return the settings
	 * @throws InvalidConfigurationPropertyValueException naming the property at fault
	 */
	static <T> T settings(String prefix, Object properties, Supplier<T> settings) {
		try {
			return settings.get();
		}
		catch (IllegalArgumentException ex) {
			String name = ex.getMessage().split(" ")[0];
			Object value = new BeanWrapperImpl(properties)
				.getPropertyValue(Conventions.attributeNameToPropertyName(name));
			throw new InvalidConfigurationPropertyValueException(prefix + "." + name, value, ex.getMessage());
		}
	}

}
