package dev.tiercache.remote.peers;

import java.util.ArrayList;
import java.util.List;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.stats.Counter;
import org.jgroups.JChannel;
import org.jgroups.protocols.UNICAST3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read path between peers: a fetch and its answer skip {@code UNICAST3} (which would
 * resend them only after the requester gave up), writes do not; whether reads go through
 * JGroups or on the fetch transport.
 *
 * @author tiercache
 */
class PeersReadPathTests {

	private static final int READS = 200;

	private final List<PeersRemoteTier> started = new ArrayList<>();

	@AfterEach
	void stopMembers() {
		this.started.forEach(PeersRemoteTier::close);
	}

	@ParameterizedTest(name = "fetch transport {0}")
	@ValueSource(booleans = { false, true })
	void fetchesAndTheirAnswersSkipUnicastRetransmissionWhileWritesKeepIt(boolean fetchTransport) {
		List<PeersRemoteTier> members = PeersCluster.start("read-path", 2,
				(settings) -> settings.withFetchTransport(fetchTransport));
		this.started.addAll(members);
		List<TierCache> caches = new ArrayList<>();
		for (PeersRemoteTier member : members) {
			caches.add(TierCacheManager.builder()
				.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig().withHotRatio(0))
				.remoteTier(member)
				.build()
				.getCache("books"));
		}
		List<Object> remoteKeys = new ArrayList<>();
		for (int i = 0; remoteKeys.size() < 10; i++) {
			if (members.get(1).ownsLocally("books", "key-" + i)) {
				remoteKeys.add("key-" + i);
			}
		}
		long writesBefore = sent(members.get(0));
		remoteKeys.forEach((key) -> caches.get(0).put(key, "value of " + key));
		assertThat(sent(members.get(0)) - writesBefore).as("reliable messages sent for %d writes", remoteKeys.size())
			.isGreaterThanOrEqualTo(remoteKeys.size());

		long requestsBefore = sent(members.get(0));
		long answersBefore = sent(members.get(1));
		for (int i = 0; i < READS; i++) {
			Object key = remoteKeys.get(i % remoteKeys.size());
			assertThat(caches.get(0).get(key, String.class)).isEqualTo("value of " + key);
			assertThat(caches.get(0).get(key, () -> "loaded")).isEqualTo("value of " + key);
		}
		assertThat(caches.get(0).getStats().count(Counter.REMOTE_HITS)).isGreaterThanOrEqualTo(2 * READS);
		// JGroups' own traffic (merge and failure detection) may add a few.
		assertThat(sent(members.get(0)) - requestsBefore).as("reliable messages sent by the requester").isLessThan(10);
		assertThat(sent(members.get(1)) - answersBefore).as("reliable messages sent by the owner").isLessThan(10);
		assertThat(PeersCluster.fetchEndpoint(members.get(0)) != null).isEqualTo(fetchTransport);
		assertThat(PeersCluster.fetchFallbacks(members.get(0))).isZero();
	}

	private static long sent(PeersRemoteTier member) {
		JChannel channel = member.channel();
		assertThat(channel).isNotNull();
		UNICAST3 unicast = channel.getProtocolStack().findProtocol(UNICAST3.class);
		return unicast.getNumMessagesSent();
	}

}
