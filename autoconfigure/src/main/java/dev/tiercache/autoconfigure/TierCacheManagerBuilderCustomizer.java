package dev.tiercache.autoconfigure;

import dev.tiercache.TierCacheManager;

/**
 * Callback to customize the {@link TierCacheManager.Builder} before the auto-configured
 * manager is built, for what properties cannot express (for example a cache whose
 * configuration is computed). Declare implementations as beans; they run in
 * {@link org.springframework.core.annotation.Order order}, after the properties are
 * applied.
 *
 * @author tiercache
 */
@FunctionalInterface
public interface TierCacheManagerBuilderCustomizer {

	/**
	 * Customize the builder.
	 * @param builder the builder to customize
	 */
	void customize(TierCacheManager.Builder builder);

}
