package dev.tiercache.benchmarks.codec;

import java.io.Serializable;

/**
 * The embedded address of a {@link Customer}.
 *
 * @param street the street
 * @param city the city
 * @param postcode the postcode
 * @param country the ISO country code
 * @author tiercache
 */
public record Address(String street, String city, String postcode, String country) implements Serializable {
}
