package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.tiercache.codec.CodecException;
import org.jspecify.annotations.Nullable;

/**
 * A member's connection to an owner's {@link FetchServer}, which all its threads share:
 * requests carry an id, and the answers come back in any order.
 * <ul>
 * <li>A caller queues its request, and if no other caller is writing, writes every
 * request queued, its own and those queued meanwhile, in one write; a caller that finds
 * another writing does not wait for it. So under load one write, and one read on the
 * owner's side, carry many requests, and no thread hands a request to another.</li>
 * <li>A reader thread of the connection's own reads the answers and wakes each caller,
 * who waits parked until its answer comes, the connection breaks, or its time is up; a
 * late answer is dropped when it comes.</li>
 * </ul>
 * A write has no timeout of its own: the request's deadline is published here, and the
 * endpoint's watchdog closes a connection whose write is late ({@link #expireIfLate}).
 *
 * @author tiercache
 */
final class FetchConnection implements Closeable {

	/** Requests written together at most. */
	private static final int MAX_GATHER = 64;

	private final SocketChannel channel;

	private final Map<Integer, Call> calls = new ConcurrentHashMap<>();

	private final AtomicInteger lastId = new AtomicInteger();

	private final Queue<ByteBuffer> queued = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean writing = new AtomicBoolean();

	/** Only the writer uses it. */
	private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];

	/** When the write in progress is late, in {@code System.nanoTime()}; 0 if none. */
	private volatile long writeDeadline;

	/** Only the reader thread uses it. */
	private ByteBuffer in = ByteBuffer.allocate(FetchFrames.BUFFER_SIZE);

	private volatile @Nullable Exception broken;

	private FetchConnection(SocketChannel channel) {
		this.channel = channel;
	}

	/**
	 * Connect to {@code endpoint} and start the thread that reads the answers.
	 */
	static FetchConnection open(InetAddress bindAddress, InetSocketAddress endpoint, int connectTimeoutMillis,
			String owner) throws IOException {
		SocketChannel channel = SocketChannel.open();
		try {
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			channel.bind(new InetSocketAddress(bindAddress, 0));
			// Connects with a timeout and leaves the channel in blocking mode.
			channel.socket().connect(endpoint, connectTimeoutMillis);
		}
		catch (IOException ex) {
			channel.close();
			throw ex;
		}
		FetchConnection connection = new FetchConnection(channel);
		Thread reader = new Thread(connection::readAnswers, "tiercache-fetch-reader-" + owner);
		reader.setDaemon(true);
		reader.start();
		return connection;
	}

	/**
	 * Send {@code request} and wait at most about {@code timeoutMillis} for its answer.
	 * @throws SocketTimeoutException if it did not come in time (the connection stays)
	 * @throws InterruptedIOException if the calling thread is interrupted (the connection
	 * stays)
	 * @throws IOException if the connection failed; the request may or may not have been
	 * served
	 * @throws CodecException if the owner sent something that is not an answer of ours
	 * (the connection is then closed)
	 */
	PeerMessage exchange(PeerMessage request, long timeoutMillis) throws IOException {
		long deadline = System.nanoTime() + Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
		if (Thread.currentThread().isInterrupted()) {
			// A channel closes when a thread blocked on it is interrupted: not this one,
			// which the others use.
			throw new InterruptedIOException("Interrupted before sending a fetch");
		}
		throwIfBroken();
		int id = this.lastId.incrementAndGet();
		Call call = new Call(Thread.currentThread());
		this.calls.put(id, call);
		try {
			this.queued.add(frame(id, request));
			writeQueued(deadline);
			return await(call, deadline, timeoutMillis);
		}
		finally {
			this.calls.remove(id);
		}
	}

	private static ByteBuffer frame(int id, PeerMessage request) {
		int size = request.size();
		ByteBuffer frame = ByteBuffer.allocate(FetchFrames.HEADER_SIZE + size)
			.putInt(FetchFrames.ID_SIZE + size)
			.putInt(id);
		request.writeTo(frame);
		return frame.flip();
	}

	/**
	 * Write what is queued unless another caller is writing, who then writes it; the
	 * check after giving up the turn sees a request queued while the writer was done
	 * looking.
	 */
	private void writeQueued(long deadline) throws IOException {
		while (!this.queued.isEmpty() && this.writing.compareAndSet(false, true)) {
			try {
				this.writeDeadline = deadline;
				int count = 0;
				ByteBuffer next;
				while (count < MAX_GATHER && (next = this.queued.poll()) != null) {
					this.gather[count++] = next;
				}
				int from = 0;
				while (from < count) {
					this.channel.write(this.gather, from, count - from);
					while (from < count && !this.gather[from].hasRemaining()) {
						this.gather[from++] = null;
					}
				}
			}
			catch (IOException ex) {
				throw fail(ex);
			}
			finally {
				Arrays.fill(this.gather, null);
				this.writeDeadline = 0;
				this.writing.set(false);
			}
		}
	}

	private PeerMessage await(Call call, long deadline, long timeoutMillis) throws IOException {
		while (true) {
			PeerMessage answer = call.answer;
			if (answer != null) {
				return answer;
			}
			throwIfBroken();
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new SocketTimeoutException("No answer within " + timeoutMillis + " ms");
			}
			if (Thread.currentThread().isInterrupted()) {
				throw new InterruptedIOException("Interrupted while waiting for a fetch answer");
			}
			LockSupport.parkNanos(this, left);
		}
	}

	private void throwIfBroken() throws IOException {
		Exception broken = this.broken;
		if (broken instanceof CodecException ex) {
			throw new CodecException(ex.getMessage(), ex);
		}
		if (broken != null) {
			throw new IOException("The fetch connection failed: " + broken, broken);
		}
	}

	/**
	 * The reader thread: hand each answer to its caller until the connection fails.
	 */
	private void readAnswers() {
		try {
			while (true) {
				if (this.channel.read(this.in) < 0) {
					throw new EOFException("The owner closed the fetch connection");
				}
				dispatch();
			}
		}
		catch (IOException | CodecException ex) {
			fail(ex);
		}
	}

	private void dispatch() {
		ByteBuffer in = this.in.flip();
		int needed = 0;
		while (in.remaining() >= FetchFrames.HEADER_SIZE) {
			int start = in.position();
			int length = in.getInt(start);
			if (!FetchFrames.isValidLength(length)) {
				throw new CodecException("The fetch answer declares " + length + " bytes");
			}
			if (in.remaining() < 4 + length) {
				needed = 4 + length;
				break;
			}
			int id = in.getInt(start + 4);
			in.position(start + 4 + length);
			Call call = this.calls.get(id);
			if (call != null) {
				// Decoded only for a caller still waiting; a late answer is dropped.
				call.answer = PeerMessage.decode(in.array(), start + FetchFrames.HEADER_SIZE,
						length - FetchFrames.ID_SIZE);
				LockSupport.unpark(call.thread);
			}
		}
		in.compact();
		if (needed > in.capacity()) {
			this.in = ByteBuffer.allocate(needed).put(in.flip());
		}
		else if (in.position() == 0 && in.capacity() > FetchFrames.BUFFER_SIZE) {
			this.in = ByteBuffer.allocate(FetchFrames.BUFFER_SIZE);
		}
	}

	/**
	 * Note the first failure, close, and wake every caller, who then fails too.
	 */
	private IOException fail(Exception failure) {
		if (this.broken == null) {
			this.broken = failure;
		}
		close();
		this.calls.values().forEach((call) -> LockSupport.unpark(call.thread));
		return (failure instanceof IOException ex) ? ex : new IOException(failure);
	}

	/**
	 * Close this connection if a write is late at {@code now}, which ends it.
	 */
	void expireIfLate(long now) {
		long deadline = this.writeDeadline;
		if (deadline != 0 && now - deadline > 0) {
			fail(new SocketTimeoutException("A fetch could not be sent in time"));
		}
	}

	/**
	 * Whether it failed because a caller was interrupted while writing, which closes a
	 * channel: no fault of the owner's.
	 */
	boolean closedByInterrupt() {
		return this.broken instanceof ClosedByInterruptException;
	}

	/**
	 * Whether a caller is writing now; for tests.
	 */
	boolean isWriting() {
		return this.writing.get();
	}

	/**
	 * Whether requests wait to be written; for tests.
	 */
	boolean hasQueued() {
		return !this.queued.isEmpty();
	}

	/**
	 * Whether this connection may still be used: open and not failed.
	 */
	boolean isOpen() {
		return this.broken == null && this.channel.isOpen();
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

	private static final class Call {

		final Thread thread;

		volatile @Nullable PeerMessage answer;

		Call(Thread thread) {
			this.thread = thread;
		}

	}

}
