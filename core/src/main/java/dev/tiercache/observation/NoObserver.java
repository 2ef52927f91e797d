package dev.tiercache.observation;

/**
 * The observer that observes nothing.
 *
 * @author tiercache
 */
enum NoObserver implements TierCacheObserver, TierCacheObserver.Observed {

	INSTANCE;

	@Override
	public Observed start(Operation operation, String cache, String tier, boolean scoped) {
		return this;
	}

	@Override
	public void stop(String outcome) {
	}

}
