package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
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
