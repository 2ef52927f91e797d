package dev.tiercache.remote.peers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.blocks.MessageDispatcher;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;
import org.jspecify.annotations.Nullable;

/**
 * How a member reaches the others: who owns a key in the current view, and requests to
 * one member or to several, counted as peer errors when they fail. A request never
 * travels further than the member it was sent to.
 *
 * @author tiercache
 */
final class PeerChannel {

	private final String self;

	private final MessageDispatcher dispatcher;

	private volatile @Nullable Membership membership;

	/**
	 * The newest view that a member answering this one had installed: members install a
	 * view one by one, and a write made with an older one may have missed a member that
	 * just joined ({@link Writes}).
	 */
	private final AtomicLong newestHeard = new AtomicLong();

	/** Guards waiting for this member's own view to catch up. */
	private final Object installed = new Object();

	PeerChannel(String self, MessageDispatcher dispatcher) {
		this.self = self;
		this.dispatcher = dispatcher;
	}

	String self() {
		return this.self;
	}

	@Nullable Membership membership() {
		return this.membership;
	}

	void membership(Membership membership) {
		synchronized (this.installed) {
			this.membership = membership;
			this.installed.notifyAll();
		}
	}

	/**
	 * Return the id of the view this member has installed, {@code 0} before the first.
	 */
	long viewId() {
		Membership current = this.membership;
		return (current != null) ? current.view().getId() : 0;
	}

	/**
	 * Return the newest view that a member answering this one had installed.
	 */
	long newestHeard() {
		return this.newestHeard.get();
	}

	/**
	 * Wait until this member has installed the view {@code id} or a newer one.
	 * @return whether it has; if not, the view heard of is forgotten, so that a view that
	 * never arrives (another partition's, say) does not hold up every later write
	 */
	boolean awaitView(long id, long timeoutMillis) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
		synchronized (this.installed) {
			long remaining;
			while (viewId() < id && (remaining = deadline - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this.installed, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
		}
		if (viewId() >= id) {
			return true;
		}
		this.newestHeard.accumulateAndGet(viewId(), (heard, own) -> (heard == id) ? own : heard);
		return false;
	}

	/**
	 * Note the view that the member sending {@code reply} had installed: the answers to
	 * writes ({@code OK}, {@code NOT_OWNER}) carry it as their token.
	 */
	PeerMessage heard(PeerMessage reply) {
		if ((reply.type() == Type.OK || reply.type() == Type.NOT_OWNER) && reply.token() > 0) {
			long view = reply.token();
			this.newestHeard.accumulateAndGet(view, Math::max);
		}
		return reply;
	}

	private void heard(@Nullable byte[] reply) {
		if (reply != null) {
			try {
				heard(PeerMessage.decode(reply, 0, reply.length));
			}
			catch (CodecException ex) {
				// Counted where the answer is read.
			}
		}
	}

	/**
	 * Return the member that owns {@code key} of {@code cache} in the current view.
	 * @throws CodecException if the key has no name that members agree on
	 */
	String owner(String cache, Object key) {
		Membership current = this.membership;
		if (current == null) {
			return this.self;
		}
		return current.ring().ownerOf(cache + ":" + KeyNames.name(cache, key));
	}

	/**
	 * Every member but this one and {@code except}.
	 */
	List<Address> others(@Nullable String except) {
		Membership current = this.membership;
		return (current != null) ? current.others(this.self, except) : List.of();
	}

	/**
	 * Send {@code message} to {@code member} and wait at most {@code timeoutMillis} for
	 * the answer.
	 * @throws RemoteTierException if the member is gone, does not answer in time or
	 * answers something malformed; counted as a peer error
	 */
	PeerMessage request(StatsCounter stats, String member, PeerMessage message, long timeoutMillis) {
		Address target = address(stats, member);
		byte[] reply;
		try {
			reply = this.dispatcher.sendMessage(message(target, message), RequestOptions.SYNC().timeout(timeoutMillis));
		}
		catch (Exception ex) {
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException(
					"Peer '" + member + "' did not answer a " + message.type() + " request: " + ex, ex);
		}
		if (reply == null) {
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' gave no answer to a " + message.type() + " request");
		}
		try {
			return heard(PeerMessage.decode(reply, 0, reply.length));
		}
		catch (CodecException ex) {
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' gave a malformed answer: " + ex.getMessage(), ex);
		}
	}

	/**
	 * {@link #request} without a thread that waits for the answer.
	 * @return a future of the answer, failed with a counted {@link RemoteTierException}
	 */
	CompletableFuture<PeerMessage> requestAsync(StatsCounter stats, String member, PeerMessage message,
			long timeoutMillis) {
		CompletableFuture<byte[]> reply;
		try {
			reply = this.dispatcher.sendMessageWithFuture(message(address(stats, member), message),
					RequestOptions.SYNC().timeout(timeoutMillis));
		}
		catch (RemoteTierException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		catch (Exception ex) {
			stats.record(Counter.PEER_ERRORS);
			return CompletableFuture.failedFuture(new RemoteTierException(
					"Peer '" + member + "' did not take a " + message.type() + " request: " + ex, ex));
		}
		return reply.handle((answer, failure) -> {
			if (failure != null || answer == null) {
				stats.record(Counter.PEER_ERRORS);
				String why = (failure != null) ? ": " + failure : "";
				throw new RemoteTierException(
						"Peer '" + member + "' did not answer a " + message.type() + " request" + why, failure);
			}
			try {
				return heard(PeerMessage.decode(answer, 0, answer.length));
			}
			catch (CodecException ex) {
				stats.record(Counter.PEER_ERRORS);
				throw new RemoteTierException("Peer '" + member + "' gave a malformed answer: " + ex.getMessage(), ex);
			}
		});
	}

	/**
	 * Send {@code message} to {@code member} without waiting for the answer; a failure is
	 * counted.
	 */
	void send(StatsCounter stats, String member, PeerMessage message, long timeoutMillis) {
		Membership current = this.membership;
		Address target = (current != null) ? current.addresses().get(member) : null;
		if (target == null) {
			stats.record(Counter.PEER_ERRORS);
			return;
		}
		try {
			CompletableFuture<byte[]> reply = this.dispatcher.sendMessageWithFuture(message(target, message),
					RequestOptions.SYNC().timeout(timeoutMillis));
			reply.whenComplete((answer, failure) -> {
				if (failure != null) {
					stats.record(Counter.PEER_ERRORS);
				}
			});
		}
		catch (Exception ex) {
			stats.record(Counter.PEER_ERRORS);
		}
	}

	/**
	 * Send {@code message} to every one of {@code targets} and wait at most
	 * {@code timeoutMillis} for all answers. Each member that did not answer is counted
	 * as a peer error.
	 * @return the answers that arrived
	 */
	RspList<byte[]> cast(StatsCounter stats, List<Address> targets, PeerMessage message, long timeoutMillis) {
		RspList<byte[]> replies;
		try {
			replies = this.dispatcher.castMessage(targets, message(null, message),
					RequestOptions.SYNC().timeout(timeoutMillis).anycasting(true));
		}
		catch (Exception ex) {
			stats.record(Counter.PEER_ERRORS, targets.size());
			return new RspList<>();
		}
		for (Rsp<byte[]> reply : replies) {
			if (!reply.wasReceived() || reply.wasSuspected() || reply.hasException()) {
				stats.record(Counter.PEER_ERRORS);
			}
			else {
				heard(reply.getValue());
			}
		}
		return replies;
	}

	/**
	 * {@link #cast} without waiting: each member that does not answer is counted.
	 */
	void castAsync(StatsCounter stats, List<Address> targets, PeerMessage message, long timeoutMillis) {
		try {
			this.dispatcher
				.<byte[]>castMessageWithFuture(targets, message(null, message),
						RequestOptions.SYNC().timeout(timeoutMillis).anycasting(true))
				.whenComplete((replies, failure) -> {
					if (failure != null) {
						stats.record(Counter.PEER_ERRORS, targets.size());
						return;
					}
					for (Rsp<byte[]> reply : replies) {
						if (!reply.wasReceived() || reply.wasSuspected() || reply.hasException()) {
							stats.record(Counter.PEER_ERRORS);
						}
					}
				});
		}
		catch (Exception ex) {
			stats.record(Counter.PEER_ERRORS, targets.size());
		}
	}

	/**
	 * Return whether {@code member} is in the current view.
	 */
	boolean isMember(String member) {
		Membership current = this.membership;
		return current != null && current.addresses().containsKey(member);
	}

	/**
	 * Send {@code payload} to {@code target} and wait for the raw answer, for hand-offs.
	 */
	byte @Nullable [] requestRaw(Address target, byte[] payload, long timeoutMillis) throws Exception {
		return this.dispatcher.sendMessage(reliable(target, payload), RequestOptions.SYNC().timeout(timeoutMillis));
	}

	/**
	 * Return the address of {@code member} in the current view, or {@code null}.
	 */
	@Nullable Address addressOf(String member) {
		Membership current = this.membership;
		return (current != null) ? current.addresses().get(member) : null;
	}

	private Address address(StatsCounter stats, String member) {
		Address target = addressOf(member);
		if (target == null) {
			stats.record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' is not in the view");
		}
		return target;
	}

	/**
	 * A request for one or all other members, hand-offs included: out of band, and
	 * outside flow control. The owner answers on the thread that read the request
	 * ({@link ServeOnReceiver}) and JGroups copies the request's flags to the reply;
	 * under flow control, a reply that ran out of credits would block that thread, and
	 * the credits that would free it arrive on the very connection it no longer reads. A
	 * member's requests and replies are bounded by the threads waiting for them
	 * (hand-offs go one batch at a time), which is the flow control they need.
	 *
	 * <p>
	 * Reads ({@code FETCH}, {@code FETCH_OR_LEASE}) and their replies also skip
	 * {@code UNICAST3}: it would number, store and later acknowledge each of them so that
	 * it can resend what the transport dropped, but it resends after its
	 * {@code xmit_interval} (500 ms), when the requester (waiting {@code rpc-timeout},
	 * 250 ms by default) has given up and loaded locally, and a late request would only
	 * take a lease for nobody. TCP loses nothing on a live connection; what the transport
	 * drops (a full send queue, a broken connection) is a timeout and a local load, as
	 * before. Writes keep {@code UNICAST3}, since they change what the owner holds.
	 */
	private static Message message(@Nullable Address target, PeerMessage message) {
		Message request = reliable(target, message.encode());
		return isRead(message.type()) ? request.setFlag(Message.Flag.NO_RELIABILITY) : request;
	}

	private static boolean isRead(Type type) {
		return type == Type.FETCH || type == Type.FETCH_OR_LEASE;
	}

	private static Message reliable(@Nullable Address target, byte[] payload) {
		return new BytesMessage(target, payload).setFlag(Message.Flag.OOB, Message.Flag.NO_FC);
	}

}
