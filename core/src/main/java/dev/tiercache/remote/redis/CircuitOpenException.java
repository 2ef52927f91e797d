package dev.tiercache.remote.redis;

import dev.tiercache.remote.RemoteTierException;

/**
 * A command that was not sent, because the circuit is open: unlike a command that timed
 * out, it cannot have changed anything in Redis.
 *
 * @author tiercache
 */
final class CircuitOpenException extends RemoteTierException {

	CircuitOpenException(String message) {
		super(message);
	}

}
