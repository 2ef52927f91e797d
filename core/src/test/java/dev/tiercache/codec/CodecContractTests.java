package dev.tiercache.codec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import dev.tiercache.codec.HostilePayloadTests.RecordingClassLoader;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import other.hostile.Outsider;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cache.interceptor.SimpleKey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What every codec promises, run over each of them (and over LZ4 around two of them):
 * round trips, the allow-list on both sides checked by name with the application's class
 * loader, and nothing but a {@link CodecException} for bytes it cannot read.
 */
class CodecContractTests {

	private static final AllowList STRICT = AllowList.of(List.of("dev.tiercache"));

	private static final AllowList PERMISSIVE = AllowList.of(List.of("dev.tiercache", "other.hostile"));

	static Stream<Arguments> codecs() {
		return Stream.of(codec("java", ValueCodec::java), codec("json", CodecContractTests::json),
				codec("kryo", ValueCodec::kryo),
				codec("lz4(java)", (allowList, loader) -> ValueCodec.lz4(ValueCodec.java(allowList, loader), 64)),
				codec("lz4(kryo)", (allowList, loader) -> ValueCodec.lz4(ValueCodec.kryo(allowList, loader), 64)));
	}

	private static ValueCodec json(AllowList allowList, @Nullable ClassLoader loader) {
		return ValueCodec.json(JsonMapper.builder().build(), allowList, loader);
	}

	private static Arguments codec(String name, BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codec) {
		return Arguments.of(name, codec);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void valuesRoundTrip(String name, BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		ValueCodec codec = codecs.apply(STRICT, null);
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("book", new Book(2, "Emma"));
		map.put("count", 3L);
		for (Object value : new Object[] { "", "book-1", "Dürrenmatt 🐘", 42L, Long.MIN_VALUE, 7, 3.5, true,
				new Book(1, "Dune"), List.of("a", "b"), new ArrayList<>(List.of(new Book(3, "Ulysses"))), map,
				"x".repeat(5000) }) {
			assertThat(codec.decode(codec.encode(value))).as(String.valueOf(value)).isEqualTo(value);
		}
		assertThat(codec.decode(codec.encode(null))).isNull();
		assertThat(codec.decode(codec.encode(42L))).isInstanceOf(Long.class);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void springsKeyOfSeveralArgumentsKeepsItsHash(String name,
			BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		ValueCodec codec = codecs.apply(STRICT, null);
		SimpleKey key = new SimpleKey("books", 42L);
		Object decoded = codec.decode(codec.encode(key));
		assertThat(decoded).isEqualTo(key);
		assertThat(decoded.hashCode()).isEqualTo(key.hashCode());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void aClassOutsideTheAllowListIsRefusedByNameWithoutBeingLoaded(String name,
			BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		byte[] payload = codecs.apply(PERMISSIVE, null).encode(new ArrayList<>(List.of(new Outsider())));
		RecordingClassLoader loader = new RecordingClassLoader();
		ValueCodec strict = codecs.apply(STRICT, loader);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> strict.decode(payload))
			.withMessageContaining("other.hostile.Outsider")
			.withMessageContaining("tiercache.serialization.allowed-packages");
		assertThat(loader.requested).doesNotContain(Outsider.class.getName());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void aValueHoldingAClassOutsideTheAllowListFailsTheWrite(String name,
			BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		ValueCodec codec = codecs.apply(STRICT, null);
		assertThatExceptionOfType(CodecException.class)
			.isThrownBy(() -> codec.encode(new ArrayList<>(List.of(new Outsider()))))
			.withMessageContaining("other.hostile.Outsider")
			.withMessageContaining("tiercache.serialization.allowed-packages");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void classesResolveWithTheGivenClassLoaderRatherThanTheThreadContextOne(String name,
			BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		RecordingClassLoader given = new RecordingClassLoader();
		RecordingClassLoader context = new RecordingClassLoader();
		ValueCodec codec = codecs.apply(STRICT, given);
		byte[] payload = codec.encode(new ArrayList<>(List.of(new Book(1, "Dune"))));
		ClassLoader previous = Thread.currentThread().getContextClassLoader();
		Thread.currentThread().setContextClassLoader(context);
		try {
			assertThat(codec.decode(payload)).isEqualTo(List.of(new Book(1, "Dune")));
		}
		finally {
			Thread.currentThread().setContextClassLoader(previous);
		}
		assertThat(given.requested).contains(Book.class.getName());
		assertThat(context.requested).doesNotContain(Book.class.getName());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void garbageFailsWithACodecExceptionOnly(String name,
			BiFunction<AllowList, @Nullable ClassLoader, ValueCodec> codecs) {
		ValueCodec codec = codecs.apply(STRICT, null);
		byte[] valid = codec.encode(new ArrayList<>(List.of(new Book(1, "Dune"), "x".repeat(100), 42L)));
		Random random = new Random(16);
		for (int i = 0; i < 2000; i++) {
			byte[] bytes = (i % 2 == 0) ? valid.clone() : new byte[1 + random.nextInt(64)];
			if (i % 2 == 0) {
				for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
					bytes[random.nextInt(bytes.length)] = (byte) random.nextInt();
				}
			}
			else {
				random.nextBytes(bytes);
			}
			try {
				codec.decode(bytes);
			}
			catch (CodecException ex) {
				// expected for most of them
			}
		}
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> codec.decode(new byte[0]));
	}

	record Book(long id, String title) implements Serializable {
	}

}
