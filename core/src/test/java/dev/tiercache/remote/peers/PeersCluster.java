package dev.tiercache.remote.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * Members of a test cluster on 127.0.0.1, on ports of their own.
 */
public final class PeersCluster {

	private PeersCluster() {
	}

	/**
	 * Settings of member {@code index} of {@code cluster}, all members probing the same
	 * port range starting at {@code basePort}.
	 */
	public static PeersSettings settings(String cluster, int basePort, int index, int size) {
		return new PeersSettings(cluster, "member-" + index, "127.0.0.1", basePort, size + 2, Discovery.LOOPBACK,
				List.of(), null, null, null, Duration.ofSeconds(2), Duration.ofSeconds(10));
	}

	/**
	 * Start {@code size} members and wait until they see each other.
	 */
	public static List<PeersRemoteTier> start(String cluster, int size) {
		return start(cluster, size, (UnaryOperator<PeersSettings>) (settings) -> settings);
	}

	/**
	 * Start {@code size} members with the given timeouts and wait until they see each
	 * other.
	 */
	public static List<PeersRemoteTier> start(String cluster, int size, Duration rpcTimeout, Duration leaseTimeout) {
		int basePort = freePortRange(size + 3);
		List<PeersRemoteTier> members = new ArrayList<>();
		for (int i = 1; i <= size; i++) {
			PeersSettings settings = withTimeouts(settings(cluster, basePort, i, size), rpcTimeout, leaseTimeout);
			PeersRemoteTier member = member(settings);
			member.start();
			members.add(member);
		}
		awaitMembers(members, size);
		return members;
	}

	/**
	 * Start {@code size} members with settings changed by {@code change} and wait until
	 * they see each other.
	 */
	public static List<PeersRemoteTier> start(String cluster, int size, UnaryOperator<PeersSettings> change) {
		int basePort = freePortRange(size + 3);
		List<PeersRemoteTier> members = new ArrayList<>();
		for (int i = 1; i <= size; i++) {
			PeersRemoteTier member = member(change.apply(settings(cluster, basePort, i, size)));
			member.start();
			members.add(member);
		}
		awaitMembers(members, size);
		return members;
	}

	static PeersSettings withTimeouts(PeersSettings settings, Duration rpcTimeout, Duration leaseTimeout) {
		return new PeersSettings(settings.clusterName(), settings.nodeName(), settings.bindAddress(), settings.port(),
				settings.portRange(), settings.discovery(), settings.members(), settings.dnsQuery(), settings.stack(),
				settings.secret(), rpcTimeout, leaseTimeout, settings.fetchTransport());
	}

	/**
	 * Start {@code size} members sharing {@code secret} and wait until they see each
	 * other.
	 */
	public static List<PeersRemoteTier> start(String cluster, int size, String secret) {
		int basePort = freePortRange(size + 3);
		List<PeersRemoteTier> members = new ArrayList<>();
		for (int i = 1; i <= size; i++) {
			PeersRemoteTier member = member(withSecret(settings(cluster, basePort, i, size), secret));
			member.start();
			members.add(member);
		}
		awaitMembers(members, size);
		return members;
	}

	/**
	 * Wait until every one of {@code members} sees {@code size} members.
	 */
	public static void awaitMembers(List<PeersRemoteTier> members, int size) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> members.stream().allMatch((member) -> member.view().members().size() == size));
	}

	/**
	 * Create a member, not yet started, with the codec every test uses.
	 */
	static PeersRemoteTier member(PeersSettings settings) {
		return PeersRemoteTier.create(settings, codec());
	}

	/**
	 * The codec every test member uses.
	 */
	static ValueCodec codec() {
		return ValueCodec.java(AllowList.of(List.of("dev.tiercache")));
	}

	static PeersSettings withSecret(PeersSettings settings, String secret) {
		return new PeersSettings(settings.clusterName(), settings.nodeName(), settings.bindAddress(), settings.port(),
				settings.portRange(), settings.discovery(), settings.members(), settings.dnsQuery(), settings.stack(),
				secret, settings.rpcTimeout(), settings.leaseTimeout(), settings.fetchTransport());
	}

	/**
	 * Find {@code count} consecutive free ports on the loopback interface.
	 */
	public static int freePortRange(int count) {
		for (int attempt = 0; attempt < 50; attempt++) {
			int base = 20000 + (int) (Math.random() * 30000);
			if (allFree(base, count)) {
				return base;
			}
		}
		throw new IllegalStateException("No " + count + " consecutive free ports on the loopback interface");
	}

	private static boolean allFree(int base, int count) {
		for (int port = base; port < base + count; port++) {
			try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
				socket.setReuseAddress(true);
			}
			catch (IOException ex) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Return where {@code member} serves fetches, or {@code null} if its reads go through
	 * JGroups.
	 */
	static @Nullable InetSocketAddress fetchEndpoint(PeersRemoteTier member) {
		FetchTransport fetchTransport = member.fetchTransport();
		return (fetchTransport != null) ? fetchTransport.endpoint() : null;
	}

	/**
	 * Return how many reads {@code member} sent through JGroups although its fetch
	 * transport is on.
	 */
	static long fetchFallbacks(PeersRemoteTier member) {
		FetchTransport fetchTransport = member.fetchTransport();
		return (fetchTransport != null) ? fetchTransport.client().fallbacks() : 0;
	}

}
