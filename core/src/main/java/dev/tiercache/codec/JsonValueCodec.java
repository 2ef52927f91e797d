package dev.tiercache.codec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.TypeFactory;

import org.springframework.cache.interceptor.SimpleKey;

/**
 * JSON on Jackson 3, with the application's own {@link JsonMapper} (Spring Boot's, with
 * its modules and settings) and type information restricted to an {@link AllowList}:
 * every value in a position whose declared type is not final carries its class name
 * ({@link AllowListTypeResolverBuilder}), which a reader checks by name before it loads
 * the class, and a writer checks before it writes. JSON has no back-references, so a
 * payload's size bounds the work of reading it; payloads over
 * {@link PayloadFilter#MAX_BYTES} are refused unread, and nesting is bounded by Jackson's
 * stream read constraints.
 *
 * <p>
 * Values must be readable by Jackson: records, beans with a default constructor, or
 * classes whose constructor parameters Jackson can see. Object graphs with cycles cannot
 * be written (cache a DTO, or use the Java or Kryo codec).
 *
 * @author tiercache
 */
final class JsonValueCodec implements ValueCodec {

	private final ObjectWriter writer;

	private final ObjectReader reader;

	JsonValueCodec(JsonMapper mapper, AllowList allowList, @Nullable ClassLoader classLoader) {
		TypeFactory types = mapper.getTypeFactory();
		if (classLoader != null) {
			types = types.withClassLoader(classLoader);
		}
		JsonMapper typed = mapper.rebuild()
			.typeFactory(types)
			.setDefaultTyping(new AllowListTypeResolverBuilder(allowList))
			.addMixIn(SimpleKey.class, SimpleKeyMixin.class)
			.build();
		this.writer = typed.writerFor(Object.class);
		this.reader = typed.readerFor(Object.class);
	}

	@Override
	public byte[] encode(@Nullable Object value) {
		try {
			byte[] bytes = this.writer.writeValueAsBytes(value);
			if (bytes.length > PayloadFilter.MAX_BYTES) {
				throw new CodecException(
						"it is longer than " + PayloadFilter.MAX_BYTES + " bytes as JSON, more " + "than a node reads");
			}
			return bytes;
		}
		catch (RuntimeException | StackOverflowError ex) {
			CodecException refusal = CodecException.find(ex);
			String reason = (refusal != null) ? refusal.getMessage() : ex.toString();
			throw new CodecException("Cannot cache " + describe(value) + " remotely as JSON: " + reason, ex);
		}
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		if (bytes.length > PayloadFilter.MAX_BYTES) {
			throw new CodecException(
					"Refused a payload of " + bytes.length + " bytes, more than " + PayloadFilter.MAX_BYTES);
		}
		try {
			return this.reader.readValue(bytes);
		}
		catch (RuntimeException | StackOverflowError ex) {
			// Jackson's own exceptions, and IllegalArgumentException for a malformed type
			// id
			CodecException refusal = CodecException.find(ex);
			if (refusal != null) {
				throw new CodecException("Refused a payload of " + bytes.length + " bytes: " + refusal.getMessage(),
						ex);
			}
			throw new CodecException("Cannot read a JSON payload of " + bytes.length + " bytes: " + ex, ex);
		}
	}

	private static String describe(@Nullable Object value) {
		return "a value of class " + ((value != null) ? value.getClass().getName() : "null");
	}

	/**
	 * Spring's key of a method with several arguments, written as its parameters.
	 */
	abstract static class SimpleKeyMixin {

		@JsonCreator
		SimpleKeyMixin(@JsonProperty("params") Object... elements) {
		}

		@JsonProperty("params")
		private Object @Nullable [] params;

	}

}
