package dev.tiercache.remote.peers;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.CodecException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * One connection that many threads share, against an owner played by the test, which
 * decides when it reads and in which order it answers.
 */
class FetchConnectionTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final ExecutorService callers = Executors.newCachedThreadPool();

	private ServerSocket server;

	private FetchConnection connection;

	private Socket owner;

	@BeforeEach
	void connect() throws IOException {
		this.server = new ServerSocket(0, 50, LOOPBACK);
		this.connection = FetchConnection.open(LOOPBACK, new InetSocketAddress(LOOPBACK, this.server.getLocalPort()),
				1000, "owner");
		this.owner = this.server.accept();
		this.owner.setSoTimeout(10_000);
	}

	@AfterEach
	void close() throws IOException {
		this.callers.shutdownNow();
		this.connection.close();
		this.owner.close();
		this.server.close();
	}

	@Test
	void answersInAnyOrderReachTheirOwnCallers() throws Exception {
		List<Future<PeerMessage>> asked = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			asked.add(ask("key-" + i, Duration.ofSeconds(10)));
		}
		List<Request> requests = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			requests.add(readRequest());
		}
		for (int i = requests.size() - 1; i >= 0; i--) {
			answer(requests.get(i).id(), "value of " + requests.get(i).key());
		}
		for (int i = 0; i < 3; i++) {
			assertThat(valueOf(asked.get(i).get(10, TimeUnit.SECONDS))).isEqualTo("value of key-" + i);
		}
	}

	@Test
	void aRequestQueuedWhileAnotherCallerWritesIsSentOnceThatWriteIsDone() throws Exception {
		// The owner reads nothing yet, so the first caller's large request fills the
		// socket and its write blocks.
		Future<PeerMessage> large = askLarge("large", Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(10)).until(this.connection::isWriting);
		// The second finds it writing, queues its request and waits for its answer.
		Future<PeerMessage> small = ask("small", Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(10)).until(this.connection::hasQueued);
		Request first = readRequest();
		Request second = readRequest();
		assertThat(second.key()).isEqualTo("small");
		answer(second.id(), "value of small");
		answer(first.id(), "value of the large key");
		assertThat(valueOf(small.get(10, TimeUnit.SECONDS))).isEqualTo("value of small");
		assertThat(valueOf(large.get(10, TimeUnit.SECONDS))).isEqualTo("value of the large key");
	}

	@Test
	void aCallerThatWritesForTheOthersHandsTheTurnOnAfterAFewWrites() throws Exception {
		// Each request fills the socket, so each write waits for the owner to read; a
		// new request is queued during every write.
		Future<PeerMessage> first = askLarge("first");
		await().atMost(Duration.ofSeconds(10)).until(this.connection::isWriting);
		List<Future<PeerMessage>> others = new ArrayList<>();
		for (int i = 1; i <= FetchConnection.MAX_TURNS; i++) {
			others.add(askLarge("large-" + i));
			await().atMost(Duration.ofSeconds(10)).until(this.connection::hasQueued);
			Request request = readRequest();
			// The writer takes the request queued, and its write waits again.
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.connection.hasQueued());
			answer(request.id(), "value of " + request.key());
		}
		// The first caller wrote its own request and three others', and then a fourth's
		// was queued: it hands the turn on, and has its answer, though that request has
		// not been read yet.
		assertThat(valueOf(first.get(10, TimeUnit.SECONDS))).isEqualTo("value of first");
		Request last = readRequest();
		answer(last.id(), "value of " + last.key());
		for (int i = 0; i < others.size(); i++) {
			assertThat(valueOf(others.get(i).get(10, TimeUnit.SECONDS))).isEqualTo("value of large-" + (i + 1));
		}
	}

	@Test
	void aLateAnswerIsDroppedAndTheConnectionServesTheNextCaller() throws Exception {
		Future<PeerMessage> late = ask("late", Duration.ofMillis(200));
		Request unanswered = readRequest();
		assertFailsWith(late, SocketTimeoutException.class);
		Future<PeerMessage> next = ask("next", Duration.ofSeconds(10));
		Request nextRequest = readRequest();
		answer(unanswered.id(), "value of late");
		answer(nextRequest.id(), "value of next");
		assertThat(valueOf(next.get(10, TimeUnit.SECONDS))).isEqualTo("value of next");
		assertThat(this.connection.isOpen()).isTrue();
	}

	@Test
	void aConnectionThatBreaksFailsEveryWaitingCallerAtOnce() throws Exception {
		Future<PeerMessage> first = ask("first", Duration.ofSeconds(60));
		Future<PeerMessage> second = ask("second", Duration.ofSeconds(60));
		readRequest();
		readRequest();
		this.owner.close();
		for (Future<PeerMessage> asked : List.of(first, second)) {
			assertFailsWith(asked, IOException.class);
		}
		assertThat(this.connection.isOpen()).isFalse();
	}

	@Test
	void anInterruptedCallerLeavesTheConnectionToTheOthers() throws Exception {
		CompletableFuture<Throwable> interruptedBefore = new CompletableFuture<>();
		Thread before = new Thread(() -> {
			Thread.currentThread().interrupt();
			interruptedBefore.complete(failureOf(() -> this.connection.exchange(fetch("before"), 10_000)));
		});
		before.start();
		assertThat(interruptedBefore.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
		CompletableFuture<Throwable> interruptedWaiting = new CompletableFuture<>();
		Thread waiting = new Thread(
				() -> interruptedWaiting.complete(failureOf(() -> this.connection.exchange(fetch("waiting"), 10_000))));
		waiting.start();
		readRequest();
		waiting.interrupt();
		assertThat(interruptedWaiting.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
		assertThat(this.connection.isOpen()).isTrue();
		// Interrupted while its write waits for the owner to read: a channel would close.
		CompletableFuture<Throwable> interruptedWriting = new CompletableFuture<>();
		Thread writing = new Thread(() -> interruptedWriting
			.complete(failureOf(() -> this.connection.exchange(largeFetch("large"), 10_000))));
		writing.start();
		await().atMost(Duration.ofSeconds(10)).until(this.connection::isWriting);
		writing.interrupt();
		assertThat(readRequest().key()).isEqualTo("large");
		assertThat(interruptedWriting.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
		assertThat(this.connection.isOpen()).isTrue();
		Future<PeerMessage> other = ask("other", Duration.ofSeconds(10));
		Request request = readRequest();
		answer(request.id(), "value of other");
		assertThat(valueOf(other.get(10, TimeUnit.SECONDS))).isEqualTo("value of other");
	}

	@Test
	void aWriteThatCannotGoOutIsEndedByTheWatchdog() throws Exception {
		Future<PeerMessage> large = askLarge("large", Duration.ofMillis(100));
		await().atMost(Duration.ofSeconds(10)).until(this.connection::isWriting);
		this.connection.expireIfLate(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
		assertFailsWith(large, IOException.class);
		assertThat(this.connection.isOpen()).isFalse();
	}

	@Test
	void anAnswerThatIsNotOursFailsTheWaitingCallers() throws Exception {
		Future<PeerMessage> asked = ask("key", Duration.ofSeconds(10));
		readRequest();
		this.owner.getOutputStream().write(ByteBuffer.allocate(12).putInt(-1).putInt(1).putInt(2).array());
		assertFailsWith(asked, CodecException.class);
		assertThat(this.connection.isOpen()).isFalse();
	}

	private Future<PeerMessage> ask(String key, Duration timeout) {
		return this.callers.submit(() -> this.connection.exchange(fetch(key), timeout.toMillis()));
	}

	private Future<PeerMessage> askLarge(String name) {
		return askLarge(name, Duration.ofSeconds(10));
	}

	private Future<PeerMessage> askLarge(String name, Duration timeout) {
		PeerMessage request = largeFetch(name);
		return this.callers.submit(() -> this.connection.exchange(request, timeout.toMillis()));
	}

	/**
	 * A fetch of a key 16 MiB long that starts with {@code name}, more than the sockets
	 * take: its write waits until the owner reads it.
	 */
	private static PeerMessage largeFetch(String name) {
		byte[] key = new byte[16 * 1024 * 1024];
		byte[] tag = name.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(tag, 0, key, 0, tag.length);
		return PeerMessage.of(Type.FETCH, "books", key);
	}

	/**
	 * Assert that {@code asked} fails, soon, with a {@code cause}.
	 */
	private static void assertFailsWith(Future<PeerMessage> asked, Class<? extends Throwable> cause) {
		assertThat(asked).failsWithin(Duration.ofSeconds(10))
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(cause);
	}

	private static PeerMessage fetch(String key) {
		return PeerMessage.of(Type.FETCH, "books", key.getBytes(StandardCharsets.UTF_8));
	}

	private Request readRequest() throws IOException {
		DataInputStream in = new DataInputStream(this.owner.getInputStream());
		int length = in.readInt();
		int id = in.readInt();
		byte[] body = in.readNBytes(length - FetchFrames.ID_SIZE);
		PeerMessage request = PeerMessage.decode(body, 0, body.length);
		String key = new String(request.key(), StandardCharsets.UTF_8);
		if (request.key().length > 1024) {
			int end = key.indexOf('\0');
			key = (end > 0) ? key.substring(0, end) : "large";
		}
		return new Request(id, key);
	}

	private void answer(int id, String value) throws IOException {
		byte[] body = PeerMessage.value(value.getBytes(StandardCharsets.UTF_8), 0).encode();
		OutputStream out = this.owner.getOutputStream();
		out.write(ByteBuffer.allocate(FetchFrames.HEADER_SIZE + body.length)
			.putInt(FetchFrames.ID_SIZE + body.length)
			.putInt(id)
			.put(body)
			.array());
		out.flush();
	}

	private static String valueOf(PeerMessage answer) {
		return new String(answer.value(), StandardCharsets.UTF_8);
	}

	private static Throwable failureOf(Exchange exchange) {
		try {
			exchange.run();
			return null;
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	private interface Exchange {

		void run() throws Exception;

	}

	private record Request(int id, String key) {
	}

}
