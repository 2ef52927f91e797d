package dev.tiercache.codec;

import com.esotericsoftware.kryo.io.Input;

/**
 * Kryo's input, refusing a declared length that the rest of the payload cannot hold
 * before anything of that length is allocated: every element takes at least one byte, so
 * a 30-byte payload can no longer ask for a 2 GiB array or string.
 *
 * @author tiercache
 */
final class BoundedInput extends Input {

	BoundedInput(byte[] bytes) {
		super(bytes);
	}

	/**
	 * Refuse {@code length} elements of at least {@code bytesPerElement} bytes each if
	 * the payload has fewer bytes left.
	 * @param length the declared number of elements
	 * @param bytesPerElement the fewest bytes one element takes
	 * @throws CodecException if the payload is too short for them
	 */
	void requireAvailable(long length, int bytesPerElement) {
		long remaining = (long) this.limit - this.position;
		if (length < 0 || length * bytesPerElement > remaining) {
			throw new CodecException("it declares " + length + " elements, more than the " + remaining
					+ " bytes left in the payload can hold");
		}
	}

	/**
	 * Peek at the length that a Kryo length prefix (a variable-length int, 0 for
	 * {@code null}, else the length plus one) declares, without consuming it.
	 * @return the declared length, or {@code 0} for {@code null}
	 */
	int peekLength() {
		int start = this.position;
		int length = readVarInt(true);
		this.position = start;
		return Math.max(length - 1, 0);
	}

	@Override
	public String readString() {
		if (readVarIntFlag()) {
			int start = this.position;
			int length = readVarIntFlag(true);
			this.position = start;
			requireAvailable(length - 1L, 1);
		}
		return super.readString();
	}

	@Override
	public StringBuilder readStringBuilder() {
		if (readVarIntFlag()) {
			int start = this.position;
			int length = readVarIntFlag(true);
			this.position = start;
			requireAvailable(length - 1L, 1);
		}
		return super.readStringBuilder();
	}

	@Override
	public byte[] readBytes(int length) {
		requireAvailable(length, 1);
		return super.readBytes(length);
	}

	@Override
	public int[] readInts(int length) {
		requireAvailable(length, 4);
		return super.readInts(length);
	}

	@Override
	public int[] readInts(int length, boolean optimizePositive) {
		requireAvailable(length, 1);
		return super.readInts(length, optimizePositive);
	}

	@Override
	public long[] readLongs(int length) {
		requireAvailable(length, 8);
		return super.readLongs(length);
	}

	@Override
	public long[] readLongs(int length, boolean optimizePositive) {
		requireAvailable(length, 1);
		return super.readLongs(length, optimizePositive);
	}

	@Override
	public float[] readFloats(int length) {
		requireAvailable(length, 4);
		return super.readFloats(length);
	}

	@Override
	public double[] readDoubles(int length) {
		requireAvailable(length, 8);
		return super.readDoubles(length);
	}

	@Override
	public short[] readShorts(int length) {
		requireAvailable(length, 2);
		return super.readShorts(length);
	}

	@Override
	public char[] readChars(int length) {
		requireAvailable(length, 2);
		return super.readChars(length);
	}

	@Override
	public boolean[] readBooleans(int length) {
		requireAvailable(length, 1);
		return super.readBooleans(length);
	}

}
