/**
 * The remote tier's view of the world. {@link dev.tiercache.remote.ClusterView} says
 * which nodes take part and what share of the keys each owns; in local mode that is this
 * node alone, owning everything.
 */
@NullMarked
package dev.tiercache.remote;

import org.jspecify.annotations.NullMarked;
