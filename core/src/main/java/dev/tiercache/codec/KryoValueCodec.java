package dev.tiercache.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import com.esotericsoftware.kryo.util.Pool;
import org.jspecify.annotations.Nullable;
import org.objenesis.strategy.StdInstantiatorStrategy;

import org.springframework.cache.interceptor.SimpleKey;

/**
 * A compact binary codec on Kryo 5, with the Java codec's rules: classes are resolved by
 * name through an {@link AllowList} ({@link AllowListClassResolver}) on both sides, a
 * declared length the payload cannot hold is refused before it is allocated
 * ({@link BoundedInput}, {@link BoundedSerializers}), objects nest at most
 * {@value #MAX_DEPTH} deep (references make a small payload a large graph, as with Java
 * serialization, so depth bounds the work of hashing it), and payloads are at most
 * {@link PayloadFilter#MAX_BYTES} long.
 *
 * <p>
 * The JDK's usual collections are registered with fixed ids, so they cost a byte rather
 * than their name; every other class is written by name on first use in a payload. Values
 * need neither {@code Serializable} nor a default constructor; shared references and
 * cycles are kept.
 *
 * @author tiercache
 */
final class KryoValueCodec implements ValueCodec {

	/**
	 * How deep Kryo reads and writes objects; Kryo counts every object it enters, much as
	 * Java serialization's depth does.
	 */
	static final int MAX_DEPTH = PayloadFilter.MAX_DEPTH;

	/** The JDK classes registered with fixed ids, in an order every node shares. */
	private static final Class<?>[] REGISTERED = { ArrayList.class, HashMap.class, LinkedHashMap.class, HashSet.class,
			LinkedHashSet.class, TreeMap.class, TreeSet.class, Object[].class };

	private final Pool<Kryo> pool;

	KryoValueCodec(AllowList allowList, @Nullable ClassLoader classLoader) {
		this.pool = new Pool<>(true, false, 32) {

			@Override
			protected Kryo create() {
				return newKryo(allowList, classLoader);
			}

		};
	}

	private static Kryo newKryo(AllowList allowList, @Nullable ClassLoader classLoader) {
		Kryo kryo = new Kryo(new AllowListClassResolver(allowList), new MapReferenceResolver());
		kryo.setRegistrationRequired(false);
		kryo.setReferences(true);
		kryo.setMaxDepth(MAX_DEPTH);
		kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
		if (classLoader != null) {
			kryo.setClassLoader(classLoader);
		}
		BoundedSerializers.register(kryo);
		for (Class<?> type : REGISTERED) {
			kryo.register(type);
		}
		kryo.register(SimpleKey.class, new SimpleKeySerializer());
		return kryo;
	}

	@Override
	public byte[] encode(@Nullable Object value) {
		Kryo kryo = this.pool.obtain();
		try (Output output = new Output(256, PayloadFilter.MAX_BYTES)) {
			kryo.writeClassAndObject(output, value);
			return output.toBytes();
		}
		catch (CodecException | KryoException | StackOverflowError ex) {
			CodecException refusal = CodecException.find(ex);
			String reason = (refusal != null) ? refusal.getMessage() : describe(ex);
			throw new CodecException("Cannot cache " + describe(value) + " remotely with Kryo: " + reason, ex);
		}
		catch (RuntimeException ex) {
			throw new CodecException("Cannot serialize " + describe(value) + " with Kryo: " + ex, ex);
		}
		finally {
			this.pool.free(kryo);
		}
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		if (bytes.length > PayloadFilter.MAX_BYTES) {
			throw new CodecException(
					"Refused a payload of " + bytes.length + " bytes, more than " + PayloadFilter.MAX_BYTES);
		}
		Kryo kryo = this.pool.obtain();
		try {
			BoundedInput input = new BoundedInput(bytes);
			Object value = kryo.readClassAndObject(input);
			if (input.position() != bytes.length) {
				throw new CodecException("it has " + (bytes.length - input.position()) + " trailing bytes");
			}
			return value;
		}
		catch (RuntimeException | StackOverflowError | LinkageError ex) {
			CodecException refusal = CodecException.find(ex);
			if (refusal != null) {
				throw new CodecException("Refused a payload of " + bytes.length + " bytes: " + refusal.getMessage(),
						ex);
			}
			throw new CodecException("Cannot read a Kryo payload of " + bytes.length + " bytes: " + describe(ex), ex);
		}
		finally {
			// A failed read can leave references and class names behind.
			kryo.reset();
			this.pool.free(kryo);
		}
	}

	private static String describe(Throwable failure) {
		String message = failure.getMessage();
		if (message != null && message.startsWith("Max depth exceeded")) {
			return "it holds objects nested deeper than " + MAX_DEPTH + " levels";
		}
		if (message != null && message.startsWith("Buffer overflow")) {
			return "it is longer than " + PayloadFilter.MAX_BYTES + " bytes";
		}
		return failure.toString();
	}

	private static String describe(@Nullable Object value) {
		return "a value of class " + ((value != null) ? value.getClass().getName() : "null");
	}

}
