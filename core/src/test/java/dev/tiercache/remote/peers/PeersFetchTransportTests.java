package dev.tiercache.remote.peers;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fetch transport: reads from a key's owner on tiercache's own connections, a fall
 * back to JGroups when they fail, and an owner's defence against frames that are not
 * ours.
 *
 * @author tiercache
 */
class PeersFetchTransportTests {

	private final List<PeersRemoteTier> started = new ArrayList<>();

	private final List<TierCache> caches = new ArrayList<>();

	@AfterEach
	void stopMembers() {
		this.started.forEach(PeersRemoteTier::close);
	}

	private void start(String cluster, Duration rpcTimeout) {
		List<PeersRemoteTier> members = PeersCluster.start(cluster, 2, rpcTimeout, Duration.ofSeconds(10));
		this.started.addAll(members);
		for (PeersRemoteTier member : members) {
			this.caches.add(TierCacheManager.builder()
				.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig().withHotRatio(0))
				.remoteTier(member)
				.build()
				.getCache("books"));
		}
	}

	/** Ten keys that member 1 owns, stored there. */
	private List<Object> storedAtMemberOne() {
		List<Object> keys = new ArrayList<>();
		for (int i = 0; keys.size() < 10; i++) {
			if (this.started.get(1).ownsLocally("books", "key-" + i)) {
				keys.add("key-" + i);
				this.caches.get(1).put("key-" + i, "value of key-" + i);
			}
		}
		return keys;
	}

	private void readAllFromMemberZero(List<Object> keys) {
		for (Object key : keys) {
			assertThat(this.caches.get(0).get(key, String.class)).isEqualTo("value of " + key);
			assertThat(this.caches.get(0).get(key, () -> "loaded")).isEqualTo("value of " + key);
		}
	}

	@Test
	void readsFromTheOwnerDoNotTravelThroughJGroups() throws Exception {
		start("fetch-transport", Duration.ofSeconds(2));
		List<Object> keys = storedAtMemberOne();
		// Reads that went through JGroups would be held here, and time out.
		HoldRequests hold = new HoldRequests(Type.FETCH, Type.FETCH_OR_LEASE);
		this.started.get(1)
			.channel()
			.getProtocolStack()
			.insertProtocol(hold, ProtocolStack.Position.ABOVE, UNICAST3.class);
		for (int round = 0; round < 10; round++) {
			readAllFromMemberZero(keys);
		}
		assertThat(hold.held()).isZero();
		assertThat(this.caches.get(0).getStats().count(Counter.REMOTE_HITS))
			.isGreaterThanOrEqualTo(2 * 10 * keys.size());
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
		assertThat(this.started.get(0).view().details().get("fetchTransport"))
			.isEqualTo(PeersCluster.fetchEndpoint(this.started.get(0)).toString());
	}

	@Test
	void readsFallBackToJGroupsWhenTheFetchConnectionDies() {
		start("fetch-fallback", Duration.ofSeconds(2));
		List<Object> keys = storedAtMemberOne();
		readAllFromMemberZero(keys);
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
		this.started.get(1).fetchTransport().server().close();
		for (int round = 0; round < 3; round++) {
			readAllFromMemberZero(keys);
		}
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isEqualTo(2 * 3 * keys.size());
		assertThat(this.started.get(0).view().details().get("fetchFallbacks")).isEqualTo(2L * 3 * keys.size());
	}

	@Test
	void readsFallBackToJGroupsWhenTheOwnersFetchThreadDies() throws Exception {
		start("fetch-dead-loop", Duration.ofSeconds(2));
		List<Object> keys = storedAtMemberOne();
		readAllFromMemberZero(keys);
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
		// The selector closed under the owner's fetch thread, as any failure of the
		// thread
		// ends it: its server socket must not go on accepting connections nobody serves.
		fetchLoopOf(this.started.get(1)).selector().close();
		InetSocketAddress endpoint = PeersCluster.fetchEndpoint(this.started.get(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> refused(endpoint));
		for (int round = 0; round < 3; round++) {
			readAllFromMemberZero(keys);
		}
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isEqualTo(2 * 3 * keys.size());
	}

	@Test
	void anOwnerWhoseFetchesTimeOutThreeTimesInARowIsAskedThroughJGroups() throws Exception {
		start("fetch-timeouts", Duration.ofSeconds(1));
		List<Object> keys = storedAtMemberOne();
		readAllFromMemberZero(keys);
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		// The owner's fetch thread hangs; JGroups still reaches it.
		try (AutoCloseable stalled = stallTheOwnersFetchThread(keys.get(0))) {
			for (int i = 0; i < FetchEndpoint.TIMEOUTS_IN_A_ROW; i++) {
				assertThat(this.caches.get(0).get(keys.get(i), () -> "loaded here")).isEqualTo("loaded here");
			}
			assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS))
				.isEqualTo(FetchEndpoint.TIMEOUTS_IN_A_ROW);
			// Now through JGroups, for the back-off: answered, though the thread hangs.
			Object next = keys.get(FetchEndpoint.TIMEOUTS_IN_A_ROW);
			assertThat(this.caches.get(0).get(next, () -> "loaded here")).isEqualTo("value of " + next);
			assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isEqualTo(1);
		}
	}

	@Test
	void aFrameThatIsNotOursClosesOnlyItsConnection() throws Exception {
		start("fetch-hostile", Duration.ofSeconds(2));
		List<Object> keys = storedAtMemberOne();
		readAllFromMemberZero(keys);
		InetSocketAddress endpoint = PeersCluster.fetchEndpoint(this.started.get(1));
		for (int length : new int[] { Integer.MAX_VALUE, -1, 0, FetchFrames.MAX_LENGTH + 1 }) {
			try (Socket hostile = new Socket(endpoint.getAddress(), endpoint.getPort())) {
				hostile.setSoTimeout(5000);
				hostile.getOutputStream().write(ByteBuffer.allocate(12).putInt(length).putInt(1).putInt(2).array());
				assertThat(closedByPeer(hostile)).as("closed after a length of %d", length).isTrue();
			}
		}
		try (Socket confused = new Socket(endpoint.getAddress(), endpoint.getPort())) {
			confused.setSoTimeout(5000);
			// Not a peer message: answered ERROR and counted, the connection stays.
			confused.getOutputStream().write(frame(7, "garbage".getBytes()));
			assertThat(answer(confused.getInputStream(), 7).type()).isEqualTo(Type.ERROR);
			// A write on the fetch transport: refused, not applied.
			byte[] key = keyBytes(keys.get(0));
			confused.getOutputStream()
				.write(frame(8, PeerMessage.of(Type.PUT, "books", key).withValue(new byte[] { 1 }, 0).encode()));
			assertThat(answer(confused.getInputStream(), 8).type()).isEqualTo(Type.ERROR);
			confused.getOutputStream().write(frame(9, PeerMessage.of(Type.FETCH, "books", key).encode()));
			assertThat(answer(confused.getInputStream(), 9).type()).isEqualTo(Type.VALUE);
		}
		assertThat(this.started.get(1).view().details().get("rejectedPayloads")).isEqualTo(2L);
		readAllFromMemberZero(keys);
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
	}

	@Test
	void anOwnerThatStopsAnsweringIsAPeerErrorWithinTheRpcTimeout() throws Exception {
		start("fetch-silent", Duration.ofMillis(300));
		List<Object> keys = storedAtMemberOne();
		readAllFromMemberZero(keys);
		try (AutoCloseable stalled = stallTheOwnersFetchThread(keys.get(0))) {
			long start = System.nanoTime();
			assertThat(this.caches.get(0).get(keys.get(1), () -> "loaded here")).isEqualTo("loaded here");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
			assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isPositive();
		}
		assertThat(this.caches.get(0).get(keys.get(2), String.class)).isEqualTo("value of " + keys.get(2));
	}

	@Test
	void threadsFetchingAtOnceShareOneConnectionAndEachGetsItsOwnAnswer() throws Exception {
		start("fetch-shared", Duration.ofSeconds(5));
		List<Object> keys = storedAtMemberOne();
		ExecutorService threads = Executors.newFixedThreadPool(16);
		try {
			List<Future<?>> reads = new ArrayList<>();
			for (int thread = 0; thread < 16; thread++) {
				reads.add(threads.submit(() -> {
					for (int round = 0; round < 50; round++) {
						readAllFromMemberZero(keys);
					}
				}));
			}
			for (Future<?> read : reads) {
				read.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.caches.get(0).getStats().count(Counter.PEER_ERRORS)).isZero();
		assertThat(PeersCluster.fetchFallbacks(this.started.get(0))).isZero();
		// The owner served them all on one connection.
		Field connections = FetchLoop.class.getDeclaredField("connections");
		connections.setAccessible(true);
		Set<?> served = (Set<?>) connections.get(fetchLoopOf(this.started.get(1)));
		assertThat(served).hasSize(1);
	}

	@Test
	void anOwnerHoldsFewAnswersForAPeerThatAsksWithoutReading() throws Exception {
		start("fetch-greedy", Duration.ofSeconds(2));
		Object key = storedAtMemberOne().get(0);
		this.caches.get(1).put(key, "x".repeat(1024 * 1024));
		InetSocketAddress endpoint = PeersCluster.fetchEndpoint(this.started.get(1));
		long servedBefore = this.caches.get(1).getStats().count(Counter.SERVER_REQUESTS);
		try (Socket greedy = new Socket(endpoint.getAddress(), endpoint.getPort());
				Socket other = new Socket(endpoint.getAddress(), endpoint.getPort())) {
			// A hundred requests for a 1 MB value in one write, and no answer read.
			ByteArrayOutputStream requests = new ByteArrayOutputStream();
			for (int id = 1; id <= 100; id++) {
				requests.write(frame(id, PeerMessage.of(Type.FETCH, "books", keyBytes(key)).encode()));
			}
			greedy.getOutputStream().write(requests.toByteArray());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.caches.get(1).getStats().count(Counter.SERVER_REQUESTS) > servedBefore);
			// The owner's one thread answers another connection only once it has left
			// the greedy one's requests.
			other.setSoTimeout(10_000);
			other.getOutputStream().write(frame(1, PeerMessage.of(Type.FETCH, "books", keyBytes(key)).encode()));
			assertThat(answer(other.getInputStream(), 1).type()).isEqualTo(Type.VALUE);
			long served = this.caches.get(1).getStats().count(Counter.SERVER_REQUESTS) - servedBefore - 1;
			// As many as the sockets' buffers take, and then one that waits.
			assertThat(served).as("answers made for the greedy connection").isBetween(1L, 20L);
		}
	}

	@Test
	void aSharedSecretKeepsReadsOnJGroups() {
		List<PeersRemoteTier> members = PeersCluster.start("fetch-secret", 2, "s3cret");
		this.started.addAll(members);
		assertThat(members).allSatisfy((member) -> assertThat(PeersCluster.fetchEndpoint(member)).isNull());
		assertThat(members.get(0).view().details().get("fetchTransport")).isEqualTo("off");
	}

	/**
	 * Make member 1's fetch thread stop answering: a request on a connection of the
	 * test's own names a cache the owner does not know, and the owner's creation of it
	 * hangs until the returned handle is closed. JGroups still reaches the owner.
	 */
	private AutoCloseable stallTheOwnersFetchThread(Object key) throws Exception {
		CountDownLatch hanging = new CountDownLatch(1);
		CountDownLatch hang = new CountDownLatch(1);
		this.started.get(1).onUnknownCache((name) -> {
			hanging.countDown();
			try {
				hang.await(20, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		InetSocketAddress endpoint = PeersCluster.fetchEndpoint(this.started.get(1));
		Socket stall = new Socket(endpoint.getAddress(), endpoint.getPort());
		AutoCloseable release = () -> {
			hang.countDown();
			stall.close();
		};
		try {
			stall.getOutputStream().write(frame(1, PeerMessage.of(Type.FETCH, "unknown", keyBytes(key)).encode()));
			assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
			return release;
		}
		catch (Exception | AssertionError ex) {
			release.close();
			throw ex;
		}
	}

	private static FetchLoop fetchLoopOf(PeersRemoteTier member) throws ReflectiveOperationException {
		Field loops = FetchServer.class.getDeclaredField("loops");
		loops.setAccessible(true);
		return ((FetchLoop[]) loops.get(member.fetchTransport().server()))[0];
	}

	private static boolean refused(InetSocketAddress endpoint) {
		try (Socket socket = new Socket(endpoint.getAddress(), endpoint.getPort())) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	private static boolean closedByPeer(Socket socket) throws IOException {
		try {
			return socket.getInputStream().read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			// Reset rather than closed: closed too.
			return true;
		}
	}

	private static byte[] keyBytes(Object key) {
		return PeersCluster.codec().encode(key);
	}

	private static byte[] frame(int id, byte[] body) {
		return ByteBuffer.allocate(FetchFrames.HEADER_SIZE + body.length)
			.putInt(FetchFrames.ID_SIZE + body.length)
			.putInt(id)
			.put(body)
			.array();
	}

	private static PeerMessage answer(InputStream stream, int id) throws IOException {
		DataInputStream in = new DataInputStream(stream);
		int length = in.readInt();
		assertThat(in.readInt()).isEqualTo(id);
		byte[] body = in.readNBytes(length - FetchFrames.ID_SIZE);
		return PeerMessage.decode(body, 0, body.length);
	}

}
