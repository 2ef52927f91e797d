package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.codec.CodecException;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jgroups.Address;
import org.jspecify.annotations.Nullable;

/**
 * A caller's side of the fetch transport: reads ({@code FETCH}, {@code FETCH_OR_LEASE})
 * go to the owner's {@link FetchServer} on the one connection to it that every thread
 * shares. An owner that advertises no fetch server, or whose connection cannot be opened
 * or breaks, is asked through JGroups instead ({@link PeerChannel#request}), and each
 * such fallback is counted: the transport never fails a read that JGroups could serve. An
 * owner that does not answer in time is a peer error, as through JGroups.
 *
 * @author tiercache
 */
final class FetchClient implements Closeable {

	private final PeerChannel channel;

	private final InetAddress bindAddress;

	private final int connectTimeoutMillis;

	private final Map<Address, FetchEndpoint> endpoints = new ConcurrentHashMap<>();

	private final AtomicLong fallbacks = new AtomicLong();

	private volatile boolean closed;

	FetchClient(PeerChannel channel, InetAddress bindAddress, int connectTimeoutMillis) {
		this.channel = channel;
		this.bindAddress = bindAddress;
		this.connectTimeoutMillis = connectTimeoutMillis;
	}

	/**
	 * Send a read to {@code member} and wait at most {@code timeoutMillis} for the
	 * answer.
	 * @throws RemoteTierException as {@link PeerChannel#request} does
	 */
	PeerMessage request(StatsCounter stats, String member, PeerMessage message, long timeoutMillis) {
		Address address = this.channel.addressOf(member);
		FetchEndpoint endpoint = (address != null) ? endpoint(member, address) : null;
		FetchConnection connection = (endpoint != null) ? endpoint.acquire() : null;
		if (endpoint == null || connection == null) {
			return fallBack(stats, member, message, timeoutMillis);
		}
		long start = System.nanoTime();
		PeerMessage reply;
		try {
			reply = connection.exchange(message, timeoutMillis);
		}
		catch (SocketTimeoutException ex) {
			endpoint.timedOut(connection, timeoutMillis);
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' did not answer a " + message.type()
					+ " request within " + timeoutMillis + " ms", ex);
		}
		catch (InterruptedIOException ex) {
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Interrupted while asking peer '" + member + "'", ex);
		}
		catch (CodecException ex) {
			// A bug or a hostile owner, not an unreachable one: the next fetch connects
			// again.
			endpoint.drop(connection);
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' gave a malformed answer: " + ex.getMessage(), ex);
		}
		catch (IOException ex) {
			if (Thread.currentThread().isInterrupted()) {
				// Maybe closed by the interrupt (as a virtual thread's closes a socket it
				// waits on): not the owner's fault.
				endpoint.drop(connection);
				stats.record(Counter.PEER_ERRORS);
				throw new RemoteTierException("Interrupted while asking peer '" + member + "'", ex);
			}
			endpoint.failed(connection, ex.toString());
			// Within what is left of the caller's time.
			long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			return fallBack(stats, member, message, Math.max(1, left));
		}
		endpoint.answered(connection);
		return this.channel.heard(reply);
	}

	private PeerMessage fallBack(StatsCounter stats, String member, PeerMessage message, long timeoutMillis) {
		this.fallbacks.incrementAndGet();
		return this.channel.request(stats, member, message, timeoutMillis);
	}

	/**
	 * Return how many reads went through JGroups since this member started.
	 */
	long fallbacks() {
		return this.fallbacks.get();
	}

	private @Nullable FetchEndpoint endpoint(String member, Address address) {
		if (this.closed) {
			return null;
		}
		FetchEndpoint endpoint = this.endpoints.get(address);
		if (endpoint != null) {
			return endpoint;
		}
		InetSocketAddress advertised = FetchAdvert.endpointOf(address);
		if (advertised == null) {
			return null;
		}
		endpoint = this.endpoints.computeIfAbsent(address,
				(key) -> new FetchEndpoint(member, advertised, this.bindAddress, this.connectTimeoutMillis));
		if (this.closed) {
			// Closed meanwhile, maybe before this endpoint was added.
			endpoint.close();
			return null;
		}
		return endpoint;
	}

	/**
	 * Close the connections whose writes are late: the watchdog, run every few
	 * milliseconds.
	 */
	void expireLate() {
		long now = System.nanoTime();
		this.endpoints.values().forEach((endpoint) -> endpoint.expireLate(now));
	}

	/**
	 * Close the connections to members that are no longer in the view.
	 */
	void retain(Collection<Address> members) {
		this.endpoints.entrySet().removeIf((entry) -> {
			if (members.contains(entry.getKey())) {
				return false;
			}
			entry.getValue().close();
			return true;
		});
	}

	@Override
	public void close() {
		this.closed = true;
		this.endpoints.values().forEach(FetchEndpoint::close);
		this.endpoints.clear();
	}

}
