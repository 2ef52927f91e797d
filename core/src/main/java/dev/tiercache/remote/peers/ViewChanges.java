package dev.tiercache.remote.peers;

import java.util.Collection;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jgroups.MergeView;
import org.jgroups.View;

/**
 * What a member does when JGroups installs a new view: rebuild the ring, hand the main
 * entries it no longer owns to their new owners, and after a healed partition clear its
 * local tiers, since both sides may have changed the same keys and the invalidations sent
 * across the partition were lost; and forget the unconfirmed writes whose writer or owner
 * left ({@link UnconfirmedWrites}). Runs on the tier's views thread, one view at a time,
 * never on a JGroups thread.
 *
 * @author tiercache
 */
final class ViewChanges {

	private static final Log logger = LogFactory.getLog(ViewChanges.class);

	private final String clusterName;

	private final PeerChannel peers;

	private final Handoff handoff;

	private final Owner owner;

	private final Collection<Registration> caches;

	ViewChanges(String clusterName, PeerChannel peers, Handoff handoff, Owner owner, Collection<Registration> caches) {
		this.clusterName = clusterName;
		this.peers = peers;
		this.handoff = handoff;
		this.owner = owner;
		this.caches = caches;
	}

	/**
	 * Install {@code view}; hand off entries if this member was already a member and
	 * {@code handOff} is set.
	 */
	void accept(View view, boolean handOff) {
		Membership previous = this.peers.membership();
		if (previous != null && view.getViewId().compareToIDs(previous.view()) <= 0) {
			// A view this node has already seen, such as the one it connected with.
			return;
		}
		Membership next = Membership.of(view);
		this.peers.membership(next);
		this.caches.forEach((cache) -> cache.unconfirmed().retainMembers(next.addresses().keySet()));
		logger.info("tiercache: cluster '" + this.clusterName + "' has " + next.addresses().size() + " member(s): "
				+ next.addresses().keySet());
		if (!next.duplicates().isEmpty()) {
			logger.warn("tiercache: more than one member of cluster '" + this.clusterName + "' is named "
					+ next.duplicates() + "; only the oldest of each name owns keys, the others refuse to start");
		}
		if (view instanceof MergeView) {
			this.caches.forEach(this.owner::clear);
			logger.info("tiercache: cluster '" + this.clusterName + "' merged after a partition; cleared the local "
					+ "tiers, since entries on either side may be stale");
		}
		else if (handOff && previous != null && !previous.ring().members().equals(next.ring().members())) {
			this.handoff.send(this.caches, next.ring(), next);
		}
	}

}
