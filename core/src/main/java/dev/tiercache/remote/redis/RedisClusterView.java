package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.Rejections;

/**
 * Redis mode as the endpoint and health see it: Redis stores every key; the members are
 * this node and the nodes whose heartbeats it hears, none of which owns a share of the
 * keys.
 *
 * @author tiercache
 */
final class RedisClusterView implements ClusterView {

	private final Supplier<String> nodeName;

	private final RedisCommands commands;

	private final Subscription subscription;

	private final PendingEvictions pending;

	private final Rejections rejections;

	private final HeldLeases held;

	private final Members members;

	private final ServerTracking tracking;

	private final MasterChanges masterChanges;

	RedisClusterView(Supplier<String> nodeName, RedisCommands commands, Subscription subscription,
			PendingEvictions pending, Rejections rejections, HeldLeases held, Members members, ServerTracking tracking,
			MasterChanges masterChanges) {
		this.masterChanges = masterChanges;
		this.members = members;
		this.tracking = tracking;
		this.held = held;
		this.nodeName = nodeName;
		this.commands = commands;
		this.subscription = subscription;
		this.pending = pending;
		this.rejections = rejections;
	}

	@Override
	public String mode() {
		return "redis";
	}

	@Override
	public String localMember() {
		return this.nodeName.get();
	}

	@Override
	public List<Member> members() {
		List<Member> members = new ArrayList<>();
		members.add(new Member(localMember(), null, 0.0));
		this.members.liveNames().forEach((name) -> members.add(new Member(name, null, 0.0)));
		return members;
	}

	@Override
	public String ownerOf(String cache, Object key) {
		return "redis";
	}

	@Override
	public boolean degraded() {
		return this.commands.unreachable() || this.subscription.lost();
	}

	@Override
	public Map<String, Object> details() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("redis", this.commands.unreachable() ? "unreachable" : "connected");
		details.put("subscription", this.subscription.lost() ? "lost" : "active");
		details.put("pendingEvictions", this.pending.size());
		details.put("rejectedPayloads", this.rejections.count());
		details.put("pendingLeaseReleases", this.held.pendingReleases());
		details.put("clientTracking", this.tracking.status());
		details.put("trackingInvalidations", this.tracking.invalidations());
		details.put("dataChangedHands", this.masterChanges.changes());
		return details;
	}

}
