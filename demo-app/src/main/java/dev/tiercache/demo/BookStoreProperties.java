package dev.tiercache.demo;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the demo's backing store. The database itself is configured with
 * {@code spring.datasource.*}.
 *
 * @param latency how long every read of a book takes on top of the database's own time,
 * standing in for a slow query
 * @param size how many books the database is seeded with (ids 1 to size)
 * @param resetWhenAlone whether a node that finds no other live node on the database
 * restores the seeded titles and zeroes the read counts, so that every demo run starts
 * from the same state
 * @author tiercache
 */
@ConfigurationProperties("demo.store")
public record BookStoreProperties(@DefaultValue("50ms") Duration latency, @DefaultValue("1000") int size,
		@DefaultValue("true") boolean resetWhenAlone) {
}
