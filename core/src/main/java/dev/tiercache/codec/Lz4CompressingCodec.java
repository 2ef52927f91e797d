package dev.tiercache.codec;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.jspecify.annotations.Nullable;

/**
 * Compresses another codec's payloads with LZ4 when they are at least a threshold long.
 * Every payload starts with one byte: {@value #PLAIN} for the other codec's bytes as they
 * are, {@value #LZ4} for a four-byte original length followed by the LZ4 block. The
 * reader refuses an original length over {@link PayloadFilter#MAX_BYTES} or beyond what
 * LZ4 can expand the block to, before it allocates it, and uses LZ4's pure-Java safe
 * decompressor, which checks every offset.
 *
 * @author tiercache
 */
final class Lz4CompressingCodec implements ValueCodec {

	static final byte PLAIN = 0;

	static final byte LZ4 = 1;

	/** LZ4 cannot expand a block more than about 255 times. */
	private static final int MAX_RATIO = 255;

	private final ValueCodec codec;

	private final int threshold;

	private final LZ4Compressor compressor;

	private final LZ4SafeDecompressor decompressor;

	Lz4CompressingCodec(ValueCodec codec, int threshold) {
		this.codec = codec;
		this.threshold = threshold;
		LZ4Factory lz4 = LZ4Factory.safeInstance();
		this.compressor = lz4.fastCompressor();
		this.decompressor = lz4.safeDecompressor();
	}

	@Override
	public byte[] encode(@Nullable Object value) {
		byte[] plain = this.codec.encode(value);
		if (plain.length >= this.threshold) {
			byte[] compressed = new byte[5 + this.compressor.maxCompressedLength(plain.length)];
			int length = this.compressor.compress(plain, 0, plain.length, compressed, 5);
			if (length < plain.length) {
				compressed[0] = LZ4;
				writeInt(compressed, 1, plain.length);
				return java.util.Arrays.copyOf(compressed, 5 + length);
			}
		}
		byte[] bytes = new byte[1 + plain.length];
		bytes[0] = PLAIN;
		System.arraycopy(plain, 0, bytes, 1, plain.length);
		return bytes;
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		if (bytes.length == 0 || (bytes[0] != PLAIN && bytes[0] != LZ4) || (bytes[0] == LZ4 && bytes.length < 5)) {
			throw new CodecException("Refused a payload of " + bytes.length + " bytes: it does not start with "
					+ "tiercache's compression header; do all nodes use the same tiercache.serialization.compression?");
		}
		if (bytes[0] == PLAIN) {
			return this.codec.decode(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
		}
		int length = readInt(bytes, 1);
		long bound = Math.min(PayloadFilter.MAX_BYTES, (long) (bytes.length - 5) * MAX_RATIO + 16);
		if (length < 0 || length > bound) {
			throw new CodecException("Refused a compressed payload of " + bytes.length + " bytes: it declares " + length
					+ " bytes uncompressed, more than " + bound);
		}
		byte[] plain = new byte[length];
		try {
			int read = this.decompressor.decompress(bytes, 5, bytes.length - 5, plain, 0, length);
			if (read != length) {
				throw new CodecException("Refused a compressed payload of " + bytes.length + " bytes: it holds " + read
						+ " bytes, not the " + length + " it declares");
			}
		}
		catch (LZ4Exception ex) {
			throw new CodecException("Refused a malformed compressed payload of " + bytes.length + " bytes", ex);
		}
		return this.codec.decode(plain);
	}

	private static void writeInt(byte[] bytes, int offset, int value) {
		bytes[offset] = (byte) (value >>> 24);
		bytes[offset + 1] = (byte) (value >>> 16);
		bytes[offset + 2] = (byte) (value >>> 8);
		bytes[offset + 3] = (byte) value;
	}

	private static int readInt(byte[] bytes, int offset) {
		return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16) | ((bytes[offset + 2] & 0xFF) << 8)
				| (bytes[offset + 3] & 0xFF);
	}

}
