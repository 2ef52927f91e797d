package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.PingHeader;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.NameCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A joiner whose discovery requests are lost once still joins the cluster, instead of
 * forming a cluster of its own that merges seconds later. {@code PeersHistoryTests} lost
 * them so: a member joined on the port of a member that had just died, while the
 * coordinator still sent to the dead member there; the coordinator's connection to the
 * port and the joiner's discovery connection crossed, the TCP transport kept one of the
 * two, and the request sent on the other was never read. With no answer from the
 * coordinator, the joiner made itself coordinator of a cluster of one.
 */
class JGroupsDiscoveryTests {

	private final List<JChannel> channels = new ArrayList<>();

	@AfterEach
	void close() {
		for (int i = this.channels.size() - 1; i >= 0; i--) {
			this.channels.get(i).close();
		}
	}

	@Test
	void aJoinerWhoseFirstDiscoveryRequestsAreLostJoinsTheCluster() throws Exception {
		int base = PeersCluster.freePortRange(6);
		String cluster = "lost-discovery-" + base;
		JChannel coordinator = start(cluster, base, "first");
		JChannel second = start(cluster, base, "second");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> coordinator.getView().size() == 2 && second.getView().size() == 2);
		List<DropFirstDiscoveryRequest> drops = new ArrayList<>();
		for (JChannel member : List.of(coordinator, second)) {
			DropFirstDiscoveryRequest drop = new DropFirstDiscoveryRequest("joiner");
			member.getProtocolStack().insertProtocol(drop, ProtocolStack.Position.ABOVE, TP.class);
			drops.add(drop);
		}
		JChannel joiner = start(cluster, base, "joiner");
		assertThat(drops).as("each member lost the joiner's first request")
			.allMatch(DropFirstDiscoveryRequest::dropped);
		assertThat(joiner.getView().getMembers()).as("the joiner's first view").hasSize(3);
		assertThat(joiner.getView().getCoord()).isEqualTo(coordinator.getAddress());
	}

	private JChannel start(String cluster, int base, String name) throws Exception {
		PeersSettings settings = new PeersSettings(cluster, name, "127.0.0.1", base, 4, Discovery.LOOPBACK, List.of(),
				null, null, null, Duration.ofSeconds(1), Duration.ofSeconds(3));
		JChannel channel = JGroupsStack.channel(settings);
		this.channels.add(channel);
		channel.connect(cluster);
		return channel;
	}

	/**
	 * A protocol for this test, inserted above the transport: it drops the first
	 * discovery request of the member named {@code joiner}, as a connection that the
	 * transport closed before reading it does.
	 */
	static final class DropFirstDiscoveryRequest extends Protocol {

		private static final short PING_ID = ClassConfigurator.getProtocolId(TCPPING.class);

		private final String joiner;

		private volatile boolean dropped;

		DropFirstDiscoveryRequest(String joiner) {
			this.joiner = joiner;
		}

		boolean dropped() {
			return this.dropped;
		}

		@Override
		public Object up(Message message) {
			return drop(message) ? null : this.up_prot.up(message);
		}

		@Override
		public void up(MessageBatch batch) {
			batch.removeIf(this::drop, true);
			if (!batch.isEmpty()) {
				this.up_prot.up(batch);
			}
		}

		private synchronized boolean drop(Message message) {
			if (this.dropped) {
				return false;
			}
			PingHeader header = message.getHeader(PING_ID);
			if (header != null && header.type() == PingHeader.GET_MBRS_REQ
					&& this.joiner.equals(NameCache.get(message.getSrc()))) {
				this.dropped = true;
				return true;
			}
			return false;
		}

	}

}
