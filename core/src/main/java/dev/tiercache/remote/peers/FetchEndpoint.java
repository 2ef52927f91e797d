package dev.tiercache.remote.peers;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One owner's fetch server as its callers see it: one connection that every thread
 * fetching from the owner shares ({@link FetchConnection}), opened by the first caller
 * that needs it. After a connection to the owner failed, its callers go through JGroups
 * for a back-off (1 s, doubling up to 30 s while it keeps failing), and then one of them,
 * not all, tries again, and the others follow once it has had an answer; so an owner
 * behind a firewall that drops the fetch port costs one connect timeout now and then, not
 * one per fetch. {@value #TIMEOUTS_IN_A_ROW} fetches in a row that were not answered in
 * time count as a failed connection too: the owner may be slow, or its fetch server may
 * have stopped, and JGroups may still reach it.
 *
 * @author tiercache
 */
final class FetchEndpoint implements Closeable {

	private static final Log logger = LogFactory.getLog(FetchEndpoint.class);

	static final long MIN_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

	static final long MAX_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(30);

	/** Unanswered fetches in a row after which callers go through JGroups for a while. */
	static final int TIMEOUTS_IN_A_ROW = 3;

	private final String member;

	private final InetSocketAddress address;

	private final InetAddress bindAddress;

	private final int connectTimeoutMillis;

	/** The connection callers share; guarded by this for changes. */
	private volatile @Nullable FetchConnection current;

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
	 * The shared connection, opened if there is none; {@code null} if the owner cannot be
	 * reached now.
	 */
	@Nullable FetchConnection acquire() {
		FetchConnection connection = this.current;
		if (this.reachable && connection != null && connection.isOpen()) {
			return connection;
		}
		if (this.closed) {
			return null;
		}
		if (this.reachable) {
			return connect(false);
		}
		if (System.nanoTime() - this.downUntil < 0 || !this.probing.compareAndSet(false, true)) {
			return null;
		}
		try {
			// One caller probes; the others stay on JGroups until an answer on its
			// connection says the owner serves again (a connect alone does not: the
			// kernel accepts into the backlog of a server whose thread is stuck).
			this.downUntil = System.nanoTime() + this.backOffNanos;
			return connect(true);
		}
		finally {
			this.probing.set(false);
		}
	}

	private synchronized @Nullable FetchConnection connect(boolean probe) {
		FetchConnection connection = this.current;
		if (this.reachable && connection != null && connection.isOpen()) {
			// Another caller connected meanwhile.
			return connection;
		}
		if (this.closed || (!probe && !this.reachable)) {
			// Closed, or another caller's connect failed meanwhile.
			return null;
		}
		if (!probe && connection != null) {
			// It broke on its own (one given up is no longer current): counted once,
			// here or by one of its callers.
			failed(connection, "the connection broke");
			return null;
		}
		try {
			connection = FetchConnection.open(this.bindAddress, this.address, this.connectTimeoutMillis, this.member);
		}
		catch (IOException ex) {
			down("cannot connect: " + ex);
			return null;
		}
		FetchConnection replaced = this.current;
		this.current = connection;
		if (replaced != null) {
			replaced.close();
		}
		return connection;
	}

	/**
	 * Note an answer on {@code connection}: a fetch that times out after it starts a new
	 * count. An answer on a connection already given up proves nothing.
	 */
	void answered(FetchConnection connection) {
		if (this.current != connection) {
			return;
		}
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
	 * Note a fetch on {@code connection} whose answer did not come in time.
	 */
	void timedOut(FetchConnection connection, long timeoutMillis) {
		// A probe that timed out is a failed probe.
		if (!this.reachable || this.timeouts.incrementAndGet() >= TIMEOUTS_IN_A_ROW) {
			this.timeouts.set(0);
			failed(connection, TIMEOUTS_IN_A_ROW + " fetches in a row got no answer within " + timeoutMillis + " ms");
		}
	}

	/**
	 * Note that {@code connection} failed: the owner is asked through JGroups for a
	 * while. Its other callers see the same failure and are not counted again.
	 */
	void failed(FetchConnection connection, String why) {
		if (drop(connection)) {
			down(why);
		}
	}

	/**
	 * Close {@code connection}; the next caller opens another.
	 * @return whether it was the one callers shared
	 */
	synchronized boolean drop(FetchConnection connection) {
		connection.close();
		if (this.current != connection) {
			return false;
		}
		this.current = null;
		return true;
	}

	/**
	 * Go through JGroups for a while, longer each time the owner fails again.
	 */
	synchronized void down(String why) {
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
	}

	/**
	 * Close the connection if a write on it is late at {@code now}.
	 */
	void expireLate(long now) {
		FetchConnection connection = this.current;
		if (connection != null) {
			connection.expireIfLate(now);
		}
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		FetchConnection connection = this.current;
		this.current = null;
		if (connection != null) {
			// Which ends every fetch on it: a member that stops waits for none.
			connection.close();
		}
	}

}
