package dev.tiercache.codec;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * LZ4 around another codec: large values shrink, small ones pay one byte, and a hostile
 * header cannot make a reader allocate what the payload cannot hold.
 */
class Lz4CompressingCodecTests {

	private final ValueCodec plain = ValueCodec.java(AllowList.of(List.of("dev.tiercache")));

	private final ValueCodec codec = ValueCodec.lz4(this.plain, 1024);

	@Test
	void aLargeCompressibleValueIsCompressed() {
		String value = "tiercache ".repeat(2000);
		byte[] bytes = this.codec.encode(value);
		assertThat(bytes[0]).isEqualTo(Lz4CompressingCodec.LZ4);
		assertThat(bytes.length).isLessThan(this.plain.encode(value).length / 10);
		assertThat(this.codec.decode(bytes)).isEqualTo(value);
	}

	@Test
	void aValueBelowTheThresholdCostsOneByte() {
		byte[] bytes = this.codec.encode("short");
		assertThat(bytes[0]).isEqualTo(Lz4CompressingCodec.PLAIN);
		assertThat(bytes).hasSize(this.plain.encode("short").length + 1);
		assertThat(this.codec.decode(bytes)).isEqualTo("short");
	}

	@Test
	void aCompressedPayloadDeclaringMoreThanItCanHoldIsRefusedUnread() {
		byte[] hostile = { Lz4CompressingCodec.LZ4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0 };
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(hostile))
			.withMessageContaining("declares 2147483647 bytes uncompressed");
	}

	@Test
	void aMalformedBlockFailsWithACodecException() {
		byte[] bytes = this.codec.encode("tiercache ".repeat(2000));
		for (int i = 5; i < bytes.length; i++) {
			bytes[i] = (byte) 0xff;
		}
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(bytes));
	}

	@Test
	void aPayloadWithoutTheHeaderNamesTheSettingToCheck() {
		byte[] uncompressed = this.plain.encode(42L);
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(uncompressed))
			.withMessageContaining("tiercache.serialization.compression");
	}

}
