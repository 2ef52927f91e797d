/**
 * Actuator support: the {@code tiercache} endpoint and health contributor.
 */
@NullMarked
package dev.tiercache.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
