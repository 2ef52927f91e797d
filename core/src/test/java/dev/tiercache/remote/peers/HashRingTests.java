package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HashRingTests {

	private static List<String> members(int count) {
		List<String> members = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			members.add("10.0." + (i / 250) + "." + (i % 250) + ":8080");
		}
		return members;
	}

	@Test
	void hundredMembersShareTheKeysWithinTenPercentOfTheAverage() {
		HashRing ring = new HashRing(members(100));
		int keys = 1_000_000;
		Map<String, Integer> owned = new HashMap<>();
		for (int key = 0; key < keys; key++) {
			owned.merge(ring.ownerOf("books:" + key), 1, Integer::sum);
		}
		double average = keys / 100.0;
		int busiest = owned.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
		int idlest = owned.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
		assertThat(owned).hasSize(100);
		assertThat(busiest / average).as("busiest member's share over the average").isLessThanOrEqualTo(1.10);
		assertThat(idlest / average).as("idlest member's share over the average").isGreaterThanOrEqualTo(0.90);
	}

	@Test
	void aJoiningMemberMovesAboutOneInNPlusOneKeys() {
		List<String> before = members(100);
		List<String> after = new ArrayList<>(before);
		after.add("10.0.9.9:8080");
		HashRing old = new HashRing(before);
		HashRing grown = new HashRing(after);
		int keys = 100_000;
		int moved = 0;
		for (int key = 0; key < keys; key++) {
			String name = "books:" + key;
			String previous = old.ownerOf(name);
			String next = grown.ownerOf(name);
			if (!previous.equals(next)) {
				moved++;
				assertThat(next).as("a moved key moves to the new member").isEqualTo("10.0.9.9:8080");
			}
		}
		assertThat(moved).isPositive().isLessThanOrEqualTo((int) (1.1 * keys / 101));
	}

	@Test
	void everyNodeComputesTheSameOwnerWhateverTheOrderOfMembers() {
		List<String> members = members(7);
		List<String> reversed = new ArrayList<>(members);
		java.util.Collections.reverse(reversed);
		HashRing one = new HashRing(members);
		HashRing other = new HashRing(reversed);
		for (int key = 0; key < 10_000; key++) {
			assertThat(other.ownerOf("k" + key)).isEqualTo(one.ownerOf("k" + key));
		}
	}

}
