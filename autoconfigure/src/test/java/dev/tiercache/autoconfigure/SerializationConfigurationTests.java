package dev.tiercache.autoconfigure;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.FilteredClassLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The codec of the remote modes as {@code tiercache.serialization.*} and the
 * application's beans choose it.
 */
class SerializationConfigurationTests {

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	private static TierCacheProperties properties(String... pairs) {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		source.put("tiercache.serialization.allowed-packages", "dev.tiercache.autoconfigure");
		for (int i = 0; i < pairs.length; i += 2) {
			source.put(pairs[i], pairs[i + 1]);
		}
		return new Binder(source).bind("tiercache", TierCacheProperties.class).get();
	}

	@Test
	void aValueCodecBeanReplacesTheDefault() {
		ValueCodec custom = new ValueCodec() {

			@Override
			public byte[] encode(Object value) {
				return new byte[] { 42 };
			}

			@Override
			public Object decode(byte[] bytes) {
				return "custom";
			}

		};
		this.beanFactory.registerSingleton("myCodec", custom);
		ValueCodec codec = RemoteTierSupport.codec(properties("tiercache.serialization.codec", "kryo"),
				this.beanFactory);
		assertThat(codec.encode(new Plain("x"))).containsExactly(42);
		assertThat(codec.decode(new byte[] { 1 })).isEqualTo("custom");
	}

	@Test
	void whateverTheApplicationsCodecThrowsReachesTierCacheAsACodecException() {
		ValueCodec failing = new ValueCodec() {

			@Override
			public byte[] encode(Object value) {
				throw new IllegalStateException("broken encoder");
			}

			@Override
			public Object decode(byte[] bytes) {
				throw new NullPointerException("broken decoder");
			}

		};
		this.beanFactory.registerSingleton("myCodec", failing);
		ValueCodec codec = RemoteTierSupport.codec(properties(), this.beanFactory);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> codec.encode("x"))
			.withMessageContaining("broken encoder")
			.withMessageContaining("java.lang.String");
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> codec.decode(new byte[3]))
			.withMessageContaining("broken decoder")
			.withMessageContaining("3 bytes");
	}

	@Test
	void javaIsTheDefaultAndNeedsSerializableValues() {
		ValueCodec codec = RemoteTierSupport.codec(properties(), this.beanFactory);
		assertThat(codec.decode(codec.encode(new Shelf("a", List.of("Dune")))))
			.isEqualTo(new Shelf("a", List.of("Dune")));
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> codec.encode(new Plain("x")))
			.withMessageContaining("Serializable");
	}

	@Test
	void kryoNeedsNoSerializable() {
		ValueCodec codec = RemoteTierSupport.codec(properties("tiercache.serialization.codec", "kryo"),
				this.beanFactory);
		assertThat(codec.decode(codec.encode(new Plain("x")))).isEqualTo(new Plain("x"));
	}

	@Test
	void jsonIsWrittenWithTheApplicationsJsonMapper() {
		this.beanFactory.registerSingleton("jsonMapper",
				JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build());
		ValueCodec codec = RemoteTierSupport.codec(properties("tiercache.serialization.codec", "json"),
				this.beanFactory);
		Plain value = new Plain("x");
		byte[] bytes = codec.encode(value);
		assertThat(new String(bytes)).contains("\"shelf_name\"");
		assertThat(codec.decode(bytes)).isEqualTo(value);
	}

	@Test
	void lz4CompressesPayloadsFromTheThreshold() {
		ValueCodec codec = RemoteTierSupport.codec(properties("tiercache.serialization.compression", "lz4",
				"tiercache.serialization.compression-threshold", "100B"), this.beanFactory);
		String large = "tiercache ".repeat(100);
		assertThat(codec.encode(large).length).isLessThan(100);
		assertThat(codec.decode(codec.encode(large))).isEqualTo(large);
	}

	@ParameterizedTest
	@ValueSource(strings = { "java", "json", "kryo" })
	void classesResolveWithTheBeanClassLoader(String name) {
		RecordingClassLoader loader = new RecordingClassLoader();
		this.beanFactory.setBeanClassLoader(loader);
		ValueCodec codec = RemoteTierSupport.codec(properties("tiercache.serialization.codec", name), this.beanFactory);
		Shelf shelf = new Shelf("a", List.of("Dune"));
		assertThat(codec.decode(codec.encode(shelf))).isEqualTo(shelf);
		assertThat(loader.requested).contains(Shelf.class.getName());
	}

	@Test
	void kryoWithoutKryoFailsNamingTheDependency() {
		this.beanFactory.setBeanClassLoader(new FilteredClassLoader("com.esotericsoftware"));
		assertThatExceptionOfType(MissingLibraryException.class).isThrownBy(
				() -> RemoteTierSupport.codec(properties("tiercache.serialization.codec", "kryo"), this.beanFactory))
			.withMessageContaining("com.esotericsoftware:kryo:" + Libraries.KRYO_VERSION);
	}

	@Test
	void jsonWithoutJacksonFailsNamingTheStarter() {
		this.beanFactory.setBeanClassLoader(new FilteredClassLoader("tools.jackson"));
		assertThatExceptionOfType(MissingLibraryException.class).isThrownBy(
				() -> RemoteTierSupport.codec(properties("tiercache.serialization.codec", "json"), this.beanFactory))
			.withMessageContaining("spring-boot-starter-jackson");
	}

	@Test
	void lz4WithoutLz4FailsNamingTheDependency() {
		this.beanFactory.setBeanClassLoader(new FilteredClassLoader("net.jpountz"));
		assertThatExceptionOfType(MissingLibraryException.class)
			.isThrownBy(() -> RemoteTierSupport.codec(properties("tiercache.serialization.compression", "lz4"),
					this.beanFactory))
			.withMessageContaining("at.yawk.lz4:lz4-java:" + Libraries.LZ4_VERSION);
	}

	record Shelf(String name, List<String> titles) implements java.io.Serializable {
	}

	record Plain(String shelfName) {
	}

	/**
	 * Delegates to the test's class loader and remembers every class it was asked for.
	 */
	static final class RecordingClassLoader extends ClassLoader {

		final Set<String> requested = ConcurrentHashMap.newKeySet();

		RecordingClassLoader() {
			super(SerializationConfigurationTests.class.getClassLoader());
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			this.requested.add(name);
			return super.loadClass(name, resolve);
		}

	}

}
