/**
 * Ahead-of-time processing and native images: what tiercache, JGroups and the codecs load
 * reflectively, and the application's cached value types.
 */
@NullMarked
package dev.tiercache.autoconfigure.aot;

import org.jspecify.annotations.NullMarked;
