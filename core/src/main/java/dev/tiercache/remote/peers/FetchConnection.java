package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.CodecException;

/**
 * A caller's connection to an owner's {@link FetchServer}: one request at a time, written
 * and then read by the calling thread itself, in blocking mode, so a fetch costs this
 * side one write, one read and no other thread. Connections are pooled
 * ({@link FetchEndpoint}), one per thread fetching at once. A blocking read has no
 * timeout of its own: the request's deadline is published here, and the endpoint's
 * watchdog closes a connection whose answer is late ({@link #expireIfLate}), which ends
 * the read.
 *
 * @author tiercache
 */
final class FetchConnection implements Closeable {

	private final SocketChannel channel;

	private byte[] buffer = new byte[FetchFrames.BUFFER_SIZE];

	private int lastId;

	/** When the answer in flight is late, in {@code System.nanoTime()}; 0 when idle. */
	private volatile long deadline;

	private volatile boolean expired;

	private FetchConnection(SocketChannel channel) {
		this.channel = channel;
	}

	static FetchConnection open(InetAddress bindAddress, InetSocketAddress endpoint, int connectTimeoutMillis)
			throws IOException {
		SocketChannel channel = SocketChannel.open();
		try {
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			channel.bind(new InetSocketAddress(bindAddress, 0));
			// Connects with a timeout and leaves the channel in blocking mode.
			channel.socket().connect(endpoint, connectTimeoutMillis);
			return new FetchConnection(channel);
		}
		catch (IOException ex) {
			channel.close();
			throw ex;
		}
	}

	/**
	 * Send {@code request} and wait at most about {@code timeoutMillis} for its answer.
	 * @throws SocketTimeoutException if it did not come in time (the connection is then
	 * closed)
	 * @throws IOException if the connection failed; the request may or may not have been
	 * served
	 * @throws CodecException if the answer is not a frame of ours or not a peer message
	 */
	PeerMessage exchange(PeerMessage request, long timeoutMillis) throws IOException {
		this.deadline = System.nanoTime() + Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
		try {
			return exchange(request);
		}
		catch (IOException ex) {
			if (this.expired) {
				throw new SocketTimeoutException("No answer within " + timeoutMillis + " ms");
			}
			throw ex;
		}
		finally {
			this.deadline = 0;
		}
	}

	private PeerMessage exchange(PeerMessage request) throws IOException {
		int id = ++this.lastId;
		int size = request.size();
		int frameSize = FetchFrames.HEADER_SIZE + size;
		byte[] frame = (frameSize <= this.buffer.length) ? this.buffer : new byte[frameSize];
		ByteBuffer out = ByteBuffer.wrap(frame).putInt(FetchFrames.ID_SIZE + size).putInt(id);
		request.writeTo(out);
		out.flip();
		while (out.hasRemaining()) {
			this.channel.write(out);
		}
		int read = readAtLeast(0, FetchFrames.HEADER_SIZE);
		ByteBuffer header = ByteBuffer.wrap(this.buffer);
		int length = header.getInt(0);
		if (!FetchFrames.isValidLength(length)) {
			throw new CodecException("The fetch answer declares " + length + " bytes");
		}
		if (header.getInt(4) != id) {
			throw new CodecException("The fetch answer is for request " + header.getInt(4) + ", not " + id);
		}
		int total = 4 + length;
		if (total > this.buffer.length) {
			byte[] larger = new byte[total];
			System.arraycopy(this.buffer, 0, larger, 0, read);
			this.buffer = larger;
		}
		read = readAtLeast(read, total);
		if (read != total) {
			throw new CodecException("The owner sent " + (read - total) + " bytes after its answer");
		}
		PeerMessage reply = PeerMessage.decode(this.buffer, FetchFrames.HEADER_SIZE, length - FetchFrames.ID_SIZE);
		if (this.buffer.length > FetchFrames.BUFFER_SIZE) {
			this.buffer = new byte[FetchFrames.BUFFER_SIZE];
		}
		return reply;
	}

	private int readAtLeast(int read, int needed) throws IOException {
		ByteBuffer in = ByteBuffer.wrap(this.buffer, read, this.buffer.length - read);
		while (in.position() < needed) {
			if (this.channel.read(in) < 0) {
				throw new EOFException("The owner closed the fetch connection");
			}
		}
		return in.position();
	}

	/**
	 * Close this connection if its answer is late at {@code now}, which ends the read
	 * that waits for it.
	 */
	void expireIfLate(long now) {
		long deadline = this.deadline;
		if (deadline != 0 && now - deadline > 0) {
			this.expired = true;
			close();
		}
	}

	boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closed anyway.
		}
	}

}
