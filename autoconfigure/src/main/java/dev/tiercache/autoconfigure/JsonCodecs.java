package dev.tiercache.autoconfigure;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;

/**
 * The JSON codec on the application's {@link JsonMapper} (the one Spring Boot configures
 * from {@code spring.jackson.*}, with the application's modules), or on a plain one if
 * the application has none. A class of its own, so that Jackson is loaded only when the
 * JSON codec is chosen.
 *
 * @author tiercache
 */
final class JsonCodecs {

	private JsonCodecs() {
	}

	static ValueCodec create(BeanFactory beanFactory, AllowList allowList, @Nullable ClassLoader classLoader) {
		JsonMapper mapper = beanFactory.getBeanProvider(JsonMapper.class)
			.getIfUnique(() -> JsonMapper.builder().build());
		return ValueCodec.json(mapper, allowList, classLoader);
	}

}
