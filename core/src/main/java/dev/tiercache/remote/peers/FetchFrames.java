package dev.tiercache.remote.peers;

/**
 * The framing of the fetch transport ({@link FetchServer}, {@link FetchConnection}): each
 * frame is a big-endian {@code int} length (of what follows), an {@code int} request id
 * that the answer repeats, and an encoded {@link PeerMessage}. A length below
 * {@link #ID_SIZE} or above {@link #MAX_LENGTH} is not a frame of ours, and the
 * connection that carries it is closed.
 *
 * @author tiercache
 */
final class FetchFrames {

	/** Bytes of the length and the request id. */
	static final int HEADER_SIZE = 8;

	/** Bytes of the request id. */
	static final int ID_SIZE = 4;

	/** The largest length a frame may declare: the largest peer message and its id. */
	static final int MAX_LENGTH = PeerMessage.MAX_SIZE + ID_SIZE;

	/**
	 * What a connection's buffer starts with, and shrinks back to after a large value.
	 */
	static final int BUFFER_SIZE = 16 * 1024;

	private FetchFrames() {
	}

	static boolean isValidLength(int length) {
		return length >= ID_SIZE && length <= MAX_LENGTH;
	}

}
