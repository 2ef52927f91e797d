package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The owner's side of the fetch transport: a server socket and a thread
 * ({@link FetchLoop}) with a selector over every connection from the other members (with
 * more loops, connections are given out in turn). A request is served on its loop's
 * thread as soon as it is read ({@link RequestServer#handleRead}), which never blocks: a
 * request for a key being loaded is parked and answered later from whichever thread ends
 * the load. So a fetch wakes that thread and the caller, and nothing in between.
 *
 * @author tiercache
 */
final class FetchServer implements Closeable {

	private static final Log logger = LogFactory.getLog(FetchServer.class);

	/**
	 * One thread. Two (connections given out in turn) were measured on two cores with 32
	 * threads fetching: a lower median (0.62-0.88x of Redis's against 0.78-0.99x) but a
	 * longer tail (p99 2.0-4.8 ms against 1.5-2.4 ms), both loops taking the CPU the
	 * callers needed (docs/benchmarks.md).
	 */
	private static final int THREADS = 1;

	private final ServerSocketChannel server;

	private final FetchLoop[] loops;

	private int next;

	private FetchServer(ServerSocketChannel server, RequestServer handler, String name, int threads)
			throws IOException {
		this.server = server;
		this.loops = new FetchLoop[threads];
		for (int i = 0; i < threads; i++) {
			this.loops[i] = new FetchLoop("tiercache-fetch-" + name + "-" + i, handler, this::accept,
					this::closeSocket);
		}
	}

	/**
	 * Listen on an ephemeral port of {@code bindAddress} and start serving.
	 */
	static FetchServer start(InetAddress bindAddress, RequestServer handler, String name) throws IOException {
		ServerSocketChannel server = ServerSocketChannel.open();
		try {
			server.bind(new InetSocketAddress(bindAddress, 0), 64);
			server.configureBlocking(false);
			FetchServer fetchServer = new FetchServer(server, handler, name, THREADS);
			server.register(fetchServer.loops[0].selector(), SelectionKey.OP_ACCEPT);
			for (FetchLoop loop : fetchServer.loops) {
				loop.start();
			}
			return fetchServer;
		}
		catch (IOException ex) {
			server.close();
			throw ex;
		}
	}

	InetSocketAddress endpoint() throws IOException {
		return (InetSocketAddress) this.server.getLocalAddress();
	}

	/**
	 * Accept a connection and give it to the next loop; on the first loop's thread.
	 */
	private void accept(SelectionKey key) {
		try {
			SocketChannel channel = this.server.accept();
			if (channel != null) {
				this.loops[this.next++ % this.loops.length].adopt(channel);
			}
		}
		catch (IOException ex) {
			logger.warn("tiercache: could not accept a fetch connection: " + ex);
		}
	}

	@Override
	public void close() {
		for (FetchLoop loop : this.loops) {
			loop.close();
		}
		closeSocket();
	}

	/**
	 * Stop listening: also when a loop's thread ends on its own, so that callers are
	 * refused and go through JGroups instead of waiting for answers.
	 */
	private void closeSocket() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

}
