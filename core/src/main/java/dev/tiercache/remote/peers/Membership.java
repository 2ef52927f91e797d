package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jgroups.Address;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.util.NameCache;
import org.jspecify.annotations.Nullable;

/**
 * The members of one view by logical name, and the ring over those names. Two members
 * with one name would own the same keys and skip each other's invalidations, so only the
 * first (the older) of them is a member; the other refuses to start
 * ({@link #duplicateOf}).
 *
 * @param view the view's id
 * @param ring the ring over the members' names
 * @param addresses each member's address, by name, in view order
 * @param duplicates names held by more than one address in the view
 * @author tiercache
 */
record Membership(ViewId view, HashRing ring, Map<String, Address> addresses, List<String> duplicates) {

	static Membership of(View view) {
		Map<String, Address> addresses = new LinkedHashMap<>();
		List<String> duplicates = new ArrayList<>();
		for (Address address : view.getMembers()) {
			String name = name(address);
			if (addresses.putIfAbsent(name, address) != null) {
				duplicates.add(name);
			}
		}
		return new Membership(view.getViewId(), new HashRing(new ArrayList<>(addresses.keySet())), addresses,
				List.copyOf(duplicates));
	}

	/**
	 * Return the address of an older member named like {@code self}, or {@code null}.
	 */
	static @Nullable Address duplicateOf(View view, Address self) {
		String name = name(self);
		for (Address address : view.getMembers()) {
			if (address.equals(self)) {
				return null;
			}
			if (name.equals(name(address))) {
				return address;
			}
		}
		return null;
	}

	private static String name(Address address) {
		String name = NameCache.get(address);
		return (name != null) ? name : address.toString();
	}

	/**
	 * Return every member but {@code self} and {@code except}.
	 */
	List<Address> others(String self, @Nullable String except) {
		List<Address> others = new ArrayList<>();
		this.addresses.forEach((name, address) -> {
			if (!name.equals(self) && !name.equals(except)) {
				others.add(address);
			}
		});
		return others;
	}

}
