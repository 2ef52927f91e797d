package dev.tiercache.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import com.esotericsoftware.kryo.io.Output;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the Kryo codec adds to the contract every codec keeps
 * ({@link CodecContractTests}): the bounds Kryo itself lacks, and the values Java
 * serialization cannot write.
 */
class KryoValueCodecTests {

	private final ValueCodec codec = ValueCodec.kryo(AllowList.of(List.of("dev.tiercache")), null);

	@Test
	void aTinyPayloadCannotDemandAHugeCollection() {
		byte[] empty = this.codec.encode(new ArrayList<>());
		// A collection's size is written as size + 1 in a varint with a flag.
		byte[] hostile = withLastByteReplaced(empty, (output) -> output.writeVarIntFlag(false, 1_000_000_001, true));
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(hostile))
			.withMessageContaining("declares 1000000000 elements");
	}

	@Test
	void aTinyPayloadCannotDemandAHugeArray() {
		byte[] empty = this.codec.encode(new long[0]);
		// An array's length is written as length + 1 in a varint.
		byte[] hostile = withLastByteReplaced(empty, (output) -> output.writeVarInt(1_000_000_001, true));
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.decode(hostile))
			.withMessageContaining("declares 1000000000 elements");
	}

	@Test
	void aTinyPayloadCannotDemandAHugeString() {
		Output output = new Output(16);
		output.writeVarIntFlag(true, 1_000_000_001, true);
		BoundedInput input = new BoundedInput(output.toBytes());
		assertThatExceptionOfType(CodecException.class).isThrownBy(input::readString)
			.withMessageContaining("declares 1000000000 elements");
	}

	@Test
	void aValueNestedDeeperThanReadersAcceptFailsTheWrite() {
		List<Object> value = new ArrayList<>();
		List<Object> current = value;
		for (int i = 0; i < 50; i++) {
			List<Object> next = new ArrayList<>();
			current.add(next);
			current = next;
		}
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> this.codec.encode(value))
			.withMessageContaining("nested deeper than " + KryoValueCodec.MAX_DEPTH);
	}

	@Test
	void cyclesAndSharedReferencesSurvive() {
		Node first = new Node("first");
		Node second = new Node("second");
		first.next = second;
		second.next = first;
		Node decoded = (Node) this.codec.decode(this.codec.encode(first));
		assertThat(decoded.name).isEqualTo("first");
		assertThat(decoded.next.name).isEqualTo("second");
		assertThat(decoded.next.next).isSameAs(decoded);
	}

	@Test
	void valuesNeedNeitherSerializableNorADefaultConstructor() {
		Node node = new Node("alone");
		assertThat(((Node) this.codec.decode(this.codec.encode(node))).name).isEqualTo("alone");
	}

	@Test
	void jdkViewsDecodeAsEqualUnmodifiableCollections() {
		for (Object value : new Object[] { List.of(1, 2, 3), List.of(), Arrays.asList("a", null),
				java.util.Collections.unmodifiableList(new ArrayList<>(List.of("b"))), java.util.Set.of("c"),
				java.util.Map.of("d", 4L) }) {
			assertThat(this.codec.decode(this.codec.encode(value))).isEqualTo(value);
		}
	}

	private static byte[] withLastByteReplaced(byte[] bytes, Consumer<Output> length) {
		Output output = new Output(8);
		length.accept(output);
		byte[] varint = output.toBytes();
		byte[] result = Arrays.copyOf(bytes, bytes.length - 1 + varint.length);
		System.arraycopy(varint, 0, result, bytes.length - 1, varint.length);
		return result;
	}

	/** Neither serializable nor constructible without arguments. */
	static final class Node {

		final String name;

		Node next;

		Node(String name) {
			this.name = name;
		}

	}

}
