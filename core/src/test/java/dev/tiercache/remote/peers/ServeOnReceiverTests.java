package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestHandler;
import org.jgroups.blocks.RequestOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ServeOnReceiver}: tiercache's out-of-band requests are served on the
 * thread that read them, every other out-of-band message still goes to the thread pool.
 *
 * @author tiercache
 */
class ServeOnReceiverTests {

	private final List<JChannel> channels = new ArrayList<>();

	@AfterEach
	void close() {
		this.channels.forEach(JChannel::close);
	}

	@Test
	void dispatcherRequestsAreServedOnTheReceivingThreadAndOtherMessagesOnThePool() throws Exception {
		int basePort = PeersCluster.freePortRange(6);
		JChannel client = connect("serve-on-receiver", basePort, 1);
		JChannel server = connect("serve-on-receiver", basePort, 2);
		JChannel listener = connect("serve-on-receiver", basePort, 3);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.channels.stream().allMatch((channel) -> channel.getView().size() == 3));

		CompletableFuture<String> requestThread = new CompletableFuture<>();
		CompletableFuture<String> plainThread = new CompletableFuture<>();
		MessageDispatcher serving = new MessageDispatcher(server, (RequestHandler) (message) -> {
			requestThread.complete(Thread.currentThread().getName());
			return new byte[] { 1 };
		});
		listener.setReceiver(new Receiver() {
			@Override
			public void receive(Message message) {
				plainThread.complete(Thread.currentThread().getName());
			}
		});
		MessageDispatcher asking = new MessageDispatcher(client);

		Object reply = asking.sendMessage(
				new BytesMessage(server.getAddress(), new byte[] { 0 }).setFlag(Message.Flag.OOB),
				RequestOptions.SYNC().timeout(5000));
		client.send(new BytesMessage(listener.getAddress(), new byte[] { 0 }).setFlag(Message.Flag.OOB));

		assertThat(reply).isEqualTo(new byte[] { 1 });
		String served = requestThread.get(10, TimeUnit.SECONDS);
		String plain = plainThread.get(10, TimeUnit.SECONDS);
		assertThat(served).as("thread that served the request").contains("Receiver");
		assertThat(plain).as("thread that delivered a plain out-of-band message").doesNotContain("Receiver");
		asking.close();
		serving.close();
	}

	private JChannel connect(String cluster, int basePort, int index) throws Exception {
		JChannel channel = JGroupsStack.channel(PeersCluster.settings(cluster, basePort, index, 3));
		this.channels.add(channel);
		channel.connect(cluster);
		return channel;
	}

}
