package dev.tiercache.remote.peers;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One thread of a {@link FetchServer}: a selector over the connections it was given, each
 * request served on this thread as soon as it is read. What else a selected key means
 * (new connections, for the first loop) is {@code other}'s to handle. When the thread
 * ends, for whatever reason, it closes its connections and runs {@code stopped}, so that
 * no caller connects to a server nobody serves and waits for an answer that never comes.
 *
 * @author tiercache
 */
final class FetchLoop {

	private static final Log logger = LogFactory.getLog(FetchLoop.class);

	private final Selector selector;

	private final RequestServer handler;

	private final Thread thread;

	private final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();

	/**
	 * The connections served, also after the selector is closed (whose keys can no longer
	 * be read then); closed ones are dropped as new ones come.
	 */
	private final Set<FetchServerConnection> connections = ConcurrentHashMap.newKeySet();

	private final Consumer<SelectionKey> other;

	private final Runnable stopped;

	private volatile boolean open = true;

	FetchLoop(String name, RequestServer handler, Consumer<SelectionKey> other, Runnable stopped) throws IOException {
		this.selector = Selector.open();
		this.handler = handler;
		this.other = other;
		this.stopped = stopped;
		this.thread = new Thread(this::run, name);
		this.thread.setDaemon(true);
	}

	Selector selector() {
		return this.selector;
	}

	void start() {
		this.thread.start();
	}

	/**
	 * Serve {@code channel} on this loop from now on.
	 */
	void adopt(SocketChannel channel) {
		this.adopted.add(channel);
		this.selector.wakeup();
	}

	private void run() {
		try {
			while (this.open) {
				this.selector.select(this::ready);
				registerAdopted();
			}
		}
		catch (ClosedSelectorException ex) {
			// Closed.
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("tiercache: a fetch server thread stopped; its peers' fetches go through JGroups", ex);
		}
		finally {
			closeAll();
			this.stopped.run();
		}
	}

	private void registerAdopted() {
		SocketChannel channel;
		while ((channel = this.adopted.poll()) != null) {
			try {
				channel.configureBlocking(false);
				channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				SelectionKey key = channel.register(this.selector, SelectionKey.OP_READ);
				FetchServerConnection connection = new FetchServerConnection(channel, key, this.handler, this.thread);
				key.attach(connection);
				this.connections.removeIf((served) -> !served.isOpen());
				this.connections.add(connection);
			}
			catch (IOException ex) {
				logger.warn("tiercache: could not accept a fetch connection: " + ex);
				try {
					channel.close();
				}
				catch (IOException closing) {
					// Closed anyway.
				}
			}
		}
	}

	private void ready(SelectionKey key) {
		if (!key.isValid()) {
			return;
		}
		if (!(key.attachment() instanceof FetchServerConnection connection)) {
			this.other.accept(key);
			return;
		}
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

	private void closeAll() {
		this.connections.forEach(FetchServerConnection::close);
		this.connections.clear();
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			// Closing anyway.
		}
		SocketChannel channel;
		while ((channel = this.adopted.poll()) != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Closing anyway.
			}
		}
	}

	void close() {
		this.open = false;
		this.selector.wakeup();
		try {
			this.thread.join(1000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.thread.isAlive()) {
			// Stuck in a handler: no peer may read from this member once it has left.
			this.connections.forEach(FetchServerConnection::close);
		}
	}

}
