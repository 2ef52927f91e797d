package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One owner's fetch server as its callers see it: idle connections, newest first, so a
 * few threads fetching reuse a few warm connections, and a new one for a thread that
 * finds none. After a connection to the owner failed, its callers go through JGroups for
 * a back-off (1 s, doubling up to 30 s while it keeps failing), and then one of them, not
 * all, tries again, and the others follow once it has had an answer; so an owner behind a
 * firewall that drops the fetch port costs one connect timeout now and then, not one per
 * fetch. {@value #TIMEOUTS_IN_A_ROW} fetches in a row that were not answered in time
 * count as a failed connection too: the owner may be slow, or its fetch server may have
 * stopped, and JGroups may still reach it.
 *
 * @author tiercache
 */
final class FetchEndpoint implements Closeable {

	private static final Log logger = LogFactory.getLog(FetchEndpoint.class);

	static final long MIN_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	static final long MAX_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(30);

	/** Unanswered fetches in a row after which callers go through JGroups for a while. */
	static final int TIMEOUTS_IN_A_ROW = 3;

	/** Idle connections kept per owner; more are closed when they come back. */
	static final int MAX_IDLE = 64;

	private final String member;

	private final InetSocketAddress address;

	private final InetAddress bindAddress;

	private final int connectTimeoutMillis;

	private final ConcurrentLinkedDeque<FetchConnection> idle = new ConcurrentLinkedDeque<>();

	private final AtomicInteger idleCount = new AtomicInteger();

	/** Every open connection, idle or in use, for the watchdog. */
	private final Set<FetchConnection> open = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean probing = new AtomicBoolean();

	private final AtomicInteger timeouts = new AtomicInteger();

	private volatile boolean reachable = true;

	private volatile long downUntil;

	private volatile long backOffNanos = MIN_BACK_OFF_NANOS;

	private volatile boolean closed;

	FetchEndpoint(String member, InetSocketAddress address, InetAddress bindAddress, int connectTimeoutMillis) {
		this.member = member;
		this.address = address;
		this.bindAddress = bindAddress;
		this.connectTimeoutMillis = connectTimeoutMillis;
	}

	/**
	 * An idle connection, or a new one; {@code null} if the owner cannot be reached now.
	 */
	@Nullable FetchConnection acquire() {
		FetchConnection connection;
		while ((connection = this.idle.pollFirst()) != null) {
			this.idleCount.decrementAndGet();
			if (connection.isOpen()) {
				return connection;
			}
			// Closed by the watchdog as its answer came.
			discard(connection);
		}
		if (this.closed) {
			return null;
		}
		if (this.reachable) {
			return connect();
		}
		if (System.nanoTime() - this.downUntil < 0 || !this.probing.compareAndSet(false, true)) {
			return null;
		}
		try {
			// One caller probes; the others stay on JGroups until an answer on its
			// connection says the owner serves again (a connect alone does not: the
			// kernel
			// accepts into the backlog of a server whose thread is stuck).
			this.downUntil = System.nanoTime() + this.backOffNanos;
			return connect();
		}
		finally {
			this.probing.set(false);
		}
	}

	private @Nullable FetchConnection connect() {
		FetchConnection connection;
		try {
			connection = FetchConnection.open(this.bindAddress, this.address, this.connectTimeoutMillis);
		}
		catch (IOException ex) {
			failed("cannot connect: " + ex);
			return null;
		}
		this.open.add(connection);
		return connection;
	}

	/**
	 * Note an answer: a fetch that times out after it starts a new count.
	 */
	void answered() {
		if (this.timeouts.get() != 0) {
			this.timeouts.set(0);
		}
		if (!this.reachable) {
			this.reachable = true;
			this.backOffNanos = MIN_BACK_OFF_NANOS;
			logger.info("tiercache: fetching from '" + this.member + "' at " + this.address + " again");
		}
	}

	/**
	 * Note a fetch whose answer did not come in time, on a connection already discarded.
	 */
	void timedOut(long timeoutMillis) {
		// A probe that timed out is a failed probe.
		if (!this.reachable || this.timeouts.incrementAndGet() >= TIMEOUTS_IN_A_ROW) {
			this.timeouts.set(0);
			failed(TIMEOUTS_IN_A_ROW + " fetches in a row got no answer within " + timeoutMillis + " ms");
		}
	}

	void release(FetchConnection connection) {
		if (this.closed || this.idleCount.incrementAndGet() > MAX_IDLE) {
			this.idleCount.decrementAndGet();
			discard(connection);
			return;
		}
		this.idle.offerFirst(connection);
		if (this.closed) {
			close();
		}
	}

	/**
	 * Close a connection that failed or is not wanted.
	 */
	void discard(FetchConnection connection) {
		connection.close();
		this.open.remove(connection);
	}

	/**
	 * Close the connections whose answers are late at {@code now}.
	 */
	void expireLate(long now) {
		for (FetchConnection connection : this.open) {
			connection.expireIfLate(now);
			if (!connection.isOpen()) {
				this.open.remove(connection);
			}
		}
	}

	/**
	 * Note that a connection to the owner failed: its callers go through JGroups for a
	 * while, and the idle connections, which may be as broken, are closed.
	 */
	void failed(String why) {
		long backOff = this.backOffNanos;
		this.downUntil = System.nanoTime() + backOff;
		if (this.reachable) {
			this.reachable = false;
			logger.warn("tiercache: a fetch connection to '" + this.member + "' at " + this.address + " failed (" + why
					+ "); fetching from it through JGroups for now");
		}
		else {
			this.backOffNanos = Math.min(2 * backOff, MAX_BACK_OFF_NANOS);
		}
		FetchConnection connection;
		while ((connection = this.idle.pollFirst()) != null) {
			this.idleCount.decrementAndGet();
			discard(connection);
		}
	}

	@Override
	public void close() {
		this.closed = true;
		FetchConnection connection;
		while ((connection = this.idle.pollFirst()) != null) {
			this.idleCount.decrementAndGet();
			discard(connection);
		}
		// Also those in use: a read has no timeout of its own, and the watchdog that
		// would
		// end a late one stops with the member.
		for (FetchConnection used : this.open) {
			discard(used);
		}
	}

}
