package dev.tiercache.codec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.SerializerFactory;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ObjectArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.StringArraySerializer;
import com.esotericsoftware.kryo.serializers.MapSerializer;

/**
 * Kryo's serializers of collections, maps and object arrays, refusing a declared size
 * that the rest of the payload cannot hold before the collection, map or array of that
 * size is allocated (see {@link BoundedInput}).
 *
 * @author tiercache
 */
final class BoundedSerializers {

	private BoundedSerializers() {
	}

	/**
	 * Use the bounded serializers in {@code kryo} instead of its own.
	 * @param kryo the instance to configure
	 */
	static void register(Kryo kryo) {
		kryo.addDefaultSerializer(Collection.class, factory((k, type) -> new BoundedCollectionSerializer()));
		kryo.addDefaultSerializer(Map.class, factory((k, type) -> new BoundedMapSerializer()));
		kryo.addDefaultSerializer(String[].class, factory((k, type) -> new BoundedStringArraySerializer()));
		kryo.addDefaultSerializer(Object[].class, factory(BoundedObjectArraySerializer::new));
	}

	@SuppressWarnings("rawtypes")
	private static SerializerFactory<Serializer> factory(BiFunction<Kryo, Class, Serializer> create) {
		return new SerializerFactory.BaseSerializerFactory<>() {

			@Override
			public Serializer newSerializer(Kryo kryo, Class type) {
				return create.apply(kryo, type);
			}

		};
	}

	private static void requireAvailable(Input input, int length) {
		((BoundedInput) input).requireAvailable(length, 1);
	}

	private static void requireAvailablePrefixed(Input input) {
		BoundedInput bounded = (BoundedInput) input;
		bounded.requireAvailable(bounded.peekLength(), 1);
	}

	/**
	 * Return whether {@code type} is one of the JDK's immutable or wrapping collections
	 * ({@code List.of}, {@code Collections.unmodifiableList}, {@code Arrays.asList} and
	 * the like), which cannot be created empty and filled: they are read into a plain
	 * collection and returned unmodifiable.
	 */
	private static boolean isJdkView(Class<?> type) {
		String name = type.getName();
		return name.startsWith("java.util.ImmutableCollections$") || name.startsWith("java.util.Collections$")
				|| name.equals("java.util.Arrays$ArrayList");
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final class BoundedCollectionSerializer extends CollectionSerializer {

		@Override
		public Collection read(Kryo kryo, Input input, Class type) {
			Collection collection = super.read(kryo, input, type);
			if (collection == null || !isJdkView(type)) {
				return collection;
			}
			return (collection instanceof List list) ? Collections.unmodifiableList(list)
					: Collections.unmodifiableSet((Set) collection);
		}

		@Override
		protected Collection create(Kryo kryo, Input input, Class type, int size) {
			requireAvailable(input, size);
			if (isJdkView(type)) {
				return List.class.isAssignableFrom(type) ? new ArrayList(size) : new LinkedHashSet(size);
			}
			return super.create(kryo, input, type, size);
		}

	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final class BoundedMapSerializer extends MapSerializer {

		@Override
		public Map read(Kryo kryo, Input input, Class type) {
			Map map = super.read(kryo, input, type);
			return (map != null && isJdkView(type)) ? Collections.unmodifiableMap(map) : map;
		}

		@Override
		protected Map create(Kryo kryo, Input input, Class type, int size) {
			requireAvailable(input, size);
			return isJdkView(type) ? new LinkedHashMap(size) : super.create(kryo, input, type, size);
		}

	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final class BoundedStringArraySerializer extends StringArraySerializer {

		@Override
		public String[] read(Kryo kryo, Input input, Class type) {
			requireAvailablePrefixed(input);
			return super.read(kryo, input, type);
		}

	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static final class BoundedObjectArraySerializer extends ObjectArraySerializer {

		BoundedObjectArraySerializer(Kryo kryo, Class type) {
			super(kryo, type);
		}

		@Override
		public Object[] read(Kryo kryo, Input input, Class type) {
			requireAvailablePrefixed(input);
			return super.read(kryo, input, type);
		}

	}

}
