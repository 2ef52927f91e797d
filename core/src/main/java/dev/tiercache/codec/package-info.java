/**
 * How keys and values cross the network in the remote modes. A key is named by its string
 * form ({@link dev.tiercache.codec.KeyNames}); keys and values travel as bytes through a
 * {@link dev.tiercache.codec.ValueCodec}, by default Java serialization restricted to an
 * allow-list of classes ({@link dev.tiercache.codec.AllowList}), so a hostile payload is
 * refused before any of its classes is instantiated.
 */
@NullMarked
package dev.tiercache.codec;

import org.jspecify.annotations.NullMarked;
