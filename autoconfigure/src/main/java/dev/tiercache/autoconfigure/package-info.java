/**
 * Spring Boot auto-configuration for tiercache: {@code tiercache.*} properties, the
 * {@code TierCacheManager} bean and its customizers.
 */
@NullMarked
package dev.tiercache.autoconfigure;

import org.jspecify.annotations.NullMarked;
