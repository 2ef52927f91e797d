/**
 * How keys and values cross the network in the remote modes. A key is named by its string
 * form ({@link dev.tiercache.codec.KeyNames}); keys and values travel as bytes through a
 * {@link dev.tiercache.codec.ValueCodec}, by default Java serialization restricted to an
 * allow-list of classes ({@link dev.tiercache.codec.AllowList}), so a hostile payload is
 * refused before any of its classes is instantiated. JSON on Jackson 3 and binary Kryo 5
 * codecs keep the same rules (the same allow-list on both sides, checked by name before a
 * class is loaded; bounded sizes; a {@link dev.tiercache.codec.CodecException} for
 * anything refused), and any of them can be wrapped in LZ4 compression.
 */
@NullMarked
package dev.tiercache.codec;

import org.jspecify.annotations.NullMarked;
