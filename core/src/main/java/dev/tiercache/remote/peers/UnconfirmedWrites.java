package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.tiercache.codec.CodecException;
import org.jspecify.annotations.Nullable;

/**
 * The keys of one cache whose last write their owner has not confirmed: no member reads
 * them from another member until it has.
 *
 * <p>
 * An owner that does not answer a write within {@code rpc-timeout} may only be slow
 * (starved of CPU, its JGroups threads behind): it applies the write late, and until then
 * it still serves the old value to every member that asks, although the write has
 * returned. So the writer marks the key here, and its invalidation tells every other
 * member to mark it too; a member then loads a marked key itself (a peer error, the value
 * kept in hot) instead of fetching it. Once the owner answers the writer's follow-up
 * eviction, or leaves the view, the writer lifts the mark everywhere and tells every
 * member to drop the key once more.
 *
 * <p>
 * Only the writer lifts a mark, so a mark remembers its writer and the owner; a key
 * marked by two writers stays marked until both have confirmed (the second writer's write
 * may be applied and confirmed while the first's is still on its way to the owner, and
 * lands over it). A mark is dropped when its writer or owner leaves the view: a writer
 * that left follows up no more, and an owner that left serves nothing more (its successor
 * was told to drop the key, and refuses it in a hand-off). Otherwise a mark lapses after
 * {@code window}, when the writer has stopped following up. Memory is bounded: past
 * {@code capacity} keys the table forgets them all and marks the whole cache for one
 * window instead (every read of it then loads locally).
 *
 * @author tiercache
 */
final class UnconfirmedWrites {

	/** The marks of each marked key: one per writer, usually one. */
	private final Map<Object, List<Mark>> marks = new ConcurrentHashMap<>();

	private final long windowNanos;

	private final int capacity;

	/** Until when every key is marked, after an overflow; 0 if never. */
	private volatile long everyKeyUntil;

	UnconfirmedWrites(long windowNanos, int capacity) {
		this.windowNanos = windowNanos;
		this.capacity = capacity;
	}

	/**
	 * The owner of {@code key} has not confirmed a write of it that {@code writer} made.
	 */
	void unconfirmed(Object key, String writer, String owner, long now) {
		Mark mark = new Mark(writer, owner, now + this.windowNanos);
		this.marks.merge(key, List.of(mark), (marks, added) -> with(marks, mark, now));
		if (this.marks.size() > this.capacity) {
			this.marks.values().removeIf((marks) -> marks.stream().allMatch((lapsed) -> lapsed.until() - now <= 0));
			if (this.marks.size() > this.capacity) {
				this.everyKeyUntil = now + this.windowNanos;
				this.marks.clear();
			}
		}
	}

	/**
	 * The owner of {@code key} has confirmed the writes that {@code writer} made: lift
	 * that writer's mark. Another writer's mark stays: the owner may still apply that
	 * writer's write late, over a newer one. A writer's own writes reach the owner in the
	 * order it sent them, so its confirmation covers those it sent before.
	 */
	void confirmed(Object key, String writer) {
		this.marks.computeIfPresent(key, (marked, marks) -> without(marks, (mark) -> mark.writer().equals(writer)));
	}

	/**
	 * Drop the marks whose writer or owner is not among {@code members}.
	 */
	void retainMembers(Collection<String> members) {
		if (!this.marks.isEmpty()) {
			this.marks.keySet()
				.forEach((key) -> this.marks.computeIfPresent(key, (marked, marks) -> without(marks,
						(mark) -> !members.contains(mark.writer()) || !members.contains(mark.owner()))));
		}
	}

	/**
	 * Return whether {@code key} must not be read from another member now.
	 */
	boolean isUnconfirmed(Object key) {
		return (!this.marks.isEmpty() || this.everyKeyUntil != 0) && isUnconfirmed(key, System.nanoTime());
	}

	boolean isUnconfirmed(Object key, long now) {
		long everyKeyUntil = this.everyKeyUntil;
		if (everyKeyUntil != 0) {
			if (everyKeyUntil - now > 0) {
				return true;
			}
			this.everyKeyUntil = 0;
		}
		List<Mark> marks = this.marks.get(key);
		if (marks == null) {
			return false;
		}
		for (Mark mark : marks) {
			if (mark.until() - now > 0) {
				return true;
			}
		}
		this.marks.remove(key, marks);
		return false;
	}

	/**
	 * Return whether {@code writer}'s own mark on {@code key} stands: a write of its that
	 * the owner has not confirmed.
	 */
	boolean isMarkedBy(Object key, String writer) {
		List<Mark> marks = this.marks.get(key);
		if (marks == null) {
			return false;
		}
		long now = System.nanoTime();
		return marks.stream().anyMatch((mark) -> mark.writer().equals(writer) && mark.until() - now > 0);
	}

	private static List<Mark> with(List<Mark> marks, Mark added, long now) {
		List<Mark> result = new ArrayList<>(marks.size() + 1);
		for (Mark mark : marks) {
			if (!mark.writer().equals(added.writer()) && mark.until() - now > 0) {
				result.add(mark);
			}
		}
		result.add(added);
		return List.copyOf(result);
	}

	private static @Nullable List<Mark> without(List<Mark> marks, Predicate<Mark> lifted) {
		List<Mark> result = marks.stream().filter(lifted.negate()).toList();
		return result.isEmpty() ? null : result;
	}

	/**
	 * The writer's and the owner's names, as an {@code UNCONFIRMED} invalidation carries
	 * them.
	 */
	static byte[] names(String writer, String owner) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeUTF(writer);
			out.writeUTF(owner);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * The writer's and the owner's names from {@link #names(String, String)}.
	 * @throws CodecException if {@code value} is not two names
	 */
	static String[] names(byte[] value) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
			return new String[] { in.readUTF(), in.readUTF() };
		}
		catch (IOException ex) {
			throw new CodecException("An unconfirmed write without its writer and owner", ex);
		}
	}

	private record Mark(String writer, String owner, long until) {
	}

}
