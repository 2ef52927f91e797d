package dev.tiercache.remote.peers;

import org.jgroups.Message;
import org.jgroups.blocks.RequestCorrelator;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.util.PassRegularMessagesUpDirectly;

/**
 * JGroups' {@code direct} message processing policy, extended to pass tiercache's own
 * out-of-band requests and replies up on the receiving thread too, instead of handing
 * each one to the transport's thread pool. tiercache's handlers never block (a request
 * for a key that is being loaded is parked and answered later), so a fetch saves two
 * thread hand-offs. Every other out-of-band message, JGroups' own included, still goes to
 * the thread pool, where it may block without stalling the connection.
 *
 * <p>
 * A reply sent on the receiving thread must not wait for flow-control credits: they
 * arrive on the connection that thread has stopped reading, so it would wait until
 * {@code UFC} gave up, for every reply at once when large values go both ways (the test
 * {@code largeValuesFetchedBothWaysAtOnceAllArrive} lost almost every fetch that way).
 * tiercache therefore sends its requests, and so their replies, with
 * {@code Message.Flag.NO_FC}; and with {@code non_blocking_sends} the reply is queued
 * rather than written on a full socket.
 *
 * @author tiercache
 */
public class ServeOnReceiver extends PassRegularMessagesUpDirectly {

	private static final short DISPATCHER = ClassConfigurator.getProtocolId(RequestCorrelator.class);

	@Override
	public boolean process(Message message, boolean oob) {
		if (oob && message.getHeader(DISPATCHER) != null) {
			try {
				this.tp.passMessageUp(message, true, message.getDest() == null, true);
			}
			catch (RuntimeException ex) {
				this.log.error("tiercache: could not pass a request up", ex);
			}
			return true;
		}
		return super.process(message, oob);
	}

}
