package dev.tiercache.remote;

/**
 * The remote tier could not answer (unreachable, timed out, circuit open). The caller
 * degrades to local behaviour; the remote tier has already counted the failure.
 *
 * @author tiercache
 */
public class RemoteTierException extends RuntimeException {

	public RemoteTierException(String message, Throwable cause) {
		super(message, cause);
	}

	public RemoteTierException(String message) {
		super(message);
	}

}
