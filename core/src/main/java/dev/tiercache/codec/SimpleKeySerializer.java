package dev.tiercache.codec;

import java.lang.reflect.Field;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

/**
 * Kryo's form of Spring's key of a method with several arguments: its parameters, read
 * back through its constructor. Kryo's field serializer would skip the key's transient
 * hash, which its constructor computes, and leave every decoded key with hash 0.
 *
 * @author tiercache
 */
final class SimpleKeySerializer extends Serializer<SimpleKey> {

	private static final Field PARAMS = ReflectionUtils.findField(SimpleKey.class, "params");

	static {
		ReflectionUtils.makeAccessible(PARAMS);
	}

	@Override
	public void write(Kryo kryo, Output output, SimpleKey key) {
		kryo.writeObject(output, ReflectionUtils.getField(PARAMS, key));
	}

	@Override
	public SimpleKey read(Kryo kryo, Input input, Class<? extends SimpleKey> type) {
		return new SimpleKey(kryo.readObject(input, Object[].class));
	}

}
