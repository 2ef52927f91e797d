package dev.tiercache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.remote.PauseDetector;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Aborts, instead of failing, a test of the remote modes that failed after the JVM was
 * paused (starved of CPU on a busy machine, or a long garbage collection) for longer than
 * the shortest pause a remote tier tolerates.
 *
 * <p>
 * After such a pause every manager drops every local copy, main included, by design
 * ({@link PauseDetector}): invalidations may have been missed meanwhile. In peers mode
 * that empties the cluster (all members share this JVM), so the next read runs its
 * loader; a test whose loader must not run, or that counts loads exactly, then fails for
 * a reason that is the product working as documented, not a defect. The abort names the
 * pause and keeps the failure as its cause, and the test shows as skipped; a failure with
 * no such pause fails as before.
 */
final class AbortOnPause implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {

	/** The shortest pause tolerance of both remote tiers. */
	private static final Duration SHORTEST_TOLERANCE = Duration.ofSeconds(2);

	private static final Namespace NAMESPACE = Namespace.create(AbortOnPause.class);

	@Override
	public void beforeEach(ExtensionContext context) {
		AtomicLong longest = new AtomicLong();
		AutoCloseable watch = PauseDetector.watch(SHORTEST_TOLERANCE,
				(nanos) -> longest.accumulateAndGet(nanos, Math::max));
		context.getStore(NAMESPACE).put("longest", longest);
		context.getStore(NAMESPACE).put("watch", watch);
	}

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
		AtomicLong longest = context.getStore(NAMESPACE).get("longest", AtomicLong.class);
		long nanos = (longest != null) ? longest.get() : 0;
		if (nanos == 0) {
			throw failure;
		}
		String message = "The JVM was paused for " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms during this test, "
				+ "longer than the remote tiers tolerate (" + SHORTEST_TOLERANCE.toMillis() + " ms), so every node "
				+ "dropped its local copies as designed; the test's premise no longer holds. It failed with: "
				+ failure;
		System.err.println("AbortOnPause: " + context.getDisplayName() + ": " + message);
		TestAbortedException aborted = new TestAbortedException(message);
		aborted.addSuppressed(failure);
		throw aborted;
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		AutoCloseable watch = context.getStore(NAMESPACE).remove("watch", AutoCloseable.class);
		if (watch != null) {
			watch.close();
		}
	}

}
