package dev.tiercache.remote.peers;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import dev.tiercache.codec.CodecException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link PeerMessage}: the wire layout of version 1, written field by field as
 * {@code DataOutputStream} writes it, and the refusal of whatever is malformed.
 *
 * @author tiercache
 */
class PeerMessageTests {

	private static final byte[] KEY = { 1, 2, 3 };

	private static final byte[] VALUE = new byte[1100];

	@Test
	void encodesTheLayoutThatVersionOnePeersRead() throws IOException {
		for (String cache : new String[] { "books", "", "bücher", "本", "nul\0" }) {
			PeerMessage message = PeerMessage.of(Type.FETCH_OR_LEASE, cache, KEY).withValue(VALUE, 42).withToken(7);
			assertThat(message.encode()).as(cache).isEqualTo(reference(message));
		}
	}

	@Test
	void decodesWhatItEncodes() {
		PeerMessage message = PeerMessage.of(Type.PUT, "bücher", KEY).withValue(VALUE, 42).withToken(7);
		byte[] padded = new byte[message.encode().length + 10];
		System.arraycopy(message.encode(), 0, padded, 5, padded.length - 10);
		PeerMessage decoded = PeerMessage.decode(padded, 5, padded.length - 10);
		assertThat(decoded.type()).isEqualTo(Type.PUT);
		assertThat(decoded.cache()).isEqualTo("bücher");
		assertThat(decoded.key()).isEqualTo(KEY);
		assertThat(decoded.value()).isEqualTo(VALUE);
		assertThat(decoded.ttlNanos()).isEqualTo(42);
		assertThat(decoded.token()).isEqualTo(7);
	}

	@Test
	void refusesMalformedMessages() throws IOException {
		byte[] good = PeerMessage.of(Type.FETCH, "books", KEY).encode();
		assertRefused(Arrays.copyOf(good, good.length - 1), "truncated");
		assertRefused(Arrays.copyOf(good, good.length + 1), "trailing");
		assertRefused(new byte[0], "truncated");
		byte[] version = good.clone();
		version[1] = 2;
		assertRefused(version, "version");
		byte[] type = good.clone();
		type[2] = (byte) Type.values().length;
		assertRefused(type, "unknown type");
		byte[] keyLength = good.clone();
		keyLength[3 + 2 + 5] = (byte) 0x80;
		assertRefused(keyLength, "field length");
		byte[] nameLength = good.clone();
		nameLength[4] = (byte) 0xFF;
		assertRefused(nameLength, "truncated");
		byte[] badName = good.clone();
		badName[5] = (byte) 0xC3;
		badName[6] = (byte) 0x41;
		assertRefused(badName, "truncated");
		assertThatExceptionOfType(CodecException.class)
			.isThrownBy(() -> PeerMessage.decode(good, 0, PeerMessage.MAX_SIZE + 1))
			.withMessageContaining("more than");
	}

	private static void assertRefused(byte[] bytes, String why) {
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> PeerMessage.decode(bytes, 0, bytes.length))
			.withMessageContaining(why);
	}

	/** Version 1 as it was first written, with a {@code DataOutputStream}. */
	private static byte[] reference(PeerMessage message) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(0x7D);
			out.writeByte(1);
			out.writeByte(message.type().ordinal());
			out.writeUTF(message.cache());
			out.writeInt(message.key().length);
			out.write(message.key());
			out.writeInt(message.value().length);
			out.write(message.value());
			out.writeLong(message.ttlNanos());
			out.writeLong(message.token());
		}
		return bytes.toByteArray();
	}

}
