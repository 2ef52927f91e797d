package dev.tiercache.remote.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jgroups.Address;
import org.jgroups.stack.AddressGenerator;
import org.jgroups.util.ExtendedUUID;
import org.jspecify.annotations.Nullable;

/**
 * Where a member listens for fetches ({@link FetchServer}), carried in its JGroups
 * address: an {@link ExtendedUUID} with one more key, so every view names each member's
 * fetch endpoint and no message has to announce it. A member without the key (an older
 * version, or one that could not open its fetch port) is fetched from through JGroups.
 *
 * @author tiercache
 */
final class FetchAdvert {

	private static final String KEY = "tiercache-fetch";

	private FetchAdvert() {
	}

	/**
	 * An address generator for a member whose fetch server listens on {@code endpoint}.
	 */
	static AddressGenerator generator(InetSocketAddress endpoint) {
		byte[] ip = endpoint.getAddress().getAddress();
		byte[] advert = ByteBuffer.allocate(ip.length + 2).put(ip).putShort((short) endpoint.getPort()).array();
		return new AddressGenerator() {

			@Override
			public Address generateAddress() {
				return ExtendedUUID.randomUUID().put(KEY, advert);
			}

			@Override
			public Address generateAddress(String name) {
				return ExtendedUUID.randomUUID(name).put(KEY, advert);
			}

		};
	}

	/**
	 * Return the fetch endpoint a member's address advertises, or {@code null}.
	 */
	static @Nullable InetSocketAddress endpointOf(Address address) {
		if (!(address instanceof ExtendedUUID extended)) {
			return null;
		}
		byte[] advert = extended.get(KEY);
		if (advert == null || (advert.length != 6 && advert.length != 18)) {
			return null;
		}
		int port = Short.toUnsignedInt(ByteBuffer.wrap(advert, advert.length - 2, 2).getShort());
		try {
			return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(advert, advert.length - 2)), port);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

}
