package dev.tiercache.remote.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An owner's fetch endpoint after a failure, against a server socket that nobody accepts
 * from: as a stuck fetch server, the kernel completes every connect into its backlog and
 * nothing is ever answered.
 */
class FetchEndpointTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	@Test
	void aProbeThatConnectsKeepsTheOtherCallersOnJGroupsUntilItIsAnswered() throws Exception {
		try (ServerSocket stuck = new ServerSocket(0, 50, LOOPBACK)) {
			FetchEndpoint endpoint = new FetchEndpoint("owner", new InetSocketAddress(LOOPBACK, stuck.getLocalPort()),
					LOOPBACK, 300);
			endpoint.down("three fetches in a row got no answer");
			assertThat(endpoint.acquire()).as("within the back-off").isNull();
			awaitBackOff(FetchEndpoint.MIN_BACK_OFF_NANOS);
			FetchConnection probe = endpoint.acquire();
			assertThat(probe).as("the probe").isNotNull();
			// A connect proves nothing: the others wait for the probe's answer.
			assertThat(endpoint.acquire()).as("another caller while the probe waits").isNull();
			endpoint.timedOut(probe, 300);
			// A probe that timed out is a failure: a back-off again.
			assertThat(endpoint.acquire()).as("after the probe timed out").isNull();
			awaitBackOff(FetchEndpoint.MIN_BACK_OFF_NANOS);
			FetchConnection answered = endpoint.acquire();
			assertThat(answered).as("the next probe").isNotNull();
			assertThat(endpoint.acquire()).as("another caller while the next probe waits").isNull();
			endpoint.answered(answered);
			assertThat(endpoint.acquire()).as("once a probe was answered, every caller").isSameAs(answered);
			assertThat(endpoint.acquire()).as("and a second at once").isSameAs(answered);
			endpoint.close();
		}
	}

	@Test
	void aLateAnswerOnAConnectionGivenUpDoesNotEndTheBackOff() throws Exception {
		try (ServerSocket stuck = new ServerSocket(0, 50, LOOPBACK)) {
			FetchEndpoint endpoint = new FetchEndpoint("owner", new InetSocketAddress(LOOPBACK, stuck.getLocalPort()),
					LOOPBACK, 300);
			FetchConnection connection = endpoint.acquire();
			assertThat(connection).isNotNull();
			for (int i = 0; i < FetchEndpoint.TIMEOUTS_IN_A_ROW; i++) {
				endpoint.timedOut(connection, 300);
			}
			assertThat(endpoint.acquire()).as("after three timeouts in a row").isNull();
			// Another caller's answer, on the connection given up, comes late.
			endpoint.answered(connection);
			assertThat(endpoint.acquire()).as("after a late answer on it").isNull();
			endpoint.close();
		}
	}

	@Test
	void aConnectionThatBreaksOnItsOwnSendsTheCallersThroughJGroups() throws Exception {
		try (ServerSocket closing = new ServerSocket(0, 50, LOOPBACK)) {
			Thread acceptor = new Thread(() -> {
				try (Socket accepted = closing.accept()) {
					// Closed at once, as by an owner whose fetch server stops.
				}
				catch (IOException ex) {
					// The test ended.
				}
			});
			acceptor.start();
			FetchEndpoint endpoint = new FetchEndpoint("owner", new InetSocketAddress(LOOPBACK, closing.getLocalPort()),
					LOOPBACK, 300);
			FetchConnection connection = endpoint.acquire();
			assertThat(connection).isNotNull();
			await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
			// Not a new connection for each caller: a back-off, as after a failed one.
			assertThat(endpoint.acquire()).as("a caller after the break").isNull();
			endpoint.failed(connection, "one of its callers saw it break");
			assertThat(endpoint.acquire()).as("still within the back-off").isNull();
			endpoint.close();
			acceptor.join(10_000);
		}
	}

	/**
	 * Let a back-off of {@code nanos} (plus a margin) pass: it is measured on the clock.
	 */
	private static void awaitBackOff(long nanos) {
		long until = System.nanoTime() + nanos + TimeUnit.MILLISECONDS.toNanos(100);
		await().atMost(Duration.ofNanos(nanos).plusSeconds(5)).until(() -> System.nanoTime() - until >= 0);
	}

}
