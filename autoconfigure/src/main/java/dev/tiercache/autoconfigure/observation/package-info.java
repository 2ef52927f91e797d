/**
 * Micrometer Observation of tiercache's loads, remote fetches and lease waits.
 */
@NullMarked
package dev.tiercache.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
