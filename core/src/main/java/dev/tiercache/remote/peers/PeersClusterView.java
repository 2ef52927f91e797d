package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tiercache.remote.ClusterView;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jspecify.annotations.Nullable;

/**
 * The cluster as one member of the peers tier sees it.
 *
 * @author tiercache
 */
final class PeersClusterView implements ClusterView {

	private final PeersRemoteTier tier;

	PeersClusterView(PeersRemoteTier tier) {
		this.tier = tier;
	}

	@Override
	public String mode() {
		return "peers";
	}

	@Override
	public String localMember() {
		return this.tier.settings().nodeName();
	}

	@Override
	public List<Member> members() {
		Membership current = this.tier.membership();
		if (current == null) {
			return List.of(new Member(localMember(), null, 1.0));
		}
		List<Member> members = new ArrayList<>();
		current.addresses()
			.forEach((name, address) -> members.add(new Member(name, physical(address), current.ring().share())));
		return members;
	}

	private @Nullable String physical(Address address) {
		JChannel channel = this.tier.channel();
		if (channel == null) {
			return null;
		}
		Object physical = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, address));
		return (physical instanceof PhysicalAddress) ? physical.toString() : null;
	}

	@Override
	public String ownerOf(String cache, Object key) {
		return this.tier.owner(cache, key);
	}

	@Override
	public Map<String, Object> details() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("cluster", this.tier.settings().clusterName());
		JChannel channel = this.tier.channel();
		details.put("view", (channel != null && channel.getView() != null) ? channel.getView().getViewId().toString()
				: "not connected");
		details.put("rejectedPayloads", this.tier.rejectedPayloads());
		FetchTransport fetchTransport = this.tier.fetchTransport();
		details.put("fetchTransport", (fetchTransport != null) ? fetchTransport.endpoint().toString() : "off");
		details.put("fetchFallbacks", (fetchTransport != null) ? fetchTransport.client().fallbacks() : 0L);
		return details;
	}

}
