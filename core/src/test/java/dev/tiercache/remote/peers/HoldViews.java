package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.List;

import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * A protocol for tests, inserted below GMS of one member: it holds the views the
 * coordinator installs until the test releases them, so that this member keeps its old
 * view while the others have moved on, as a slow member does for a moment in every view
 * change.
 */
final class HoldViews extends Protocol {

	private static final short GMS_ID = ClassConfigurator.getProtocolId(GMS.class);

	private final List<Message> held = new ArrayList<>();

	private boolean holding = true;

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
		Thread thread = new Thread(() -> release.forEach((message) -> this.up_prot.up(message)), "release-views");
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
		if (!this.holding) {
			return false;
		}
		GMS.GmsHeader header = message.getHeader(GMS_ID);
		if (header != null && header.getType() == GMS.GmsHeader.VIEW) {
			this.held.add(message);
			return true;
		}
		return false;
	}

}
