package dev.tiercache.remote.peers;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.util.Assert;

/**
 * Which member owns which key: rendezvous (highest random weight) hashing over the
 * members' logical names. Every member scores every key with a 64-bit mix of the two
 * hashes and the highest score owns it, so
 * <ul>
 * <li>every node that sees the same members computes the same owner, with no
 * coordination;</li>
 * <li>a joining member takes exactly the keys it now wins, about 1/(N+1) of them, and a
 * leaving member's keys spread evenly over the others;</li>
 * <li>balance is as even as the key hashes themselves (no virtual-node arcs to
 * tune).</li>
 * </ul>
 * A lookup costs one mix per member, which is nothing next to the network request that
 * follows it, and it never runs on the hit path.
 *
 * @author tiercache
 */
public final class HashRing {

	private final List<String> members;

	private final long[] seeds;

	/**
	 * Create a ring.
	 * @param members the members' logical names, in any order
	 */
	public HashRing(List<String> members) {
		Assert.notEmpty(members, "A ring needs at least one member");
		this.members = List.copyOf(members);
		this.seeds = new long[this.members.size()];
		for (int i = 0; i < this.seeds.length; i++) {
			this.seeds[i] = hash(this.members.get(i));
		}
	}

	/**
	 * Return the member that owns the key named {@code keyName}.
	 * @param keyName the key's name
	 * @return the owner's logical name
	 */
	public String ownerOf(String keyName) {
		return this.members.get(indexOf(hash(keyName)));
	}

	private int indexOf(long keyHash) {
		int best = 0;
		long bestScore = Long.MIN_VALUE;
		for (int i = 0; i < this.seeds.length; i++) {
			long score = mix(keyHash ^ this.seeds[i]);
			if (score > bestScore
					|| (score == bestScore && this.members.get(i).compareTo(this.members.get(best)) < 0)) {
				bestScore = score;
				best = i;
			}
		}
		return best;
	}

	/**
	 * Return the members.
	 * @return the logical names
	 */
	public List<String> members() {
		return this.members;
	}

	/**
	 * Return a member's expected share of the keys.
	 * @return 1/N
	 */
	public double share() {
		return 1.0 / this.members.size();
	}

	/**
	 * Hash text to 64 bits: FNV-1a over its UTF-8 bytes, then a finalizing mix.
	 */
	static long hash(String text) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xff);
			hash *= 0x100000001b3L;
		}
		return mix(hash);
	}

	/**
	 * The SplitMix64 finalizer: every input bit affects every output bit.
	 */
	static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
		z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
		return z ^ (z >>> 31);
	}

}
