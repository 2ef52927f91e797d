package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;

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

	private RemoteTierSupport() {
	}

	/**
	 * The codec of keys and values, allowing the JDK's value types, the application's own
	 * packages (those of its {@code @SpringBootApplication}) and
	 * {@code tiercache.serialization.allowed-packages}, and resolving classes with the
	 * bean class loader, the one that loaded the application's classes.
	 */
	static ValueCodec codec(TierCacheProperties properties, BeanFactory beanFactory) {
		List<String> packages = new ArrayList<>(properties.getSerialization().getAllowedPackages());
		if (AutoConfigurationPackages.has(beanFactory)) {
			packages.addAll(AutoConfigurationPackages.get(beanFactory));
		}
		ClassLoader classLoader = (beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.getBeanClassLoader() : null;
		return ValueCodec.java(AllowList.of(packages), classLoader);
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
