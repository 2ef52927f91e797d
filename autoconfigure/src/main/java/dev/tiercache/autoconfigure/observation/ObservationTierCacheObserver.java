package dev.tiercache.autoconfigure.observation;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.tiercache.observation.TierCacheObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Reports tiercache's operations as Micrometer {@link Observation}s, so that the tracing
 * and metrics handlers of the application's {@link ObservationRegistry} turn each into a
 * span and a timer: {@code tiercache.load}, {@code tiercache.fetch} and
 * {@code tiercache.lease.wait}, with the low-cardinality keys {@code cache}, {@code tier}
 * ({@code local}, {@code peers} or {@code redis}) and {@code outcome}. An observation
 * started while another is current (the application's request, a fetch) is its child.
 *
 * @author tiercache
 */
public class ObservationTierCacheObserver implements TierCacheObserver {

	private final ObservationRegistry registry;

	/**
	 * Create an observer reporting to {@code registry}.
	 * @param registry the application's observation registry
	 */
	public ObservationTierCacheObserver(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Observed start(Operation operation, String cache, String tier, boolean scoped) {
		Observation observation = Observation.createNotStarted(operation.observationName(), this.registry)
			.contextualName(operation.contextualName() + " " + cache)
			.lowCardinalityKeyValue("cache", cache)
			.lowCardinalityKeyValue("tier", tier)
			.start();
		return new Running(observation, scoped ? observation.openScope() : null);
	}

	private static final class Running implements Observed {

		private final Observation observation;

		private final Observation.@Nullable Scope scope;

		private final AtomicBoolean stopped = new AtomicBoolean();

		private Running(Observation observation, Observation.@Nullable Scope scope) {
			this.observation = observation;
			this.scope = scope;
		}

		@Override
		public void stop(String outcome) {
			if (this.stopped.compareAndSet(false, true)) {
				this.observation.lowCardinalityKeyValue("outcome", outcome);
				if (this.scope != null) {
					this.scope.close();
				}
				this.observation.stop();
			}
		}

	}

}
