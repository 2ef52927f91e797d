package dev.tiercache.remote.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.Message;
import org.jgroups.blocks.Response;

/**
 * One member's connection to this member's {@link FetchServer}: it reads frames, has each
 * request served at once, and writes the answers, those to the requests of one read
 * together (the member's threads share the connection, so one read brings many under
 * load), or, for a parked request, from the thread that ends the load. An answer that
 * does not fit the socket waits here, and nothing more is read from the connection until
 * it has gone, so a peer that asks without reading cannot make this member hold answers
 * without end. A frame that is not ours closes the connection; the peer's requests on it
 * fail over to JGroups and its other connections go on.
 *
 * @author tiercache
 */
final class FetchServerConnection {

	private static final Log logger = LogFactory.getLog(FetchServerConnection.class);

	/** Bytes of answers collected after which they are written at once. */
	static final int MAX_BATCH_BYTES = 256 * 1024;

	private final SocketChannel channel;

	private final SelectionKey key;

	private final RequestServer handler;

	private final Thread loop;

	/** What has been read and not yet served; only the server's thread uses it. */
	private ByteBuffer in = ByteBuffer.allocate(FetchFrames.BUFFER_SIZE);

	/** Answers written in part, oldest first; guarded by this. */
	private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();

	private boolean closed;

	/**
	 * Answers made while serving what one read brought, written together after it (or
	 * once they reach {@link #MAX_BATCH_BYTES}); only the server's thread uses them.
	 */
	private final List<ByteBuffer> batch = new ArrayList<>();

	private int batchBytes;

	private boolean collecting;

	FetchServerConnection(SocketChannel channel, SelectionKey key, RequestServer handler, Thread loop) {
		this.channel = channel;
		this.key = key;
		this.handler = handler;
		this.loop = loop;
	}

	void read() throws IOException {
		if (this.channel.read(this.in) < 0) {
			close();
			return;
		}
		serveBuffered();
	}

	/**
	 * Serve every whole frame in the buffer, unless an answer is waiting to be written.
	 */
	private void serveBuffered() {
		ByteBuffer in = this.in;
		in.flip();
		this.collecting = true;
		try {
			serveFrames(in);
		}
		finally {
			this.collecting = false;
			writeBatch();
		}
	}

	private void serveFrames(ByteBuffer in) {
		int needed = 0;
		while (in.remaining() >= FetchFrames.HEADER_SIZE && !hasPending()) {
			int start = in.position();
			int length = in.getInt(start);
			if (!FetchFrames.isValidLength(length)) {
				refuse("a frame that declares " + length + " bytes (at most " + FetchFrames.MAX_LENGTH + ")");
				return;
			}
			if (in.remaining() < 4 + length) {
				needed = 4 + length;
				break;
			}
			int id = in.getInt(start + 4);
			in.position(start + 4 + length);
			this.handler.handleRead(in.array(), in.arrayOffset() + start + FetchFrames.HEADER_SIZE,
					length - FetchFrames.ID_SIZE, new Answer(id));
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
	 * Write the answers collected, in one write as far as the socket takes them; what it
	 * does not take waits, and stops the reading.
	 */
	private synchronized void writeBatch() {
		List<ByteBuffer> batch = this.batch;
		if (batch.isEmpty()) {
			return;
		}
		try {
			if (!this.closed) {
				if (this.pending.isEmpty()) {
					this.channel.write(batch.toArray(new ByteBuffer[0]));
				}
				for (ByteBuffer buffer : batch) {
					if (buffer.hasRemaining()) {
						this.pending.add(buffer);
					}
				}
				if (!this.pending.isEmpty()) {
					this.key.interestOps(SelectionKey.OP_WRITE);
				}
			}
		}
		catch (IOException | CancelledKeyException ex) {
			// Closed meanwhile: the peer's requests failed over or timed out.
			close();
		}
		finally {
			batch.clear();
			this.batchBytes = 0;
		}
	}

	private synchronized boolean hasPending() {
		return !this.pending.isEmpty();
	}

	/**
	 * Write what waits; once all of it has gone, read again.
	 */
	void flush() throws IOException {
		synchronized (this) {
			while (!this.pending.isEmpty()) {
				ByteBuffer next = this.pending.peek();
				this.channel.write(next);
				if (next.hasRemaining()) {
					return;
				}
				this.pending.poll();
			}
			this.key.interestOps(SelectionKey.OP_READ);
		}
		serveBuffered();
	}

	private synchronized void send(int id, byte[] answer) {
		if (this.closed) {
			return;
		}
		ByteBuffer header = ByteBuffer.allocate(FetchFrames.HEADER_SIZE)
			.putInt(FetchFrames.ID_SIZE + answer.length)
			.putInt(id)
			.flip();
		ByteBuffer body = ByteBuffer.wrap(answer);
		if (this.collecting && Thread.currentThread() == this.loop) {
			this.batch.add(header);
			this.batch.add(body);
			this.batchBytes += FetchFrames.HEADER_SIZE + answer.length;
			if (this.batchBytes >= MAX_BATCH_BYTES) {
				writeBatch();
			}
			return;
		}
		try {
			if (this.pending.isEmpty()) {
				this.channel.write(new ByteBuffer[] { header, body });
				if (!body.hasRemaining()) {
					return;
				}
			}
			if (header.hasRemaining()) {
				this.pending.add(header);
			}
			this.pending.add(body);
			this.key.interestOps(SelectionKey.OP_WRITE);
			if (Thread.currentThread() != this.loop) {
				this.key.selector().wakeup();
			}
		}
		catch (IOException | CancelledKeyException ex) {
			// Closed meanwhile: the peer's request failed over or timed out.
			close();
		}
	}

	private void refuse(String what) {
		logger.warn("tiercache: closed the fetch connection from " + remote() + ", which sent " + what
				+ "; that member's fetches go through JGroups until it reconnects");
		close();
	}

	private String remote() {
		try {
			return String.valueOf(this.channel.getRemoteAddress());
		}
		catch (IOException ex) {
			return "a closed socket";
		}
	}

	boolean isOpen() {
		return this.channel.isOpen();
	}

	void close() {
		synchronized (this) {
			this.closed = true;
			this.pending.clear();
		}
		this.key.cancel();
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closed anyway.
		}
	}

	/**
	 * The answer to request {@code id}, sent when the request is served or, if it was
	 * parked, when the load ends.
	 */
	private final class Answer implements Response {

		private final int id;

		Answer(int id) {
			this.id = id;
		}

		@Override
		public void send(Object reply, boolean isException) {
			if (reply instanceof byte[] bytes) {
				FetchServerConnection.this.send(this.id, bytes);
			}
		}

		@Override
		public void send(Message reply, boolean isException) {
			send(reply.getArray(), isException);
		}

	}

}
