package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.tiercache.remote.peers.PeerMessage.Type;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.jspecify.annotations.Nullable;

/**
 * A protocol for tests, inserted above UNICAST3 of one member: it holds the tiercache
 * requests of some types (from one sender, or any) that reach this member until the test
 * releases them, and lets everything else through, so a test decides when that member
 * handles them.
 */
final class HoldRequests extends Protocol {

	private final Set<Type> types;

	private final @Nullable Address from;

	private final List<Message> held = new ArrayList<>();

	private boolean holding = true;

	HoldRequests(Type... types) {
		this(null, types);
	}

	/** Hold only the requests that {@code from} sends, if not {@code null}. */
	HoldRequests(@Nullable Address from, Type... types) {
		this.types = Set.of(types);
		this.from = from;
	}

	synchronized int held() {
		return this.held.size();
	}

	/**
	 * Stop holding and deliver what was held, on a thread of its own.
	 */
	void release() {
		List<Message> release;
		synchronized (this) {
			this.holding = false;
			release = new ArrayList<>(this.held);
			this.held.clear();
		}
		Thread thread = new Thread(() -> release.forEach((message) -> this.up_prot.up(message)), "release-held");
		thread.start();
	}

	@Override
	public Object up(Message message) {
		return hold(message) ? null : this.up_prot.up(message);
	}

	@Override
	public void up(MessageBatch batch) {
		batch.removeIf(this::hold, true);
		if (!batch.isEmpty()) {
			this.up_prot.up(batch);
		}
	}

	private synchronized boolean hold(Message message) {
		if (!this.holding || message.getLength() == 0 || (this.from != null && !this.from.equals(message.getSrc()))) {
			return false;
		}
		try {
			PeerMessage request = PeerMessage.decode(message.getArray(), message.getOffset(), message.getLength());
			if (this.types.contains(request.type())) {
				this.held.add(message);
				return true;
			}
		}
		catch (RuntimeException ex) {
			// Not a tiercache request (JGroups' own messages): let it through.
		}
		return false;
	}

}
