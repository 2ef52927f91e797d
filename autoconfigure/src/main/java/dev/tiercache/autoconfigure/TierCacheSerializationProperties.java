package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.util.unit.DataSize;

/**
 * How keys and values are serialized for the remote modes, under
 * {@code tiercache.serialization}.
 *
 * @author tiercache
 */
public class TierCacheSerializationProperties {

	/**
	 * Packages whose classes may be deserialized, in addition to the JDK's value types
	 * ('java.*'), Spring's cache key and Spring Data's paging types, and the
	 * application's own packages (those of its '@SpringBootApplication'). Anything else
	 * is refused and counted. A single-segment package such as 'com' is refused: name
	 * your own, such as 'com.example.books'.
	 */
	private List<String> allowedPackages = new ArrayList<>();

	/**
	 * How keys and values are written: 'java' (Java serialization; values must be
	 * Serializable), 'json' (Jackson 3 with the application's JsonMapper; needs
	 * spring-boot-starter-jackson) or 'kryo' (compact binary; needs
	 * com.esotericsoftware:kryo). Every node of a cluster must use the same codec. A
	 * ValueCodec bean of the application replaces the codec chosen here.
	 */
	private Codec codec = Codec.JAVA;

	/**
	 * Compression of large payloads: 'none', or 'lz4' (needs at.yawk.lz4:lz4-java). Every
	 * node of a cluster must use the same setting.
	 */
	private Compression compression = Compression.NONE;

	/**
	 * Smallest payload that is compressed, when compression is on.
	 */
	private DataSize compressionThreshold = DataSize.ofKilobytes(4);

	public List<String> getAllowedPackages() {
		return this.allowedPackages;
	}

	public void setAllowedPackages(List<String> allowedPackages) {
		this.allowedPackages = allowedPackages;
	}

	public Codec getCodec() {
		return this.codec;
	}

	public void setCodec(Codec codec) {
		this.codec = codec;
	}

	public Compression getCompression() {
		return this.compression;
	}

	public void setCompression(Compression compression) {
		this.compression = compression;
	}

	public DataSize getCompressionThreshold() {
		return this.compressionThreshold;
	}

	public void setCompressionThreshold(DataSize compressionThreshold) {
		this.compressionThreshold = compressionThreshold;
	}

	/**
	 * How keys and values are written.
	 */
	public enum Codec {

		/**
		 * Java serialization behind the allow-list.
		 */
		JAVA,

		/**
		 * JSON on Jackson 3, type information behind the allow-list.
		 */
		JSON,

		/**
		 * Kryo 5 binary, class names behind the allow-list.
		 */
		KRYO

	}

	/**
	 * Compression of large payloads.
	 */
	public enum Compression {

		/**
		 * No compression.
		 */
		NONE,

		/**
		 * LZ4 above 'compression-threshold'.
		 */
		LZ4

	}

}
