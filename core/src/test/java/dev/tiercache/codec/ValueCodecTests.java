package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;

import org.junit.jupiter.api.Test;
import other.hostile.Gadget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The codec both remote tiers share: round trips, the compact forms of the usual keys,
 * and refusals.
 */
class ValueCodecTests {

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of("dev.tiercache")));

	record Book(long id, String title) implements Serializable {
	}

	@Test
	void valuesRoundTrip() {
		for (Object value : new Object[] { "", "book-1", "Dürrenmatt 🐘", 42L, Long.MIN_VALUE, 7, -1,
				new Book(1, "Dune"), List.of("a", "b"), 3.5, true }) {
			assertThat(this.codec.decode(this.codec.encode(value))).isEqualTo(value);
		}
		assertThat(this.codec.decode(this.codec.encode(null))).isNull();
		assertThat((byte[]) this.codec.decode(this.codec.encode(new byte[] { 1, 2 }))).containsExactly(1, 2);
	}

	@Test
	void usualKeysSkipJavaSerialization() {
		assertThat(this.codec.encode("book-1")).hasSize(7);
		assertThat(this.codec.encode(42L)).hasSize(9);
		assertThat(this.codec.encode(42)).hasSize(5);
		assertThat(this.codec.decode(this.codec.encode(42L))).isInstanceOf(Long.class);
		assertThat(this.codec.decode(this.codec.encode(42))).isInstanceOf(Integer.class);
	}

	@Test
	void javaSerializedStringsAndNumbersStillDecode() throws IOException {
		assertThat(this.codec.decode(javaSerialize("book-1"))).isEqualTo("book-1");
		assertThat(this.codec.decode(javaSerialize(42L))).isEqualTo(42L);
	}

	@Test
	void classOutsideTheAllowListIsRefusedWithoutBeingInstantiated() throws IOException {
		byte[] payload = javaSerialize(new Gadget());
		Gadget.triggered.set(false);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(payload))
			.withMessageContaining("other.hostile.Gadget")
			.withMessageContaining("tiercache.serialization.allowed-packages");
		assertThat(Gadget.triggered).isFalse();
	}

	@Test
	void malformedBytesFailWithACodecException() {
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(new byte[] { 2, 1 }))
			.withMessageContaining("2 bytes");
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(new byte[0]));
	}

	@Test
	void unserializableValueFailsNamingItsClass() {
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(new Object()))
			.withMessageContaining("java.lang.Object")
			.withMessageContaining("Serializable");
	}

	private static byte[] javaSerialize(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

}
