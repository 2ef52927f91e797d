package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import other.hostile.Gadget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Payloads a hostile sender could craft: each must fail with a {@link CodecException}
 * before it costs the receiving node more than the bytes it sent, and without loading a
 * class the allow-list refuses.
 */
class HostilePayloadTests {

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of("dev.tiercache")));

	@Test
	void aRefusedClassIsNeverLoaded() throws IOException {
		byte[] payload = javaSerialize(new Gadget());
		RecordingClassLoader loader = new RecordingClassLoader();
		ClassLoader previous = Thread.currentThread().getContextClassLoader();
		Thread.currentThread().setContextClassLoader(loader);
		try {
			assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
				.withMessageContaining("other.hostile.Gadget");
		}
		finally {
			Thread.currentThread().setContextClassLoader(previous);
		}
		assertThat(loader.requested).doesNotContain("other.hostile.Gadget");
	}

	@Test
	void aClassThatDoesNotExistIsRefusedByNameNotLookedUp() throws IOException {
		byte[] payload = rename(javaSerialize(new Gadget()), "other.hostile.Gadget", "other.hostile.Absent");
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining("other.hostile.Absent")
			.withMessageContaining("allow-list")
			.withMessageNotContaining("ClassNotFoundException");
	}

	@Test
	void classesResolveWithTheGivenClassLoaderRatherThanTheThreadContextOne() throws IOException {
		RecordingClassLoader given = new RecordingClassLoader();
		RecordingClassLoader context = new RecordingClassLoader();
		ValueCodec codec = ValueCodec.java(AllowList.of(List.of("dev.tiercache")), given);
		byte[] payload = codec.encode(new Book(1, "Dune"));
		ClassLoader previous = Thread.currentThread().getContextClassLoader();
		Thread.currentThread().setContextClassLoader(context);
		try {
			assertThat(codec.decode(payload)).isEqualTo(new Book(1, "Dune"));
		}
		finally {
			Thread.currentThread().setContextClassLoader(previous);
		}
		assertThat(given.requested).contains(Book.class.getName());
		assertThat(context.requested).isEmpty();
	}

	@Test
	void aTinyPayloadCannotDemandAHugeArray() throws IOException {
		byte[] payload = javaSerialize(new long[0]);
		// The array's length is the stream's last four bytes: claim 2^31 - 9 longs (16
		// GiB).
		ByteBuffer.wrap(payload).putInt(payload.length - 4, Integer.MAX_VALUE - 8);
		assertThat(payload).hasSizeLessThan(100);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining("array of " + (Integer.MAX_VALUE - 8));
	}

	@ParameterizedTest
	@ValueSource(ints = { 100, 30 })
	@Timeout(value = 10, threadMode = ThreadMode.SEPARATE_THREAD)
	void nestedHashSetsFailFast(int levels) throws IOException {
		// Each level holds two sets that both hold the two sets of the next level, so
		// hashing the root on read visits 2^levels sets, from a payload of a few KiB.
		Set<Object> root = new HashSet<>();
		Set<Object> left = root;
		Set<Object> right = new HashSet<>();
		for (int i = 0; i < levels; i++) {
			Set<Object> nextLeft = new HashSet<>();
			Set<Object> nextRight = new HashSet<>();
			nextLeft.add("x");
			left.add(nextLeft);
			left.add(nextRight);
			right.add(nextLeft);
			right.add(nextRight);
			left = nextLeft;
			right = nextRight;
		}
		byte[] payload = javaSerialize(root);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining("nested deeper than");
	}

	@Test
	void aPayloadLargerThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
		byte[] payload = javaSerialize(new byte[PayloadFilter.MAX_BYTES]);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining(payload.length + " bytes")
			.withMessageContaining("more than " + PayloadFilter.MAX_BYTES);
	}

	@Test
	void aDynamicProxyIsRefusedEvenWhenItsInterfaceAndHandlerAreAllowed() throws IOException {
		// A proxy of a package-private interface is defined in that interface's package,
		// so its class name alone would pass the allow-list.
		Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Hidden.class },
				new Handler());
		assertThat(proxy.getClass().getName()).startsWith("dev.tiercache.codec.");
		byte[] payload = javaSerialize(proxy);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining("dynamic proxy")
			.withMessageContaining(Hidden.class.getName());
	}

	interface Hidden {

		String secret();

	}

	static final class Handler implements InvocationHandler, java.io.Serializable {

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) {
			return "handled";
		}

	}

	record Book(long id, String title) implements java.io.Serializable {
	}

	static byte[] javaSerialize(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	/**
	 * Replace a class name in a serialized stream by another of the same length, so the
	 * stream stays well formed.
	 */
	static byte[] rename(byte[] payload, String from, String to) {
		byte[] source = from.getBytes(StandardCharsets.UTF_8);
		byte[] target = to.getBytes(StandardCharsets.UTF_8);
		assertThat(target).hasSameSizeAs(source);
		byte[] renamed = payload.clone();
		for (int i = 0; i + source.length <= renamed.length; i++) {
			boolean match = true;
			for (int j = 0; j < source.length && match; j++) {
				match = renamed[i + j] == source[j];
			}
			if (match) {
				System.arraycopy(target, 0, renamed, i, target.length);
			}
		}
		return renamed;
	}

	/**
	 * Delegates to the test's class loader and remembers every class it was asked for.
	 */
	static final class RecordingClassLoader extends ClassLoader {

		final Set<String> requested = ConcurrentHashMap.newKeySet();

		RecordingClassLoader() {
			super(HostilePayloadTests.class.getClassLoader());
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			this.requested.add(name);
			return super.loadClass(name, resolve);
		}

	}

}
