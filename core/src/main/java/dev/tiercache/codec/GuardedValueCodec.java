package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

/**
 * The application's own {@link ValueCodec}, held to the contract every codec of tiercache
 * keeps: whatever it throws reaches tiercache as a {@link CodecException}, which degrades
 * the operation to this node's tier and is counted, and never fails the caller's request.
 *
 * @author tiercache
 */
final class GuardedValueCodec implements ValueCodec {

	private final ValueCodec codec;

	GuardedValueCodec(ValueCodec codec) {
		this.codec = codec;
	}

	@Override
	public byte[] encode(@Nullable Object value) {
		try {
			return this.codec.encode(value);
		}
		catch (CodecException ex) {
			throw ex;
		}
		catch (RuntimeException | StackOverflowError ex) {
			throw new CodecException("The application's " + name() + " cannot encode a value of class "
					+ ((value != null) ? value.getClass().getName() : "null") + ": " + ex, ex);
		}
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		try {
			return this.codec.decode(bytes);
		}
		catch (CodecException ex) {
			throw ex;
		}
		catch (RuntimeException | StackOverflowError | LinkageError ex) {
			throw new CodecException(
					"The application's " + name() + " cannot decode a payload of " + bytes.length + " bytes: " + ex,
					ex);
		}
	}

	private String name() {
		return "ValueCodec " + this.codec.getClass().getName();
	}

}
