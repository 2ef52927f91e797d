package dev.tiercache.remote.peers;

import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.Rejections;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.blocks.MessageDispatcher;
import org.jspecify.annotations.Nullable;

/**
 * What a member talks to its cluster through once it has joined, made together when it
 * joins: the JGroups channel, the member's view of it ({@link PeerChannel}), the
 * requester's side of reads ({@link PeerClient}), writes, refreshes and hand-offs, and
 * the fetch transport if it is on.
 *
 * @param channel the JGroups channel
 * @param fetchTransport the fetch transport, or {@code null} if reads go through JGroups
 * @param peers the members and the ring, as this member sees them
 * @param handoff what hands entries to their new owners
 * @param client the requester's side of reads
 * @param writes the requester's side of writes
 * @param refreshes the requester's side of refreshes
 * @author tiercache
 */
record JoinedCluster(JChannel channel, @Nullable FetchTransport fetchTransport, PeerChannel peers, Handoff handoff,
		PeerClient client, Writes writes, Refreshes refreshes) {

	/**
	 * Join the cluster: connect the channel, refuse a name another member has, and
	 * install the first view; every later view is installed on {@code views}, one at a
	 * time, off the JGroups delivery thread.
	 * @throws IllegalStateException if another member already has this member's name
	 * @throws Exception if the channel cannot connect; it is closed then
	 */
	static JoinedCluster join(PeersSettings settings, RequestServer server, Collection<Registration> caches,
			ValueCodec codec, Owner owner, Rejections rejections, ScheduledExecutorService timers,
			ExecutorService views) throws Exception {
		long rpcMillis = settings.rpcTimeout().toMillis();
		JChannel channel = JGroupsStack.channel(settings);
		FetchTransport fetchTransport = null;
		try {
			MessageDispatcher dispatcher = new MessageDispatcher(channel, server).asyncDispatching(true);
			PeerChannel peers = new PeerChannel(settings.nodeName(), dispatcher);
			fetchTransport = FetchTransport.start(settings, channel, server, peers, timers, rpcMillis);
			Handoff handoff = new Handoff(peers, codec, rejections, 4 * rpcMillis);
			server.connect(peers, handoff);
			ViewChanges viewChanges = new ViewChanges(settings.clusterName(), peers, handoff, owner, caches);
			PeerClient client = new PeerClient(peers, codec, owner, rejections, rpcMillis,
					(fetchTransport != null) ? fetchTransport.client() : null);
			FetchTransport transport = fetchTransport;
			Writes writes = new Writes(peers, owner, client, codec, timers, rpcMillis);
			Refreshes refreshes = new Refreshes(peers, owner, client, codec, rpcMillis);
			dispatcher.setReceiver(new Receiver() {

				@Override
				public void viewAccepted(View view) {
					// Rebuild the ring off the JGroups delivery thread.
					try {
						views.execute(() -> {
							viewChanges.accept(view, true);
							if (transport != null) {
								transport.retain(view.getMembers());
							}
						});
					}
					catch (RejectedExecutionException ex) {
						// Closing: the members that stay rebuild their own rings.
					}
				}

			});
			channel.connect(settings.clusterName());
			refuseDuplicateName(settings, channel);
			// On the views thread, which takes every later view in order.
			views.submit(() -> viewChanges.accept(channel.getView(), false)).get();
			return new JoinedCluster(channel, fetchTransport, peers, handoff, client, writes, refreshes);
		}
		catch (Exception ex) {
			close(channel, fetchTransport);
			throw ex;
		}
	}

	/**
	 * Leave: stop serving reads first, since once this member has left the view, writes
	 * of its keys go to their new owners, and a member whose view still names this one
	 * must not read the old values from it; then close the channel.
	 */
	void close() {
		close(this.channel, this.fetchTransport);
	}

	private static void close(JChannel channel, @Nullable FetchTransport fetchTransport) {
		if (fetchTransport != null) {
			fetchTransport.close();
		}
		channel.close();
	}

	private static void refuseDuplicateName(PeersSettings settings, JChannel channel) {
		Address older = Membership.duplicateOf(channel.getView(), channel.getAddress());
		if (older != null) {
			throw new IllegalStateException("Another member of cluster '" + settings.clusterName()
					+ "' is already named '" + settings.nodeName() + "' (" + older + "); two members with one "
					+ "name would own the same keys and miss each other's invalidations. Give each instance its own "
					+ "tiercache.node-name (by default the host name and the web server's port), or a cluster name of "
					+ "its own (tiercache.cluster.name) if it belongs to another application");
		}
	}

}
