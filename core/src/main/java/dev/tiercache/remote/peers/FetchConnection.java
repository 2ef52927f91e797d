package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
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
 * another writing leaves its request to that one and waits for its answer. So under load
 * one write, and one read on the owner's side, carry many requests, and no thread is
 * woken to write. A writer hands the turn on after a few writes, so none writes for
 * long.</li>
 * <li>A reader thread of the connection's own reads the answers and wakes each caller,
 * who waits parked until its answer comes, the connection breaks, or its time is up; a
 * late answer is dropped when it comes.</li>
 * </ul>
 * A write has no timeout of its own: its deadline (the writer's own timeout from when it
 * began) is published here, and the endpoint's watchdog closes a connection whose write
 * is late ({@link #expireIfLate}).
 *
 * @author tiercache
 */
final class FetchConnection implements Closeable {

	/** Requests written together at most. */
	private static final int MAX_GATHER = 64;

	/**
	 * Writes a caller makes for the others before it hands the turn to the caller whose
	 * request is next, so that under steady load no caller writes for long.
	 */
	static final int MAX_TURNS = 4;

	/**
	 * A socket rather than a channel: a thread interrupted while it writes on a channel
	 * closes the channel, which the other callers use too.
	 */
	private final Socket socket;

	private final InputStream input;

	private final OutputStream output;

	private final Map<Integer, Call> calls = new ConcurrentHashMap<>();

	private final AtomicInteger lastId = new AtomicInteger();

	private final Queue<Call> queued = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean writing = new AtomicBoolean();

	/** Where the writer puts the frames it writes together; only the writer uses them. */
	private final byte[] gather = new byte[FetchFrames.BUFFER_SIZE];

	private final Call[] taken = new Call[MAX_GATHER];

	/** When the write in progress is late, in {@code System.nanoTime()}; 0 if none. */
	private volatile long writeDeadline;

	/** Only the reader thread uses it. */
	private ByteBuffer in = ByteBuffer.allocate(FetchFrames.BUFFER_SIZE);

	private volatile @Nullable Exception broken;

	private FetchConnection(Socket socket) throws IOException {
		this.socket = socket;
		this.input = socket.getInputStream();
		this.output = socket.getOutputStream();
	}

	/**
	 * Connect to {@code endpoint} and start the thread that reads the answers.
	 */
	static FetchConnection open(InetAddress bindAddress, InetSocketAddress endpoint, int connectTimeoutMillis,
			String owner) throws IOException {
		Socket socket = new Socket();
		FetchConnection connection;
		try {
			socket.setTcpNoDelay(true);
			socket.bind(new InetSocketAddress(bindAddress, 0));
			socket.connect(endpoint, connectTimeoutMillis);
			connection = new FetchConnection(socket);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
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
		long timeoutNanos = Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
		long deadline = System.nanoTime() + timeoutNanos;
		if (Thread.currentThread().isInterrupted()) {
			// It would not wait for the answer anyway.
			throw new InterruptedIOException("Interrupted before sending a fetch");
		}
		throwIfBroken();
		int id = this.lastId.incrementAndGet();
		Call call = new Call(Thread.currentThread(), frame(id, request));
		this.calls.put(id, call);
		try {
			this.queued.add(call);
			writeQueued(timeoutNanos);
			return await(call, deadline, timeoutNanos, timeoutMillis);
		}
		finally {
			call.done = true;
			this.calls.remove(id);
			if (call.heir && !this.queued.isEmpty()) {
				// Handed the turn as its answer came: it writes before it leaves.
				writeQueuedQuietly(timeoutNanos);
			}
		}
	}

	private static byte[] frame(int id, PeerMessage request) {
		int size = request.size();
		ByteBuffer frame = ByteBuffer.allocate(FetchFrames.HEADER_SIZE + size)
			.putInt(FetchFrames.ID_SIZE + size)
			.putInt(id);
		request.writeTo(frame);
		return frame.array();
	}

	/**
	 * Write what is queued unless another caller is writing, who then writes it: the
	 * writer takes what is queued, writes it, and looks again after giving up the turn,
	 * so a request queued while it wrote is not left behind. After {@value #MAX_TURNS}
	 * writes it hands the turn to the first caller still waiting whose request is queued,
	 * and goes on itself if that one left meanwhile.
	 */
	private void writeQueued(long timeoutNanos) throws IOException {
		int turns = 0;
		while (!this.queued.isEmpty() && this.writing.compareAndSet(false, true)) {
			Call heir = null;
			try {
				if (turns++ >= MAX_TURNS) {
					heir = firstWaiting();
				}
				if (heir == null) {
					int count = 0;
					Call next;
					while (count < MAX_GATHER && (next = this.queued.poll()) != null) {
						if (!next.done) {
							this.taken[count++] = next;
						}
					}
					// A write has the caller's own time, whoever's requests it carries.
					this.writeDeadline = System.nanoTime() + timeoutNanos;
					write(count);
				}
			}
			catch (IOException ex) {
				throw fail(ex);
			}
			finally {
				Arrays.fill(this.taken, null);
				this.writeDeadline = 0;
				this.writing.set(false);
			}
			if (heir != null) {
				// Woken once the turn is free: it writes from its wait, or as it leaves.
				heir.heir = true;
				LockSupport.unpark(heir.thread);
				if (!heir.done) {
					return;
				}
				// It left, maybe before the turn was free: this caller goes on.
			}
		}
	}

	/**
	 * The first caller still waiting whose request is queued, to hand the turn to.
	 */
	private @Nullable Call firstWaiting() {
		for (Call queued : this.queued) {
			if (!queued.done) {
				return queued;
			}
		}
		return null;
	}

	private void writeQueuedQuietly(long timeoutNanos) {
		try {
			writeQueued(timeoutNanos);
		}
		catch (IOException ex) {
			// Failed the connection, which its callers see.
		}
	}

	/**
	 * Write the frames of the first {@code count} calls taken, the small ones copied
	 * together.
	 */
	private void write(int count) throws IOException {
		byte[] gather = this.gather;
		int used = 0;
		for (int i = 0; i < count; i++) {
			byte[] frame = this.taken[i].frame;
			if (used + frame.length > gather.length && used > 0) {
				this.output.write(gather, 0, used);
				used = 0;
			}
			if (frame.length > gather.length) {
				this.output.write(frame);
			}
			else {
				System.arraycopy(frame, 0, gather, used, frame.length);
				used += frame.length;
			}
		}
		if (used > 0) {
			this.output.write(gather, 0, used);
		}
	}

	private PeerMessage await(Call call, long deadline, long timeoutNanos, long timeoutMillis) throws IOException {
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
			// The writer may have handed this caller the turn.
			writeQueued(timeoutNanos);
			if (call.answer == null) {
				LockSupport.parkNanos(this, left);
			}
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
				ByteBuffer in = this.in;
				int read = this.input.read(in.array(), in.position(), in.remaining());
				if (read < 0) {
					throw new EOFException("The owner closed the fetch connection");
				}
				in.position(in.position() + read);
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
		return this.broken == null && !this.socket.isClosed();
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// Closed anyway.
		}
	}

	private static final class Call {

		final Thread thread;

		final byte[] frame;

		volatile @Nullable PeerMessage answer;

		/** Set when the caller no longer waits: its request need not be written. */
		volatile boolean done;

		/** Set when a writer handed this caller the turn. */
		volatile boolean heir;

		Call(Thread thread, byte[] frame) {
			this.thread = thread;
			this.frame = frame;
		}

	}

}
