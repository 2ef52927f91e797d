package dev.tiercache.remote;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Who takes part in caching and who owns which key, as this node sees it now. Read by the
 * actuator endpoint, the health contributor and the metrics; never on the hit path.
 *
 * @author tiercache
 * @see #local(Supplier)
 */
public interface ClusterView {

	/**
	 * Return the mode: {@code local}, {@code peers} or {@code redis}.
	 * @return the mode name
	 */
	String mode();

	/**
	 * Return this node's name.
	 * @return the name
	 */
	String localMember();

	/**
	 * Return the members, this node included, with their share of the keys.
	 * @return the members
	 */
	List<Member> members();

	/**
	 * Return the member that owns {@code key} of {@code cache}.
	 * @param cache the cache name
	 * @param key the key
	 * @return the owner's name
	 */
	String ownerOf(String cache, Object key);

	/**
	 * Return whether the remote tier is degraded (unreachable, or its invalidations may
	 * be missed), in which case the caches run on their local tier.
	 * @return whether the remote tier is degraded
	 */
	default boolean degraded() {
		return false;
	}

	/**
	 * Return details of the remote tier's state for the health contributor, such as the
	 * state of the connection.
	 * @return the details, empty by default
	 */
	default Map<String, Object> details() {
		return Map.of();
	}

	/**
	 * Return a view of this node alone, owning every key: local mode.
	 * @param nodeName this node's name, asked for each time it is shown
	 * @return the local view
	 */
	static ClusterView local(Supplier<String> nodeName) {
		return new ClusterView() {

			@Override
			public String mode() {
				return "local";
			}

			@Override
			public String localMember() {
				return nodeName.get();
			}

			@Override
			public List<Member> members() {
				return List.of(new Member(nodeName.get(), null, 1.0));
			}

			@Override
			public String ownerOf(String cache, Object key) {
				return nodeName.get();
			}

		};
	}

	/**
	 * A member of the cluster.
	 *
	 * @param name its logical name
	 * @param address its network address, {@code null} when it has none (local mode)
	 * @param share the fraction of keys it owns, between 0 and 1
	 */
	record Member(String name, @Nullable String address, double share) {
	}

}
