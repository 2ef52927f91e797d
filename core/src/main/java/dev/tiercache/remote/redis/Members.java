package dev.tiercache.remote.redis;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The other nodes on the same Redis, as their heartbeats tell: whose acknowledgements a
 * write waits for.
 *
 * <p>
 * {@code PUBLISH} answers with the number of subscribers that received a message, but on
 * a Redis Cluster it counts only the subscribers of the node that ran it (the message
 * reaches the others over the cluster bus), so that count cannot say whom to wait for.
 * Every node publishes a heartbeat on the event channel every {@code heartbeat-interval};
 * a node heard within the last three intervals is live, and a write waits for each live
 * node's acknowledgement. A node that stays silent on {@value #MISSES_BEFORE_MUTED}
 * invalidations in a row, while its heartbeats still arrive (an ACL that refuses its
 * acknowledgements, say), is muted: writers no longer wait for it, until an
 * acknowledgement of its arrives again.
 *
 * @author tiercache
 */
final class Members {

	private static final Log logger = LogFactory.getLog(Members.class);

	static final int MISSES_BEFORE_MUTED = 3;

	/** Heartbeats missed before a node is no longer waited for. */
	private static final int LIVE_INTERVALS = 3;

	/** Heartbeats missed before a node is forgotten. */
	private static final int FORGET_INTERVALS = 100;

	private final long intervalNanos;

	private final ConcurrentMap<String, Member> members = new ConcurrentHashMap<>();

	Members(RedisTierSettings settings) {
		this.intervalNanos = settings.heartbeatInterval().toNanos();
	}

	/**
	 * A heartbeat, or another message, of the node {@code id} arrived.
	 * @param name the node's name, or {@code null} if the message does not carry it
	 */
	void heard(String id, String name) {
		long now = System.nanoTime();
		this.members.compute(id,
				(key, member) -> (member != null) ? member.heard(now, name) : new Member(id, name, now, 0, false));
		if (this.members.size() > 64) {
			forgetSilent(now);
		}
	}

	/**
	 * The node {@code id} acknowledged an invalidation: it is waited for again, if it was
	 * muted.
	 */
	void acknowledged(String id) {
		Member before = this.members.get(id);
		if (before == null) {
			heard(id, "");
		}
		else if (before.misses() > 0) {
			this.members.computeIfPresent(id, (key, current) -> current.acknowledged());
			if (before.muted()) {
				logger.info("tiercache: node " + before.label() + " acknowledges invalidations again");
			}
		}
	}

	/**
	 * The live nodes that a write waits for: heard within three heartbeats and not muted.
	 */
	Set<String> awaited() {
		long now = System.nanoTime();
		return this.members.values()
			.stream()
			.filter((member) -> !member.muted() && member.live(now, LIVE_INTERVALS * this.intervalNanos))
			.map(Member::id)
			.collect(Collectors.toUnmodifiableSet());
	}

	/** How many live nodes are muted: subscribers whose acknowledgements never come. */
	int mutedCount() {
		long now = System.nanoTime();
		return (int) this.members.values()
			.stream()
			.filter((member) -> member.muted() && member.live(now, LIVE_INTERVALS * this.intervalNanos))
			.count();
	}

	/**
	 * These nodes did not acknowledge an invalidation in time.
	 */
	void missed(Collection<String> ids) {
		for (String id : ids) {
			Member member = this.members.computeIfPresent(id, (key, current) -> current.missed());
			if (member != null && member.muted() && member.misses() == MISSES_BEFORE_MUTED) {
				logger.warn("tiercache: node " + member.label() + " sends heartbeats but acknowledged none of "
						+ MISSES_BEFORE_MUTED + " invalidations in a row; writes stop waiting for it until it "
						+ "acknowledges one (its hot copies live at most hot-ttl)");
			}
		}
	}

	/** The live nodes' names, for the cluster view. */
	List<String> liveNames() {
		long now = System.nanoTime();
		return this.members.values()
			.stream()
			.filter((member) -> member.live(now, LIVE_INTERVALS * this.intervalNanos))
			.map(Member::label)
			.sorted(Comparator.naturalOrder())
			.toList();
	}

	private void forgetSilent(long now) {
		this.members.values().removeIf((member) -> !member.live(now, FORGET_INTERVALS * this.intervalNanos));
	}

	private record Member(String id, String name, long heardNanos, int misses, boolean muted) {

		Member heard(long now, String name) {
			return new Member(this.id, name.isEmpty() ? this.name : name, now, this.misses, this.muted);
		}

		Member acknowledged() {
			return new Member(this.id, this.name, this.heardNanos, 0, false);
		}

		Member missed() {
			int misses = this.misses + 1;
			return new Member(this.id, this.name, this.heardNanos, misses, misses >= MISSES_BEFORE_MUTED);
		}

		boolean live(long now, long window) {
			return now - this.heardNanos <= window;
		}

		String label() {
			return this.name.isEmpty() ? this.id : this.name;
		}

	}

}
