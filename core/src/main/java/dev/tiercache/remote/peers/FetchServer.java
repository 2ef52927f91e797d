package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The owner's side of the fetch transport: one thread, one selector, every connection
 * from the other members. A request is served on that thread as soon as it is read
 * ({@link RequestServer#handleRead}), which never blocks: a request for a key being
 * loaded is parked and answered later from whichever thread ends the load. So a fetch
 * wakes this thread and the caller, and nothing in between.
 *
 * @author tiercache
 */
final class FetchServer implements Closeable {

	private static final Log logger = LogFactory.getLog(FetchServer.class);

	private final RequestServer handler;

	private final Selector selector;

	private final ServerSocketChannel server;

	private final Thread loop;

	private volatile boolean open = true;

	private FetchServer(RequestServer handler, Selector selector, ServerSocketChannel server, String name) {
		this.handler = handler;
		this.selector = selector;
		this.server = server;
		this.loop = new Thread(this::run, "tiercache-fetch-" + name);
		this.loop.setDaemon(true);
	}

	/**
	 * Listen on an ephemeral port of {@code bindAddress} and start serving.
	 */
	static FetchServer start(InetAddress bindAddress, RequestServer handler, String name) throws IOException {
		Selector selector = Selector.open();
		ServerSocketChannel server = ServerSocketChannel.open();
		try {
			server.bind(new InetSocketAddress(bindAddress, 0), 64);
			server.configureBlocking(false);
			server.register(selector, SelectionKey.OP_ACCEPT);
		}
		catch (IOException ex) {
			server.close();
			selector.close();
			throw ex;
		}
		FetchServer fetchServer = new FetchServer(handler, selector, server, name);
		fetchServer.loop.start();
		return fetchServer;
	}

	InetSocketAddress endpoint() throws IOException {
		return (InetSocketAddress) this.server.getLocalAddress();
	}

	private void run() {
		try {
			while (this.open) {
				this.selector.select(this::ready);
			}
		}
		catch (ClosedSelectorException ex) {
			// Closed.
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("tiercache: the fetch server stopped; fetches from this member go through JGroups", ex);
		}
		finally {
			closeAll();
		}
	}

	private void ready(SelectionKey key) {
		if (!key.isValid()) {
			return;
		}
		if (key.isAcceptable()) {
			accept();
			return;
		}
		FetchServerConnection connection = (FetchServerConnection) key.attachment();
		try {
			if (key.isWritable()) {
				connection.flush();
			}
			if (key.isValid() && key.isReadable()) {
				connection.read();
			}
		}
		catch (IOException | CancelledKeyException ex) {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.warn("tiercache: closed a fetch connection that could not be served", ex);
			connection.close();
		}
	}

	private void accept() {
		try {
			SocketChannel channel = this.server.accept();
			if (channel == null) {
				return;
			}
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			SelectionKey key = channel.register(this.selector, SelectionKey.OP_READ);
			key.attach(new FetchServerConnection(channel, key, this.handler, this.loop));
		}
		catch (IOException ex) {
			logger.warn("tiercache: could not accept a fetch connection: " + ex);
		}
	}

	private void closeAll() {
		try {
			for (SelectionKey key : this.selector.keys()) {
				if (key.attachment() instanceof FetchServerConnection connection) {
					connection.close();
				}
			}
			this.selector.close();
		}
		catch (IOException | ClosedSelectorException ex) {
			// Closing anyway.
		}
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
	}

	@Override
	public void close() {
		this.open = false;
		this.selector.wakeup();
		try {
			this.loop.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
