package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jspecify.annotations.Nullable;

/**
 * A member's fetch transport: the server that answers other members' reads
 * ({@link FetchServer}), advertised in this member's JGroups address
 * ({@link FetchAdvert}), and the client that sends this member's reads
 * ({@link FetchClient}), with the watchdog that ends a write that is late.
 *
 * @author tiercache
 */
final class FetchTransport implements Closeable {

	private static final Log logger = LogFactory.getLog(FetchTransport.class);

	/** How long a caller waits to connect to an owner before going through JGroups. */
	private static final int CONNECT_TIMEOUT_MILLIS = 300;

	private final FetchServer server;

	private final FetchClient client;

	private final InetSocketAddress endpoint;

	private FetchTransport(FetchServer server, FetchClient client, InetSocketAddress endpoint) {
		this.server = server;
		this.client = client;
		this.endpoint = endpoint;
	}

	/**
	 * Open the fetch server on the JGroups transport's bind address, before the channel
	 * connects, so that the address it generates advertises the server.
	 * @return the transport, or {@code null} if reads stay on JGroups
	 */
	static @Nullable FetchTransport start(PeersSettings settings, JChannel channel, RequestServer handler,
			PeerChannel peers, ScheduledExecutorService timers, long rpcMillis) {
		if (!settings.usesFetchTransport()) {
			return null;
		}
		InetAddress bindAddress = channel.getProtocolStack().getTransport().getBindAddress();
		if (bindAddress == null) {
			return null;
		}
		FetchServer server;
		InetSocketAddress endpoint;
		try {
			server = FetchServer.start(bindAddress, handler, settings.nodeName());
			endpoint = server.endpoint();
		}
		catch (IOException ex) {
			logger.warn("tiercache: could not open a fetch port on " + bindAddress + " (" + ex
					+ "); this member's reads from its peers go through JGroups");
			return null;
		}
		channel.addAddressGenerator(FetchAdvert.generator(endpoint));
		FetchClient client = new FetchClient(peers, bindAddress, CONNECT_TIMEOUT_MILLIS);
		long period = Math.max(5, rpcMillis / 10);
		timers.scheduleWithFixedDelay(client::expireLate, period, period, TimeUnit.MILLISECONDS);
		return new FetchTransport(server, client, endpoint);
	}

	FetchClient client() {
		return this.client;
	}

	FetchServer server() {
		return this.server;
	}

	InetSocketAddress endpoint() {
		return this.endpoint;
	}

	/**
	 * Close the connections to members that left.
	 */
	void retain(Collection<Address> members) {
		this.client.retain(members);
	}

	@Override
	public void close() {
		this.client.close();
		this.server.close();
	}

}
