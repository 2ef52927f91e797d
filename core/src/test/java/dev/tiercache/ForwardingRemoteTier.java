package dev.tiercache;

import java.util.function.Consumer;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

/**
 * A real remote tier with a seam: tests override one call to hold it at a chosen point.
 */
public class ForwardingRemoteTier implements RemoteTier {

	private final RemoteTier delegate;

	public ForwardingRemoteTier(RemoteTier delegate) {
		this.delegate = delegate;
	}

	@Override
	public ClusterView view() {
		return this.delegate.view();
	}

	@Override
	public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
		this.delegate.register(cache, configuration, stats, local);
	}

	@Override
	public boolean ownsLocally(String cache, Object key) {
		return this.delegate.ownsLocally(cache, key);
	}

	@Override
	public void onUnknownCache(Consumer<String> creator) {
		this.delegate.onUnknownCache(creator);
	}

	@Override
	public boolean usesMain() {
		return this.delegate.usesMain();
	}

	@Override
	public @Nullable CacheEntry fetch(String cache, Object key) {
		return this.delegate.fetch(cache, key);
	}

	@Override
	public CacheEntry fetchOrLoad(String cache, Object key, Loader loader) {
		return this.delegate.fetchOrLoad(cache, key, loader);
	}

	@Override
	public @Nullable CacheEntry refresh(String cache, Object key, long windowNanos, Loader loader) {
		return this.delegate.refresh(cache, key, windowNanos, loader);
	}

	@Override
	public void store(String cache, Object key, CacheEntry entry) {
		this.delegate.store(cache, key, entry);
	}

	@Override
	public @Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry) {
		return this.delegate.storeIfAbsent(cache, key, entry);
	}

	@Override
	public boolean evict(String cache, Object key) {
		return this.delegate.evict(cache, key);
	}

	@Override
	public boolean clear(String cache) {
		return this.delegate.clear(cache);
	}

	@Override
	public void close() {
		this.delegate.close();
	}

}
